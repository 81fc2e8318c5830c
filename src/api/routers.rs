//! MikroTik routers: `GET /api/v1/routers`, `GET /api/v2/network/routers`, and
//! (additions) v2 create/get/update/delete and `POST .../{id}/sync`; IP pools
//! `GET /api/v2/network/pools`; router logs `GET /api/v1/logs/router`,
//! `/logs/hotspot`, `/logs/ppp-auth`; usage `GET /api/v2/customers/{id}/usage`.
//! Each handler calls one operation of `ops::routers`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        pagination::{PageParam, PageRequest, PerPageParam},
        routers::{NewRouter, RouterChanges},
    },
    drivers::routeros::reconcile::SyncDiff,
    error::{ApiError, ApiResult},
    network::hub::HubError,
    ops::{self, Caller},
    paginated,
    state::AppState,
    store::{
        router_data::{LogRow, PoolRow, Sample},
        routers::RouterRow,
    },
};

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        ops::Error::from(e).into()
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

impl From<SyncDiff> for SyncResult {
    fn from(d: SyncDiff) -> Self {
        Self {
            added: d.added,
            changed: d.changed,
            removed: d.removed,
            unmanaged: d.unmanaged,
            disconnected: d.disconnected,
            address_list_added: d.address_list_added,
            address_list_removed: d.address_list_removed,
            errors: d.errors,
        }
    }
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

impl Usage {
    fn of(customer_id: i64, samples: Vec<Sample>) -> Self {
        let samples: Vec<UsageSample> = samples.into_iter().map(Into::into).collect();
        Self {
            customer_id,
            current: samples.first().cloned(),
            samples,
        }
    }
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

async fn list(state: &AppState, caller: &Caller, page: PageRequest) -> ApiResult<Json<RouterList>> {
    let (rows, total) =
        ops::routers::list(&state.ctx(), caller, page.limit(), page.offset()).await?;
    Ok(Json(RouterList::of(
        rows,
        u64::try_from(total).unwrap_or(0),
        &page,
    )))
}

/// The three router-log lists differ only in their category.
async fn logs(
    state: &AppState,
    caller: &Caller,
    category: &'static str,
    router_id: Option<i64>,
    page: PageRequest,
) -> ApiResult<Json<RouterLogList>> {
    let (rows, total) = ops::routers::logs(
        &state.ctx(),
        caller,
        category,
        router_id,
        page.limit(),
        page.offset(),
    )
    .await?;
    Ok(Json(RouterLogList::of(
        rows,
        u64::try_from(total).unwrap_or(0),
        &page,
    )))
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
        #[oai(scope = "Scope::NetworkRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<RouterList>> {
        list(&state, &auth.caller(), PageRequest::new(page.0, per_page.0)).await
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
        #[oai(scope = "Scope::NetworkRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<RouterList>> {
        list(&state, &auth.caller(), PageRequest::new(page.0, per_page.0)).await
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
        let row =
            ops::routers::create(&state.ctx(), &auth.caller(), &state.routers, body.0 .0).await?;
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
        #[oai(scope = "Scope::NetworkRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<RouterOne>> {
        let row = ops::routers::get(&state.ctx(), &auth.caller(), id.0).await?;
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
        let caller = auth.caller();
        let row =
            ops::routers::update(&state.ctx(), &caller, &state.routers, id.0, body.0 .0).await?;
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
        ops::routers::delete(&state.ctx(), &auth.caller(), id.0).await?;
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
        let diff = ops::routers::sync(&state.ctx(), &auth.caller(), &state.routers, id.0).await?;
        Ok(Json(SyncResultOne { data: diff.into() }))
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
        #[oai(scope = "Scope::NetworkRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
    ) -> ApiResult<Json<PoolList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = ops::routers::pools(
            &state.ctx(),
            &auth.caller(),
            router_id.0,
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(PoolList::of(
            rows,
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
        #[oai(scope = "Scope::LogsRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
    ) -> ApiResult<Json<RouterLogList>> {
        logs(
            &state,
            &auth.caller(),
            "router",
            router_id.0,
            PageRequest::new(page.0, per_page.0),
        )
        .await
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
        #[oai(scope = "Scope::LogsRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
    ) -> ApiResult<Json<RouterLogList>> {
        logs(
            &state,
            &auth.caller(),
            "hotspot",
            router_id.0,
            PageRequest::new(page.0, per_page.0),
        )
        .await
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
        #[oai(scope = "Scope::LogsRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
    ) -> ApiResult<Json<RouterLogList>> {
        logs(
            &state,
            &auth.caller(),
            "ppp-auth",
            router_id.0,
            PageRequest::new(page.0, per_page.0),
        )
        .await
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
        let samples = ops::routers::usage(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Json(UsageOne {
            data: Usage::of(id.0, samples),
        }))
    }
}
