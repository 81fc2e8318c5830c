//! Integrations -> API Management: API clients and the API request log.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{AdminTags, StaffSession};
use crate::{
    api::v2::logs::{self, ApiRequestLogList, LogQuery},
    auth::{
        clients::{ApiClient, Credentials, NewClient, MAX_NAME_LEN},
        principal::Tier,
        scope::{Scope, ScopeSet},
        service::Auth,
        tokens::ApiVersion,
    },
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        filters::TimeBound,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::{ApiError, ApiResult},
    state::AppState,
};

/// An API client as the panel lists it.
#[derive(Debug, Object)]
pub struct ClientView {
    pub id: i64,
    pub name: String,
    /// `v1` or `v2`.
    #[oai(rename = "type")]
    pub api: String,
    /// v2: the public client id.
    #[oai(nullable)]
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
    /// `standard` or `high-volume`.
    pub tier: String,
    pub created_at: String,
    #[oai(nullable)]
    pub last_used_at: Option<String>,
}

impl From<ApiClient> for ClientView {
    fn from(c: ApiClient) -> Self {
        Self {
            id: c.id,
            name: c.name,
            api: c.api.as_str().into(),
            client_id: c.client_id,
            scopes: c.scopes.names().into_iter().map(String::from).collect(),
            tier: c.tier.as_str().into(),
            created_at: c.created_at,
            last_used_at: c.last_used_at,
        }
    }
}

/// Credentials, shown once: v1 a token pair, v2 a client id and secret.
#[derive(Debug, Object)]
pub struct CredentialsView {
    #[oai(nullable)]
    pub client_id: Option<String>,
    #[oai(nullable)]
    pub client_secret: Option<String>,
    #[oai(nullable)]
    pub access_token: Option<String>,
    #[oai(nullable)]
    pub refresh_token: Option<String>,
    #[oai(nullable)]
    pub expires_in: Option<i64>,
}

impl From<Credentials> for CredentialsView {
    fn from(c: Credentials) -> Self {
        match c {
            Credentials::V2 {
                client_id,
                client_secret,
            } => Self {
                client_id: Some(client_id),
                client_secret: Some(client_secret),
                access_token: None,
                refresh_token: None,
                expires_in: None,
            },
            Credentials::V1(pair) => Self {
                client_id: None,
                client_secret: None,
                access_token: Some(pair.access_token),
                refresh_token: pair.refresh_token,
                expires_in: Some(pair.expires_in),
            },
        }
    }
}

#[derive(Debug, Object)]
pub struct ClientList {
    pub data: Vec<ClientView>,
}

#[derive(Debug, Object)]
pub struct ClientWithCredentials {
    pub data: ClientView,
    /// Shown this once only.
    pub credentials: CredentialsView,
}

#[derive(Debug, Object)]
pub struct ClientOne {
    pub data: ClientView,
}

/// Reads `scopes` (a list of names) and `tier` into `f`'s messages.
fn read_scopes(f: &mut Fields, name: &str) -> Option<ScopeSet> {
    let list = f.optional_string_list(name)?;
    let mut set = ScopeSet::default();
    for s in &list {
        match Scope::parse(s) {
            Some(scope) => set.insert(scope),
            None => f.error(name, format!("The scope {s} does not exist.")),
        }
    }
    Some(set)
}

fn read_tier(f: &mut Fields) -> Option<Tier> {
    let tier = f.optional_string("tier")?;
    let parsed = Tier::parse(&tier);
    if parsed.is_none() {
        f.error("tier", "The tier must be standard or high-volume.");
    }
    parsed
}

fn check_name(f: &mut Fields, name: &str) {
    if name.chars().count() > MAX_NAME_LEN {
        f.error(
            "name",
            format!("The name may not be longer than {MAX_NAME_LEN} characters."),
        );
    }
}

/// A new client.
#[derive(Debug, Object)]
pub struct CreateClient {
    pub name: String,
    /// `v1` or `v2`.
    #[oai(rename = "type")]
    pub api: String,
    /// Scope names; all when absent.
    #[oai(nullable)]
    pub scopes: Option<Vec<String>>,
    /// `standard` (default) or `high-volume`.
    #[oai(nullable)]
    pub tier: Option<String>,
}

impl FromJsonObject for CreateClient {
    fn from_fields(f: &mut Fields) -> Self {
        let name = f.required_string("name");
        check_name(f, &name);
        let api = f.required_string("type");
        if ApiVersion::parse(&api).is_none() && !f.has_error("type") {
            f.error("type", "The type must be v1 or v2.");
        }
        let scopes = read_scopes(f, "scopes").map(names);
        let tier = read_tier(f).map(|t| t.as_str().to_string());
        Self {
            name,
            api,
            scopes,
            tier,
        }
    }
}

fn names(set: ScopeSet) -> Vec<String> {
    set.names().into_iter().map(String::from).collect()
}

