//! MikroTik routers: `GET /api/v1/routers`, `GET /api/v2/network/routers`, and
//! (additions) v2 create/get/update/delete and `POST .../{id}/sync`; IP pools
//! `GET /api/v2/network/pools`; router logs `GET /api/v1/logs/router`,
//! `/logs/hotspot`, `/logs/ppp-auth`; usage `GET /api/v2/customers/{id}/usage`.
//! Each handler calls one operation of `ops::routers`. The routes and their
//! status codes; the bodies and the answer shapes are in `contract::routers`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    OpenApi,
};

use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        answer::Deleted,
        body::JsonBody,
        pagination::{PageParam, PageRequest, PerPageParam},
        routers::{
            NewRouter, PoolList, RouterChanges, RouterList, RouterLogList, RouterOne,
            SyncResultOne, Usage, UsageOne,
        },
    },
    created,
    error::{ApiError, ApiResult},
    network::hub::HubError,
    ops::{self, Caller},
    state::AppState,
};

created!(RouterCreated, Json<RouterOne>);

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        ops::Error::from(e).into()
    }
}

async fn list(state: &AppState, caller: &Caller, page: PageRequest) -> ApiResult<Json<RouterList>> {
    let (rows, total) =
        ops::routers::list(&state.ctx(), caller, page.limit(), page.offset()).await?;
    Ok(Json(RouterList::of(rows, total, &page)))
}

/// The three router-log lists (all v1) differ only in their category.
async fn logs(
    state: &AppState,
    auth: &V1Auth,
    category: &'static str,
    page: PageParam,
    per_page: PerPageParam,
    router_id: Option<i64>,
) -> ApiResult<Json<RouterLogList>> {
    let page = PageRequest::new(page, per_page);
    let (rows, total) = ops::routers::logs(
        &state.ctx(),
        &auth.caller(),
        category,
        router_id,
        page.limit(),
        page.offset(),
    )
    .await?;
    Ok(Json(RouterLogList::of(rows, total, &page)))
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
        Ok(RouterCreated::Created(Json(RouterOne::of(row))))
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
        Ok(Json(RouterOne::of(row)))
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
        Ok(Json(RouterOne::of(row)))
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
    ) -> ApiResult<Deleted> {
        ops::routers::delete(&state.ctx(), &auth.caller(), &state.routers, id.0).await?;
        Ok(Deleted::NoContent)
    }

    /// Reconcile a router's logins now (v2, addition)
    ///
    /// Secrets mode: every PPPoE/hotspot customer on the router becomes a
    /// `/ppp/secret` (`/ip/hotspot/user`) with the comment `ispbills:<id>`;
    /// entries with that comment are corrected or removed, hand-made ones only
    /// reported. RADIUS mode: the router is set up to use the built-in RADIUS
    /// server (`radius_setup` lists what was set) and the logins made earlier
    /// are listed in `secrets_to_remove`, removed when `remove_secrets=true`.
    /// Answers the diff. A router that cannot be reached: 503.
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
        /// RADIUS mode: remove the logins (and suspension address-list
        /// entries) the appliance made on the router before.
        remove_secrets: Query<Option<bool>>,
    ) -> ApiResult<Json<SyncResultOne>> {
        let diff = ops::routers::sync(
            &state.ctx(),
            &auth.caller(),
            &state.routers,
            id.0,
            remove_secrets.0.unwrap_or(false),
        )
        .await?;
        Ok(Json(SyncResultOne::of(diff)))
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
        Ok(Json(PoolList::of(rows, total, &page)))
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
        logs(&state, &auth, "router", page.0, per_page.0, router_id.0).await
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
        logs(&state, &auth, "hotspot", page.0, per_page.0, router_id.0).await
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
        logs(&state, &auth, "ppp-auth", page.0, per_page.0, router_id.0).await
    }

    /// Customer usage statistics (v2)
    ///
    /// Sampled from the router's /ppp/active and /queue/simple counters every
    /// `[routers] usage_interval_secs`: online, address, session uptime, bytes
    /// in/out; the last 288 samples, newest first. With the built-in RADIUS
    /// server, also the customer's last 50 RADIUS sessions (`radius_sessions`).
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
        let (samples, sessions) = ops::routers::usage(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Json(UsageOne {
            data: Usage::of(id.0, samples, sessions),
        }))
    }
}
