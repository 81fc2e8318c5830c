//! Authentication flows over the store: staff login and refresh (v1), client
//! credentials (v2), checking a bearer token on each request, and revocation.
//! Every function here blocks (argon2, SQLite): call from a blocking thread.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::{
    cache::AuthCache,
    password,
    principal::{role_scopes, Principal, Tier},
    scope::ScopeSet,
    secrets::{constant_time_eq, random_token, sha256_hex},
    tokens::{ApiVersion, Claims, Subject, TokenError, TokenSigner, REFRESH_TTL_SECS},
};
use crate::{
    clock::{format_timestamp, Clock},
    domain::staff::{normalise_email, Role},
    store::{
        api_clients,
        auth_tokens::{self, FamilyOwner},
        staff_users::{self, StaffUser},
        Db, StoreError,
    },
};

/// Why authentication failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Wrong email, password, client id or secret: one message for all.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A bearer or refresh token that does not (or no longer) stand.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// The user's role must log in with a second factor they have not set up.
    #[error("two-factor login must be set up first")]
    TwoFactorSetupRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<TokenError> for AuthError {
    fn from(e: TokenError) -> Self {
        AuthError::InvalidToken(e.to_string())
    }
}

/// An access token with, for v1, its refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: Option<String>,
}

/// The authentication service.
#[derive(Clone)]
pub struct Auth {
    pub db: Db,
    pub signer: Arc<TokenSigner>,
    pub clock: Arc<dyn Clock>,
    pub cache: Arc<AuthCache>,
    /// Roles that must log in with a second factor (`[security] require_2fa_for`).
    pub two_factor_roles: Arc<Vec<Role>>,
}

const REUSED: &str = "refresh token reused";

fn refresh_token() -> Result<String, AuthError> {
    random_token(32)
        .map(|t| format!("rt_{t}"))
        .map_err(|e| AuthError::Internal(e.to_string()))
}

