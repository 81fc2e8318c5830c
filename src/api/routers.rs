//! MikroTik routers: `GET /api/v1/routers`, `GET /api/v2/network/routers`, and
//! (additions) v2 create/get/update/delete and `POST .../{id}/sync`; IP pools
//! `GET /api/v2/network/pools`; router logs `GET /api/v1/logs/router`,
//! `/logs/hotspot`, `/logs/ppp-auth`; usage `GET /api/v2/customers/{id}/usage`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::contract::text::SingleLine;
use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    clock::format_timestamp,
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::{ApiError, ApiResult, ErrorCode},
    network::hub::{HubError, PASSWORD_PURPOSE},
    paginated, schema_as,
    state::AppState,
    store::{
        router_data::{self, LogRow, PoolRow, Sample},
        routers::{self, RouterFields, RouterRow},
        StoreError,
    },
};

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        match e {
            HubError::Store(e) => e.into(),
            HubError::Router(e) => ApiError::new(
                ErrorCode::ServiceUnavailable,
                format!("The router could not be reached or refused the request: {e}"),
            ),
            other => ApiError::internal(other),
        }
    }
}

/// A router and what the poller last saw (never its password).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Router {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: i64,
    pub username: String,
    /// `api` (8728/8729) or `rest` (RouterOS v7).
    pub transport: String,
    pub use_tls: bool,
    pub tls_verify: bool,
    /// `up`, `down` or `unknown` (not polled yet).
    pub status: String,
    #[oai(nullable)]
    pub status_since: Option<String>,
    #[oai(nullable)]
    pub last_seen_at: Option<String>,
    /// Why the last poll failed.
    #[oai(nullable)]
    pub last_error: Option<String>,
    #[oai(nullable)]
    pub identity: Option<String>,
    #[oai(nullable)]
    pub version: Option<String>,
    #[oai(nullable)]
    pub board: Option<String>,
    #[oai(nullable)]
    pub uptime: Option<String>,
    /// CPU load in percent.
    #[oai(nullable)]
    pub cpu_load: Option<i64>,
    /// Customers whose login lives on this router.
    pub customers: i64,
    #[oai(nullable)]
    pub last_sync_at: Option<String>,
    #[oai(nullable)]
    pub last_sync_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<RouterRow> for Router {
    fn from(r: RouterRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            host: r.host,
            port: r.port,
            username: r.username,
            transport: r.transport,
            use_tls: r.use_tls,
            tls_verify: r.tls_verify,
            status: r.status,
            status_since: r.status_since,
            last_seen_at: r.last_seen_at,
            last_error: r.last_error,
            identity: r.identity,
            version: r.version,
            board: r.board,
            uptime: r.uptime,
            cpu_load: r.cpu_load,
            customers: r.customers,
            last_sync_at: r.last_sync_at,
            last_sync_error: r.last_sync_error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

paginated!(RouterList, Router);

#[derive(Debug, Object)]
pub struct RouterOne {
    pub data: Router,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum Transport {
    Api,
    Rest,
}

/// A router's fields. On create `name`, `host`, `username` and `password` are
/// required; `port` defaults by transport and TLS (8728, 8729, 80, 443).
#[derive(Debug, Object)]
pub struct RouterInput {
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<SingleLine>,
    /// Address or host name on the LAN.
    #[oai(nullable, validator(min_length = 1, max_length = 253))]
    pub host: Option<SingleLine>,
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "65535")))]
    pub port: Option<i64>,
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub username: Option<SingleLine>,
    /// Stored sealed; never shown.
    #[oai(nullable, validator(max_length = 200))]
    pub password: Option<SingleLine>,
    #[oai(nullable)]
    pub transport: Option<Transport>,
    /// API over TLS (8729) / REST over HTTPS. The router needs a certificate.
    #[oai(nullable)]
    pub use_tls: Option<bool>,
    /// Check the router's certificate against public roots and its name.
    #[oai(nullable)]
    pub tls_verify: Option<bool>,
}

#[derive(Debug, Default)]
pub struct RouterPatch {
    name: Option<String>,
    host: Option<String>,
    port: Option<i64>,
    username: Option<String>,
    password: Option<String>,
    transport: Option<String>,
    use_tls: Option<bool>,
    tls_verify: Option<bool>,
}

