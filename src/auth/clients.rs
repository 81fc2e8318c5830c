//! API clients: create, rotate, change and delete, with the credentials shown
//! once. Used by the panel's JSON endpoints and the `ispbills client` command.

use super::{
    principal::Tier,
    scope::ScopeSet,
    secrets::{random_token, sha256_hex},
    service::{into_store, Auth, AuthError, TokenPair},
    tokens::ApiVersion,
};
use crate::{
    clock::format_timestamp,
    store::{
        api_clients::{self, ApiClientRow, NewApiClient},
        audit::{self, Changes, Entry, Who},
        audit_rows,
        audited::API_CLIENT,
        auth_tokens::FamilyOwner,
        StoreError,
    },
};

/// A client as the panel and CLI show it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    pub id: i64,
    pub name: String,
    pub api: ApiVersion,
    pub client_id: Option<String>,
    pub scopes: ScopeSet,
    pub tier: Tier,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

impl From<ApiClientRow> for ApiClient {
    fn from(r: ApiClientRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            api: ApiVersion::parse(&r.api).unwrap_or(ApiVersion::V2),
            client_id: r.client_uuid,
            scopes: ScopeSet::parse(&r.scopes).unwrap_or_default(),
            tier: Tier::parse(&r.tier).unwrap_or(Tier::Standard),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        }
    }
}

/// Credentials, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    V1(TokenPair),
    V2 {
        client_id: String,
        client_secret: String,
    },
}

/// What a new client is.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub name: String,
    pub api: ApiVersion,
    pub scopes: ScopeSet,
    pub tier: Tier,
}

/// Longest client name accepted.
pub const MAX_NAME_LEN: usize = 100;

fn new_secret() -> Result<(String, String), AuthError> {
    let secret = random_token(32).map_err(|e| AuthError::Internal(e.to_string()))?;
    let hash = sha256_hex(&secret);
    Ok((secret, hash))
}

impl Auth {
    /// Creates a client and its first credentials.
    pub fn create_client(
        &self,
        new: &NewClient,
        who: &Who,
    ) -> Result<(ApiClient, Credentials), AuthError> {
        let now = self.clock.now();
        let stamp = format_timestamp(now);
        let who = who.clone();
        let scopes = new.scopes.to_text();
        match new.api {
            ApiVersion::V2 => {
                let uuid = uuid::Uuid::new_v4().to_string();
                let (secret, hash) = new_secret()?;
                let (name, tier, client_uuid) = (new.name.clone(), new.tier, uuid.clone());
                let row = self.db.write(move |tx| {
                    let row = api_clients::create(
                        tx,
                        &NewApiClient {
                            name: &name,
                            api: "v2",
                            client_uuid: Some(&client_uuid),
                            secret_hash: Some(&hash),
                            scopes: &scopes,
                            tier: tier.as_str(),
                            now: &stamp,
                        },
                    )?;
                    audit_rows::record_change(
                        tx,
                        &who,
                        &API_CLIENT,
                        "created",
                        row.id,
                        None,
                        &stamp,
                    )?;
                    Ok(row)
                })?;
                Ok((
                    row.into(),
                    Credentials::V2 {
                        client_id: uuid,
                        client_secret: secret,
                    },
                ))
            }
            ApiVersion::V1 => {
                let (name, tier, this) = (new.name.clone(), new.tier, self.clone());
                let (row, pair) = self.db.write(move |tx| {
                    let row = api_clients::create(
                        tx,
                        &NewApiClient {
                            name: &name,
                            api: "v1",
                            client_uuid: None,
                            secret_hash: None,
                            scopes: &scopes,
                            tier: tier.as_str(),
                            now: &stamp,
                        },
                    )?;
                    audit_rows::record_change(
                        tx,
                        &who,
                        &API_CLIENT,
                        "created",
                        row.id,
                        None,
                        &stamp,
                    )?;
                    let pair = this
                        .new_v1_pair(
                            tx,
                            FamilyOwner::ApiClient(row.id),
                            Some(row.credentials_version),
                            now,
                        )
                        .map_err(into_store)?;
                    Ok((row, pair))
                })?;
                Ok((row.into(), Credentials::V1(pair)))
            }
        }
    }

    /// New credentials; every older token of the client stops working at once.
    pub fn rotate_client(&self, id: i64, who: &Who) -> Result<(ApiClient, Credentials), AuthError> {
        let now = self.clock.now();
        let stamp = format_timestamp(now);
        let (secret, hash) = new_secret()?;
        let this = self.clone();
        let who = who.clone();
        let (row, creds) = self.db.write(move |tx| {
            let Some(existing) = api_clients::get(tx, id)? else {
                return Err(StoreError::NotFound);
            };
            let mut e = Entry {
                action: "api_client.credentials_rotated",
                resource_type: "api_client",
                resource_id: Some(id),
                customer_id: None,
                reason: None,
                changes: Changes::default(),
            };
            e.changes.secret("credentials", true);
            audit::record(tx, &who, &e, &stamp)?;
            if existing.api == "v2" {
                let row = api_clients::rotate(tx, id, Some(&hash), &stamp)?;
                let creds = Credentials::V2 {
                    client_id: row.client_uuid.clone().unwrap_or_default(),
                    client_secret: secret.clone(),
                };
                Ok((row, creds))
            } else {
                let row = api_clients::rotate(tx, id, None, &stamp)?;
                let pair = this
                    .new_v1_pair(
                        tx,
                        FamilyOwner::ApiClient(row.id),
                        Some(row.credentials_version),
                        now,
                    )
                    .map_err(into_store)?;
                Ok((row, Credentials::V1(pair)))
            }
        })?;
        self.cache.invalidate();
        Ok((row.into(), creds))
    }

    /// Changes name, scopes or tier; takes effect on the next request.
    pub fn update_client(
        &self,
        id: i64,
        name: Option<&str>,
        scopes: Option<ScopeSet>,
        tier: Option<Tier>,
        who: &Who,
    ) -> Result<ApiClient, AuthError> {
        let scopes = scopes.map(ScopeSet::to_text);
        let name = name.map(str::to_string);
        let stamp = format_timestamp(self.clock.now());
        let who = who.clone();
        let row = self.db.write(move |tx| {
            let before = audit_rows::snapshot(tx, &API_CLIENT, id)?;
            let row = api_clients::update(
                tx,
                id,
                name.as_deref(),
                scopes.as_deref(),
                tier.map(Tier::as_str),
            )?;
            audit_rows::record_change(tx, &who, &API_CLIENT, "updated", id, before, &stamp)?;
            Ok(row)
        })?;
        self.cache.invalidate();
        Ok(row.into())
    }

    /// Deletes a client; all its tokens stop working at once.
    pub fn delete_client(&self, id: i64, who: &Who) -> Result<(), AuthError> {
        let stamp = format_timestamp(self.clock.now());
        let who = who.clone();
        self.db.write(move |tx| {
            let before = audit_rows::snapshot(tx, &API_CLIENT, id)?;
            api_clients::delete(tx, id)?;
            audit_rows::record_change(tx, &who, &API_CLIENT, "deleted", id, before, &stamp)
        })?;
        self.cache.invalidate();
        Ok(())
    }

    pub fn list_clients(&self) -> Result<Vec<ApiClient>, AuthError> {
        let rows = self.db.read(api_clients::list)?;
        Ok(rows.into_iter().map(ApiClient::from).collect())
    }

    pub fn get_client(&self, id: i64) -> Result<Option<ApiClient>, AuthError> {
        Ok(self
            .db
            .read(|c| api_clients::get(c, id))?
            .map(ApiClient::from))
    }
}