impl Auth {
    pub fn new(db: Db, signer: TokenSigner, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            signer: Arc::new(signer),
            clock,
            cache: Arc::new(AuthCache::new()),
            two_factor_roles: Arc::new(Vec::new()),
        }
    }

    /// The service with these roles bound to a second factor.
    pub fn with_two_factor_roles(mut self, roles: Vec<Role>) -> Self {
        self.two_factor_roles = Arc::new(roles);
        self
    }

    /// Whether `user` must set up a second factor before doing anything else.
    pub fn must_set_up(&self, user: &StaffUser) -> bool {
        !user.two_factor && self.two_factor_roles.contains(&user.role)
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Starts a new family for `owner` and returns its first token pair.
    pub(crate) fn new_v1_pair(
        &self,
        tx: &crate::store::Tx<'_>,
        owner: FamilyOwner,
        version: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<TokenPair, AuthError> {
        let family = auth_tokens::create_family(tx, owner, &format_timestamp(now))?;
        self.pair_in_family(tx, owner, family, version, now)
    }

    fn pair_in_family(
        &self,
        tx: &crate::store::Tx<'_>,
        owner: FamilyOwner,
        family: i64,
        version: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<TokenPair, AuthError> {
        let refresh = refresh_token()?;
        let expires = now + Duration::seconds(REFRESH_TTL_SECS);
        auth_tokens::insert_refresh(
            tx,
            family,
            &sha256_hex(&refresh),
            &format_timestamp(now),
            &format_timestamp(expires),
        )?;
        let subject = match owner {
            FamilyOwner::StaffUser(id) => Subject::User(id),
            FamilyOwner::ApiClient(id) => Subject::Client(id),
        };
        let access = self
            .signer
            .issue(ApiVersion::V1, subject, Some(family), version, now)
            .map_err(AuthError::Internal)?;
        Ok(TokenPair {
            access_token: access.token,
            expires_in: access.expires_in,
            refresh_token: Some(refresh),
        })
    }

    /// Checks the email and password of an active staff user (the same time and
    /// the same error whether the email is unknown or the password wrong).
    /// (The server checks on its hashing threads instead: see
    /// `api::login_guard`; this is the same check in one blocking call.)
    pub fn verify_staff(&self, email: &str, secret: &str) -> Result<StaffUser, AuthError> {
        let Some((user, hash)) = self.login_candidate(email)? else {
            let _ = password::verify(secret, password::DUMMY_HASH);
            return Err(AuthError::InvalidCredentials);
        };
        if !password::verify(secret, &hash) || !user.active {
            return Err(AuthError::InvalidCredentials);
        }
        Ok(user)
    }

    /// The staff user of a login email and their stored password hash (one
    /// read; `None` for an unknown email, which is to be checked against
    /// [`password::DUMMY_HASH`] so it takes the same time).
    pub fn login_candidate(&self, email: &str) -> Result<Option<(StaffUser, String)>, AuthError> {
        let email = normalise_email(email).unwrap_or_default();
        Ok(self.db.read(|c| staff_users::find_for_login(c, &email))?)
    }

    /// `POST /api/auth/login`: a token pair for an active staff user.
    pub fn login(&self, email: &str, secret: &str) -> Result<(StaffUser, TokenPair), AuthError> {
        let user = self.verify_staff(email, secret)?;
        let pair = self.login_user(&user)?;
        Ok((user, pair))
    }

    /// A new token family and pair for a verified user.
    pub fn login_user(&self, user: &StaffUser) -> Result<TokenPair, AuthError> {
        let now = self.now();
        let (this, user_id) = (self.clone(), user.id);
        let pair = self.db.write(move |tx| {
            this.new_v1_pair(tx, FamilyOwner::StaffUser(user_id), None, now)
                .map_err(into_store)
        })?;
        Ok(pair)
    }

    /// `POST /api/auth/refresh`: single use; a retired token presented again
    /// revokes its whole family.
    pub fn refresh(&self, presented: &str) -> Result<TokenPair, AuthError> {
        let hash = sha256_hex(presented.trim());
        let now = self.now();
        let this = self.clone();
        let outcome = self.db.write(move |tx| {
            let Some(row) = auth_tokens::find_refresh(tx, &hash)? else {
                return Ok(Err(AuthError::InvalidToken("unknown refresh token".into())));
            };
            if row.family_revoked {
                return Ok(Err(AuthError::InvalidToken("family revoked".into())));
            }
            let stamp = format_timestamp(now);
            if row.used_at.is_some() || !auth_tokens::mark_used(tx, row.id, &stamp)? {
                // Reuse: someone holds a copy. Revoke the family, keep the revocation.
                auth_tokens::revoke_family(tx, row.family_id, &stamp, "refresh token reused")?;
                tracing::warn!(
                    family = row.family_id,
                    "refresh token reused: family revoked"
                );
                return Ok(Err(AuthError::InvalidToken(REUSED.into())));
            }
            if row.expires_at.as_str() <= stamp.as_str() {
                return Ok(Err(AuthError::InvalidToken("refresh token expired".into())));
            }
            let version = match row.owner {
                FamilyOwner::StaffUser(id) => {
                    let state = auth_tokens::user_token_state(tx, id, Some(row.family_id))?;
                    let Some(state) = state.filter(|s| s.active) else {
                        return Ok(Err(AuthError::InvalidToken("user inactive".into())));
                    };
                    let must = state
                        .role
                        .parse::<Role>()
                        .is_ok_and(|r| this.two_factor_roles.contains(&r));
                    if must && !state.two_factor {
                        return Ok(Err(AuthError::TwoFactorSetupRequired));
                    }
                    None
                }
                FamilyOwner::ApiClient(id) => match api_clients::get(tx, id)? {
                    Some(c) if c.api == "v1" => Some(c.credentials_version),
                    _ => return Ok(Err(AuthError::InvalidToken("client gone".into()))),
                },
            };
            // A failure here rolls the whole refresh back.
            this.pair_in_family(tx, row.owner, row.family_id, version, now)
                .map(Ok)
                .map_err(into_store)
        })?;
        if matches!(&outcome, Err(AuthError::InvalidToken(why)) if why == REUSED) {
            // The family's access tokens must stop too; the revocation is committed.
            self.cache.invalidate();
        }
        outcome
    }

    /// `POST /api/v2/auth/token`: client id and secret of a v2 client.
    pub fn client_credentials(
        &self,
        client_uuid: &str,
        secret: &str,
    ) -> Result<TokenPair, AuthError> {
        let client = self.verify_client(client_uuid, secret)?;
        self.mint_v2(&client)
    }

    /// The v2 client whose id and secret these are.
    pub fn verify_client(
        &self,
        client_uuid: &str,
        secret: &str,
    ) -> Result<api_clients::ApiClientRow, AuthError> {
        let presented = sha256_hex(secret);
        let found = self
            .db
            .read(|c| api_clients::find_by_uuid(c, client_uuid.trim()))?;
        let Some((client, stored)) = found else {
            return Err(AuthError::InvalidCredentials);
        };
        if client.api != "v2" || !constant_time_eq(presented.as_bytes(), stored.as_bytes()) {
            return Err(AuthError::InvalidCredentials);
        }
        Ok(client)
    }

    /// A new v2 access token for a verified client.
    pub fn mint_v2(&self, client: &api_clients::ApiClientRow) -> Result<TokenPair, AuthError> {
        let now = self.now();
        let token = self
            .signer
            .issue(
                ApiVersion::V2,
                Subject::Client(client.id),
                None,
                Some(client.credentials_version),
                now,
            )
            .map_err(AuthError::Internal)?;
        let client_id = client.id;
        self.db
            .write(move |tx| api_clients::touch(tx, client_id, &format_timestamp(now)))?;
        Ok(TokenPair {
            access_token: token.token,
            expires_in: token.expires_in,
            refresh_token: None,
        })
    }

    /// Checks a bearer token from memory only: `Ok(Some)` when the same token was
    /// found good before (and has not expired since), `Err` when it is known
    /// refused, `Ok(None)` when only [`Auth::authenticate`] can tell.
    pub fn authenticate_cached(
        &self,
        bearer: &str,
        api: ApiVersion,
    ) -> Result<Option<Arc<Principal>>, AuthError> {
        match self.cache.get(bearer) {
            Some(Some(p)) if p.api == api && p.expires_at > self.now().unix_timestamp() => {
                Ok(Some(p))
            }
            Some(Some(p)) if p.api != api => {
                Err(AuthError::InvalidToken("token for the other API".into()))
            }
            Some(Some(_)) => Err(AuthError::InvalidToken("token expired".into())),
            Some(None) => Err(AuthError::InvalidToken("refused (cached)".into())),
            None => Ok(None),
        }
    }

    /// Checks a bearer token presented to an `api` route: the signature and
    /// expiry, then (one indexed read, remembered per token) whether its user or
    /// client, family and id still stand.
    pub fn authenticate(&self, bearer: &str, api: ApiVersion) -> Result<Arc<Principal>, AuthError> {
        if let Some(known) = self.authenticate_cached(bearer, api)? {
            return Ok(known);
        }
        let epoch = self.cache.epoch();
        let claims = self.signer.verify(bearer, api, self.now())?;
        let found = self.lookup(claims, api)?.map(Arc::new);
        self.cache.put(bearer, epoch, found.as_ref().ok().cloned());
        found
    }

    /// What the database says about a token with valid signature and expiry.
    fn lookup(
        &self,
        claims: Claims,
        api: ApiVersion,
    ) -> Result<Result<Principal, AuthError>, AuthError> {
        let refused = |why: &str| Ok(Err(AuthError::InvalidToken(why.into())));
        match claims.subject {
            Subject::User(id) => {
                if api != ApiVersion::V1 {
                    return refused("staff tokens are v1");
                }
                let state = self
                    .db
                    .read(|c| auth_tokens::user_token_state(c, id, claims.family))?;
                let Some(state) = state else {
                    return refused("user gone");
                };
                if !state.active || state.family_revoked {
                    return refused("user inactive or token family revoked");
                }
                let role: Role = state
                    .role
                    .parse()
                    .map_err(|e: String| AuthError::Internal(e))?;
                // A token from before the role had to use a second factor
                // (or before a reset) stops until the user sets one up.
                if !state.two_factor && self.two_factor_roles.contains(&role) {
                    return Ok(Err(AuthError::TwoFactorSetupRequired));
                }
                Ok(Ok(Principal {
                    subject: claims.subject,
                    api,
                    scopes: role_scopes(role),
                    tier: Tier::Standard,
                    role: Some(role),
                    operator_id: state.operator_id,
                    jti: claims.jti,
                    expires_at: claims.expires_at,
                }))
            }
            Subject::Client(id) => {
                let state = self
                    .db
                    .read(|c| auth_tokens::client_token_state(c, id, claims.family, &claims.jti))?;
                let Some(state) = state else {
                    return refused("client gone");
                };
                if state.api != api.as_str()
                    || Some(state.credentials_version) != claims.version
                    || state.family_revoked
                    || state.jti_revoked
                {
                    return refused("client token rotated, revoked or for the other API");
                }
                Ok(Ok(Principal {
                    subject: claims.subject,
                    api,
                    scopes: ScopeSet::parse(&state.scopes).unwrap_or_default(),
                    tier: Tier::parse(&state.tier).unwrap_or(Tier::Standard),
                    role: None,
                    operator_id: None,
                    jti: claims.jti,
                    expires_at: claims.expires_at,
                }))
            }
        }
    }

    /// `POST /api/v2/auth/revoke`: the presented token stops working at once.
    pub fn revoke(&self, principal: &Principal) -> Result<(), AuthError> {
        let (jti, exp) = (principal.jti.clone(), principal.expires_at);
        self.db
            .write(move |tx| auth_tokens::revoke_jti(tx, &jti, exp))?;
        self.cache.invalidate();
        Ok(())
    }
}

/// Carries an AuthError out of a store transaction closure (rolling it back).
pub(crate) fn into_store(e: AuthError) -> StoreError {
    match e {
        AuthError::Store(s) => s,
        other => StoreError::Task(other.to_string()),
    }
}