fn valid_host(h: &str) -> bool {
    crate::net_policy::parse_host(h).is_some()
}

/// A host being saved must pass the address policy (`[network]
/// allow_loopback`): 422 naming `host` otherwise.
pub(crate) async fn check_host(state: &AppState, host: &str, port: i64) -> ApiResult<()> {
    state
        .config
        .network
        .policy()
        .check_host(host, u16::try_from(port).unwrap_or(0))
        .await
        .map_err(|why| ApiError::invalid_field("host", why))
}

fn read_patch(f: &mut Fields, creating: bool) -> RouterPatch {
    let mut p = RouterPatch::default();
    if creating || f.present("name") {
        let name = f.required_string("name");
        if name.chars().count() > 100 {
            f.error("name", "The name may not be longer than 100 characters.");
        }
        p.name = Some(name);
    }
    if creating || f.present("host") {
        let host = f.required_string("host");
        if !f.has_error("host") && !valid_host(&host) {
            f.error("host", "The host must be an IP address or a host name.");
        }
        p.host = Some(host);
    }
    if f.present("port") {
        p.port = Some(f.required_integer_in("port", 1, 65535));
    }
    if creating || f.present("username") {
        let username = f.required_string("username");
        if username.chars().count() > 100 {
            f.error(
                "username",
                "The username may not be longer than 100 characters.",
            );
        }
        p.username = Some(username);
    }
    if creating && !f.present("password") {
        f.error("password", "The password field is required.");
    }
    if let Some(pw) = f.optional_string("password") {
        if pw.chars().count() > 200 {
            f.error(
                "password",
                "The password may not be longer than 200 characters.",
            );
        }
        p.password = Some(pw);
    }
    p.transport = f.optional_choice("transport", &["api", "rest"]);
    p.use_tls = f.optional_bool("use_tls");
    p.tls_verify = f.optional_bool("tls_verify");
    p
}

pub struct NewRouter(RouterPatch);
pub struct RouterChanges(RouterPatch);
schema_as!(NewRouter, RouterInput);
schema_as!(RouterChanges, RouterInput);

impl FromJsonObject for NewRouter {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, true))
    }
}

impl FromJsonObject for RouterChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, false))
    }
}

fn default_port(transport: &str, tls: bool) -> i64 {
    match (transport, tls) {
        ("rest", true) => 443,
        ("rest", false) => 80,
        (_, true) => 8729,
        (_, false) => 8728,
    }
}

impl RouterPatch {
    fn apply(self, base: Option<RouterRow>) -> RouterFields {
        let transport = self
            .transport
            .or_else(|| base.as_ref().map(|b| b.transport.clone()))
            .unwrap_or_else(|| "api".into());
        let use_tls = self
            .use_tls
            .or(base.as_ref().map(|b| b.use_tls))
            .unwrap_or(false);
        // A port left alone follows a change of transport or TLS.
        let port = self.port.unwrap_or_else(|| match &base {
            Some(b) if b.port != default_port(&b.transport, b.use_tls) => b.port,
            _ => default_port(&transport, use_tls),
        });
        RouterFields {
            name: self
                .name
                .or_else(|| base.as_ref().map(|b| b.name.clone()))
                .unwrap_or_default(),
            host: self
                .host
                .or_else(|| base.as_ref().map(|b| b.host.clone()))
                .unwrap_or_default(),
            port,
            username: self
                .username
                .or_else(|| base.as_ref().map(|b| b.username.clone()))
                .unwrap_or_default(),
            tls_verify: self
                .tls_verify
                .or(base.as_ref().map(|b| b.tls_verify))
                .unwrap_or(false),
            transport,
            use_tls,
        }
    }
}

/// What a reconciliation did.
#[derive(Debug, Clone, Object)]
pub struct SyncResult {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// Entries made by hand on the router (never touched).
    pub unmanaged: Vec<String>,
    /// Sessions ended because of a suspension.
    pub disconnected: Vec<String>,
    pub address_list_added: Vec<String>,
    pub address_list_removed: Vec<String>,
    pub errors: Vec<String>,
}

#[derive(Debug, Object)]
pub struct SyncResultOne {
    pub data: SyncResult,
}

