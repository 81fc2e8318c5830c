//! Integrations -> API Management: API clients and the API request log.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{AdminTags, StaffSession};
use crate::{
    auth::{
        clients::{ApiClient, Credentials, NewClient},
        principal::Tier,
        scope::ScopeSet,
        tokens::ApiVersion,
    },
    contract::{
        body::JsonBody,
        clients::{scope_set, CreateClient, UpdateClient},
        filters::TimeBound,
        logs::ApiRequestLogList,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    ops::{self, logs::RequestLogQuery},
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
        let clients = ops::clients::list(&state.auth, &session.caller()).await?;
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
        let (client, creds) = ops::clients::create(&state.auth, &session.caller(), new).await?;
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
        let UpdateClient { name, scopes, tier } = body.0;
        let scopes = scopes.as_deref().map(scope_set);
        let tier = tier.and_then(|t| Tier::parse(&t));
        let client =
            ops::clients::update(&state.auth, &session.caller(), id.0, name, scopes, tier).await?;
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
        let (client, creds) = ops::clients::rotate(&state.auth, &session.caller(), id.0).await?;
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
        ops::clients::delete(&state.auth, &session.caller(), id.0).await?;
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
        // The panel's log is for administrators (the API's needs `logs:read`).
        session.require_admin()?;
        let page = PageRequest::new(page.0, per_page.0);
        let q = RequestLogQuery {
            client_id: client_id.0,
            status: status.0,
            path: path.0,
            from: from.0.map(TimeBound::start),
            to: to.0.map(TimeBound::end),
        };
        let (rows, total) =
            ops::logs::api_requests(&state.ctx(), &session.caller(), q, page).await?;
        Ok(Json(ApiRequestLogList::of(rows, total, &page)))
    }
}