/// Scope names already checked by [`read_scopes`].
fn scope_set(list: &[String]) -> ScopeSet {
    list.iter().filter_map(|s| Scope::parse(s)).collect()
}

/// Changes to a client; each field optional.
#[derive(Debug, Object)]
pub struct UpdateClient {
    #[oai(nullable)]
    pub name: Option<String>,
    #[oai(nullable)]
    pub scopes: Option<Vec<String>>,
    #[oai(nullable)]
    pub tier: Option<String>,
}

impl FromJsonObject for UpdateClient {
    fn from_fields(f: &mut Fields) -> Self {
        let name = f.optional_string("name");
        if let Some(n) = &name {
            check_name(f, n);
        }
        let scopes = read_scopes(f, "scopes").map(names);
        let tier = read_tier(f).map(|t| t.as_str().to_string());
        Self { name, scopes, tier }
    }
}

#[derive(ApiResponse)]
pub enum Created {
    #[oai(status = 201)]
    Created(Json<ClientWithCredentials>),
}

#[derive(ApiResponse)]
pub enum Deleted {
    #[oai(status = 204)]
    NoContent,
}

async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Auth) -> Result<T, crate::auth::service::AuthError> + Send + 'static,
) -> ApiResult<T> {
    let auth = state.auth.clone();
    Ok(tokio::task::spawn_blocking(move || f(&auth))
        .await
        .map_err(ApiError::internal)??)
}

pub struct ClientsApi;

#[OpenApi(tag = "AdminTags::ApiManagement")]
impl ClientsApi {
    /// All API clients, newest first.
    #[oai(
        path = "/admin/api/clients",
        method = "get",
        operation_id = "admin_clients"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
    ) -> ApiResult<Json<ClientList>> {
        session.require_admin()?;
        let clients = blocking(&state, |a| a.list_clients()).await?;
        Ok(Json(ClientList {
            data: clients.into_iter().map(Into::into).collect(),
        }))
    }

    /// Create an API client; its credentials are in this answer only.
    #[oai(
        path = "/admin/api/clients",
        method = "post",
        operation_id = "admin_client_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        body: JsonBody<CreateClient>,
    ) -> ApiResult<Created> {
        session.require_admin()?;
        let body = body.0;
        let new = NewClient {
            name: body.name,
            api: ApiVersion::parse(&body.api).unwrap_or(ApiVersion::V2),
            scopes: body.scopes.as_deref().map_or_else(ScopeSet::all, scope_set),
            tier: body
                .tier
                .as_deref()
                .and_then(Tier::parse)
                .unwrap_or(Tier::Standard),
        };
        let (client, creds) = blocking(&state, move |a| a.create_client(&new)).await?;
        Ok(Created::Created(Json(ClientWithCredentials {
            data: client.into(),
            credentials: creds.into(),
        })))
    }

    /// Change a client's name, scopes or tier.
    #[oai(
        path = "/admin/api/clients/:id",
        method = "put",
        operation_id = "admin_client_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
        body: JsonBody<UpdateClient>,
    ) -> ApiResult<Json<ClientOne>> {
        session.require_admin()?;
        let UpdateClient { name, scopes, tier } = body.0;
        let scopes = scopes.as_deref().map(scope_set);
        let tier = tier.and_then(|t| Tier::parse(&t));
        let client = blocking(&state, move |a| {
            a.update_client(id.0, name.as_deref(), scopes, tier)
        })
        .await?;
        Ok(Json(ClientOne {
            data: client.into(),
        }))
    }

    /// New credentials (v1: a token pair; v2: a secret); the old ones stop at once.
    #[oai(
        path = "/admin/api/clients/:id/rotate",
        method = "post",
        operation_id = "admin_client_rotate"
    )]
    async fn rotate(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
    ) -> ApiResult<Json<ClientWithCredentials>> {
        session.require_admin()?;
        let (client, creds) = blocking(&state, move |a| a.rotate_client(id.0)).await?;
        Ok(Json(ClientWithCredentials {
            data: client.into(),
            credentials: creds.into(),
        }))
    }

    /// Delete (revoke) a client; all its tokens stop working at once.
    #[oai(
        path = "/admin/api/clients/:id",
        method = "delete",
        operation_id = "admin_client_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        session.require_admin()?;
        blocking(&state, move |a| a.delete_client(id.0)).await?;
        Ok(Deleted::NoContent)
    }

    /// The API request log, newest first, filtered by client, status, path and time.
    #[oai(
        path = "/admin/api/request-log",
        method = "get",
        operation_id = "admin_request_log"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn request_log(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        client_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "100"), maximum(value = "599")))] status: Query<
            Option<u16>,
        >,
        path: Query<Option<String>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<Json<ApiRequestLogList>> {
        session.require_admin()?;
        let q = LogQuery {
            client_id: client_id.0,
            status: status.0,
            path: path.0,
            from: from.0,
            to: to.0,
        };
        Ok(Json(
            logs::list(&state, q, PageRequest::new(page.0, per_page.0)).await?,
        ))
    }
}