/// An IP pool.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct IpPool {
    pub id: i64,
    pub router_id: i64,
    pub router: String,
    pub name: String,
    /// As the router writes them (`10.0.0.2-10.0.0.254`).
    pub ranges: String,
    /// Addresses in the ranges.
    pub size: i64,
    /// Addresses held by active sessions or static assignments.
    pub used: i64,
    pub updated_at: String,
}

impl From<PoolRow> for IpPool {
    fn from(p: PoolRow) -> Self {
        Self {
            id: p.id,
            router_id: p.router_id,
            router: p.router_name,
            name: p.name,
            ranges: p.ranges,
            size: p.size,
            used: p.used,
            updated_at: p.updated_at,
        }
    }
}

paginated!(PoolList, IpPool);

/// A router log entry.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct RouterLog {
    pub id: i64,
    #[oai(nullable)]
    pub router_id: Option<i64>,
    #[oai(nullable)]
    pub router: Option<String>,
    /// `api` (pulled from /log) or `syslog` (received).
    pub source: String,
    /// The sender's address (syslog).
    #[oai(nullable)]
    pub host: Option<String>,
    pub topics: String,
    pub message: String,
    pub logged_at: String,
}

impl From<LogRow> for RouterLog {
    fn from(l: LogRow) -> Self {
        Self {
            id: l.id,
            router_id: l.router_id,
            router: l.router_name,
            source: l.source,
            host: l.host,
            topics: l.topics,
            message: l.message,
            logged_at: l.logged_at,
        }
    }
}

paginated!(RouterLogList, RouterLog);

/// One usage sample.
#[derive(Debug, Clone, Object)]
pub struct UsageSample {
    pub sampled_at: String,
    pub online: bool,
    #[oai(nullable)]
    pub address: Option<String>,
    /// Session uptime as the router writes it (`1d2h3m`).
    #[oai(nullable)]
    pub session_uptime: Option<String>,
    /// Bytes the customer downloaded in the session (router counters).
    #[oai(nullable)]
    pub bytes_in: Option<i64>,
    /// Bytes the customer uploaded.
    #[oai(nullable)]
    pub bytes_out: Option<i64>,
}

impl From<Sample> for UsageSample {
    fn from(s: Sample) -> Self {
        Self {
            sampled_at: s.sampled_at,
            online: s.online,
            address: s.address,
            session_uptime: s.uptime,
            bytes_in: s.bytes_in,
            bytes_out: s.bytes_out,
        }
    }
}

/// A customer's usage: the latest sample and the history (newest first).
#[derive(Debug, Clone, Object)]
pub struct Usage {
    pub customer_id: i64,
    /// The latest sample, if the customer has been sampled.
    #[oai(nullable)]
    pub current: Option<UsageSample>,
    pub samples: Vec<UsageSample>,
}

#[derive(Debug, Object)]
pub struct UsageOne {
    pub data: Usage,
}

#[derive(ApiResponse)]
pub enum RouterCreated {
    #[oai(status = 201)]
    Created(Json<RouterOne>),
}

#[derive(ApiResponse)]
pub enum RouterDeleted {
    #[oai(status = 204)]
    NoContent,
}

async fn list_routers(state: &AppState, page: PageRequest) -> ApiResult<RouterList> {
    let (rows, total) = state
        .db
        .read_async(move |c| routers::list(c, page.limit(), page.offset()))
        .await?;
    Ok(RouterList::new(
        rows.into_iter().map(Into::into).collect(),
        u64::try_from(total).unwrap_or(0),
        &page,
    ))
}

fn access(
    state: &AppState,
    who: &crate::auth::principal::Principal,
    router: (i64, &str),
    action: &str,
    result: Result<(), String>,
) {
    crate::monitoring::log_access(
        &state.db,
        crate::store::monitoring::Access {
            actor: who.label(),
            device_kind: "router".into(),
            device_id: Some(router.0),
            device_name: Some(router.1.to_string()),
            action: action.into(),
            ok: result.is_ok(),
            detail: result.err(),
        },
        &format_timestamp(state.clock.now()),
    );
}

fn seal(state: &AppState, password: &str) -> ApiResult<String> {
    state
        .seal_key
        .seal(PASSWORD_PURPOSE, password)
        .map_err(ApiError::internal)
}

async fn logs(
    state: &AppState,
    category: &'static str,
    router_id: Option<i64>,
    page: PageRequest,
) -> ApiResult<RouterLogList> {
    let (rows, total) = state
        .db
        .read_async(move |c| router_data::logs(c, category, router_id, page.limit(), page.offset()))
        .await?;
    Ok(RouterLogList::new(
        rows.into_iter().map(Into::into).collect(),
        u64::try_from(total).unwrap_or(0),
        &page,
    ))
}

#[derive(Default)]
pub struct RoutersApi;

#[OpenApi(tag = "ApiTags::Network")]
impl RoutersApi {
    /// List all routers (v1)
    #[oai(
        path = "/api/v1/routers",
        method = "get",
        operation_id = "v1_routers_list"
    )]
    async fn v1_list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkRead")] _auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<RouterList>> {
        Ok(Json(
            list_routers(&state, PageRequest::new(page.0, per_page.0)).await?,
        ))
    }

    /// List all routers (v2)
    ///
    /// With their last polled state: `status` up/down/unknown, `last_seen_at`,
    /// version, board, uptime, CPU load.
    #[oai(
        path = "/api/v2/network/routers",
        method = "get",
        operation_id = "v2_routers_list"
    )]
    async fn v2_list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkRead")] _auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<RouterList>> {
        Ok(Json(
            list_routers(&state, PageRequest::new(page.0, per_page.0)).await?,
        ))
    }

    /// Add a router (v2, addition)
    ///
    /// The password is stored sealed and never shown. Polling starts at once.
    #[oai(
        path = "/api/v2/network/routers",
        method = "post",
        operation_id = "v2_routers_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        body: JsonBody<NewRouter>,
    ) -> ApiResult<RouterCreated> {
        let mut patch = body.0 .0;
        let sealed = seal(&state, &patch.password.take().unwrap_or_default())?;
        let fields = patch.apply(None);
        check_host(&state, &fields.host, fields.port).await?;
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| routers::create(tx, &fields, &sealed, &now))
            .await?;
        access(
            &state,
            &auth.0,
            (row.id, &row.name),
            "added to the inventory",
            Ok(()),
        );
        Ok(RouterCreated::Created(Json(RouterOne { data: row.into() })))
    }

    /// Retrieve a router (v2, addition)
    #[oai(
        path = "/api/v2/network/routers/:id",
        method = "get",
        operation_id = "v2_routers_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkRead")] _auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<RouterOne>> {
        let row = state
            .db
            .read_async(move |c| routers::get(c, id.0))
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(RouterOne { data: row.into() }))
    }

    /// Update a router (v2, addition)
    ///
    /// Only the fields sent change; a new password replaces the old one.
    #[oai(
        path = "/api/v2/network/routers/:id",
        method = "put",
        operation_id = "v2_routers_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<RouterChanges>,
    ) -> ApiResult<Json<RouterOne>> {
        let mut patch = body.0 .0;
        if let Some(host) = &patch.host {
            check_host(&state, host, patch.port.unwrap_or(0)).await?;
        }
        let sealed = patch
            .password
            .take()
            .map(|p| seal(&state, &p))
            .transpose()?;
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| {
                let current = routers::get(tx, id.0)?.ok_or(StoreError::NotFound)?;
                let fields = patch.apply(Some(current));
                routers::update(tx, id.0, &fields, sealed.as_deref(), &now)
            })
            .await?;
        access(
            &state,
            &auth.0,
            (row.id, &row.name),
            "settings changed",
            Ok(()),
        );
        Ok(Json(RouterOne { data: row.into() }))
    }

    /// Delete a router (v2, addition)
    ///
    /// Only a router no customer is on (else 409).
    #[oai(
        path = "/api/v2/network/routers/:id",
        method = "delete",
        operation_id = "v2_routers_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<RouterDeleted> {
        let name = state
            .db
            .write_async(move |tx| {
                let name = routers::get(tx, id.0)?.map(|r| r.name).unwrap_or_default();
                routers::delete(tx, id.0)?;
                Ok(name)
            })
            .await?;
        access(
            &state,
            &auth.0,
            (id.0, &name),
            "removed from the inventory",
            Ok(()),
        );
        Ok(RouterDeleted::NoContent)
    }

    /// Reconcile a router's logins now (v2, addition)
    ///
    /// Every PPPoE/hotspot customer on the router becomes a `/ppp/secret`
    /// (`/ip/hotspot/user`) with the comment `ispbills:<id>`; entries with that
    /// comment are corrected or removed, hand-made ones only reported. Answers
    /// the diff. A router that cannot be reached: 503.
    #[oai(
        path = "/api/v2/network/routers/:id/sync",
        method = "post",
        operation_id = "v2_routers_sync"
    )]
    async fn sync(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<SyncResultOne>> {
        let name = state
            .db
            .read_async(move |c| routers::get(c, id.0))
            .await?
            .ok_or_else(ApiError::not_found)?
            .name;
        let result = state.routers.sync_now(id.0).await;
        access(
            &state,
            &auth.0,
            (id.0, &name),
            "logins reconciled",
            result.as_ref().map(|_| ()).map_err(ToString::to_string),
        );
        let d = result?;
        Ok(Json(SyncResultOne {
            data: SyncResult {
                added: d.added,
                changed: d.changed,
                removed: d.removed,
                unmanaged: d.unmanaged,
                disconnected: d.disconnected,
                address_list_added: d.address_list_added,
                address_list_removed: d.address_list_removed,
                errors: d.errors,
            },
        }))
    }

    /// List all IP pools (v2)
    ///
    /// From each router's /ip/pool, with how many addresses active sessions and
    /// static assignments hold (as of the last poll).
    #[oai(
        path = "/api/v2/network/pools",
        method = "get",
        operation_id = "v2_pools_list"
    )]
    async fn pools(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkRead")] _auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
    ) -> ApiResult<Json<PoolList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let router_id = router_id.0;
        let (rows, total) = state
            .db
            .read_async(move |c| router_data::pools(c, router_id, page.limit(), page.offset()))
            .await?;
        Ok(Json(PoolList::new(
            rows.into_iter().map(Into::into).collect(),
            u64::try_from(total).unwrap_or(0),
            &page,
        )))
    }

    /// Router logs (v1)
    ///
    /// Newest first; pulled from each router's /log and received by syslog.
    #[oai(
        path = "/api/v1/logs/router",
        method = "get",
        operation_id = "v1_logs_router"
    )]
    async fn logs_router(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::LogsRead")] _auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
    ) -> ApiResult<Json<RouterLogList>> {
        Ok(Json(
            logs(
                &state,
                "router",
                router_id.0,
                PageRequest::new(page.0, per_page.0),
            )
            .await?,
        ))
    }

    /// Hotspot logs (v1)
    #[oai(
        path = "/api/v1/logs/hotspot",
        method = "get",
        operation_id = "v1_logs_hotspot"
    )]
    async fn logs_hotspot(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::LogsRead")] _auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
    ) -> ApiResult<Json<RouterLogList>> {
        Ok(Json(
            logs(
                &state,
                "hotspot",
                router_id.0,
                PageRequest::new(page.0, per_page.0),
            )
            .await?,
        ))
    }

    /// PPP authentication logs (v1)
    #[oai(
        path = "/api/v1/logs/ppp-auth",
        method = "get",
        operation_id = "v1_logs_ppp_auth"
    )]
    async fn logs_ppp_auth(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::LogsRead")] _auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
    ) -> ApiResult<Json<RouterLogList>> {
        Ok(Json(
            logs(
                &state,
                "ppp-auth",
                router_id.0,
                PageRequest::new(page.0, per_page.0),
            )
            .await?,
        ))
    }

    /// Customer usage statistics (v2)
    ///
    /// Sampled from the router's /ppp/active and /queue/simple counters every
    /// `[routers] usage_interval_secs`: online, address, session uptime, bytes
    /// in/out; the last 288 samples, newest first.
    #[oai(
        path = "/api/v2/customers/:id/usage",
        method = "get",
        operation_id = "v2_customers_usage"
    )]
    async fn usage(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<UsageOne>> {
        let customer = crate::ops::customers::get(&state.ctx(), &(&*auth.0).into(), id.0).await?;
        let samples = state
            .db
            .read_async(move |c| router_data::usage(c, customer.id, 288))
            .await?;
        let samples: Vec<UsageSample> = samples.into_iter().map(Into::into).collect();
        Ok(Json(UsageOne {
            data: Usage {
                customer_id: id.0,
                current: samples.first().cloned(),
                samples,
            },
        }))
    }
}
