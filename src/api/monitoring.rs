//! Monitoring reads: ONUs (`GET /api/v2/network/onus`, `GET
//! /api/v1/monitoring/onus`), radios by vendor (`GET /api/v1/monitoring/ubiquiti`,
//! `/cambium`), status checks (v1 and v2) and the device access log (v1). Each
//! handler calls one operation of `ops::monitoring` (radios: `ops::devices`).
//! The routes; the answer shapes and the ONU status filter are in
//! `contract::monitoring`.

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, OpenApi};

use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        monitoring::{AccessLogList, OnuList, OnuStatus, RadioList, StatusChecks},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    ops::{self, Caller},
    state::AppState,
    store::onus::OnuFilter,
};

/// The v1 and v2 ONU lists differ only in their auth.
#[allow(clippy::too_many_arguments)]
async fn onus(
    state: &AppState,
    caller: Caller,
    page: PageParam,
    per_page: PerPageParam,
    olt_id: Option<i64>,
    status: Option<OnuStatus>,
    rx_below: Option<f64>,
    customer_id: Option<i64>,
) -> ApiResult<Json<OnuList>> {
    let page = PageRequest::new(page, per_page);
    let filter = OnuFilter {
        olt_id,
        status: status.map(|s| s.as_str().to_string()),
        rx_below,
        customer_id,
    };
    let (rows, total) =
        ops::monitoring::onus(&state.ctx(), &caller, filter, page.limit(), page.offset()).await?;
    Ok(Json(OnuList::of(rows, total, &page)))
}

/// The two v1 radio lists differ only in their vendor.
async fn radios(
    state: &AppState,
    auth: &V1Auth,
    vendor: &'static str,
    page: PageParam,
    per_page: PerPageParam,
) -> ApiResult<Json<RadioList>> {
    let page = PageRequest::new(page, per_page);
    let (rows, total) = ops::devices::radios(
        &state.ctx(),
        &auth.caller(),
        vendor,
        page.limit(),
        page.offset(),
    )
    .await?;
    Ok(Json(RadioList::of(rows, total, &page)))
}

async fn checks(state: &AppState, caller: &Caller) -> ApiResult<Json<StatusChecks>> {
    let rows = ops::monitoring::checks(&state.ctx(), caller).await?;
    Ok(Json(StatusChecks {
        data: rows.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Default)]
pub struct MonitoringApi;

#[OpenApi(tag = "ApiTags::Monitoring")]
impl MonitoringApi {
    /// List all ONUs (v2)
    ///
    /// Filters: `olt_id`, `status`, `rx_below` (dBm), `customer_id`.
    #[oai(
        path = "/api/v2/network/onus",
        method = "get",
        operation_id = "v2_onus_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn v2_onus(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] olt_id: Query<Option<i64>>,
        status: Query<Option<OnuStatus>>,
        #[oai(validator(minimum(value = "-100"), maximum(value = "20")))] rx_below: Query<
            Option<f64>,
        >,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
    ) -> ApiResult<Json<OnuList>> {
        let caller = auth.caller();
        onus(
            &state,
            caller,
            page.0,
            per_page.0,
            olt_id.0,
            status.0,
            rx_below.0,
            customer_id.0,
        )
        .await
    }

    /// ONU list (v1)
    ///
    /// Filters: `olt_id`, `status`, `rx_below` (dBm), `customer_id`.
    #[oai(
        path = "/api/v1/monitoring/onus",
        method = "get",
        operation_id = "v1_onus_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn v1_onus(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] olt_id: Query<Option<i64>>,
        status: Query<Option<OnuStatus>>,
        #[oai(validator(minimum(value = "-100"), maximum(value = "20")))] rx_below: Query<
            Option<f64>,
        >,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
    ) -> ApiResult<Json<OnuList>> {
        let caller = auth.caller();
        onus(
            &state,
            caller,
            page.0,
            per_page.0,
            olt_id.0,
            status.0,
            rx_below.0,
            customer_id.0,
        )
        .await
    }

    /// Ubiquiti device status (v1)
    #[oai(
        path = "/api/v1/monitoring/ubiquiti",
        method = "get",
        operation_id = "v1_monitoring_ubiquiti"
    )]
    async fn ubiquiti(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<RadioList>> {
        radios(&state, &auth, "Ubiquiti", page.0, per_page.0).await
    }

    /// Cambium device status (v1)
    #[oai(
        path = "/api/v1/monitoring/cambium",
        method = "get",
        operation_id = "v1_monitoring_cambium"
    )]
    async fn cambium(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<RadioList>> {
        radios(&state, &auth, "Cambium", page.0, per_page.0).await
    }

    /// Infrastructure status checks (v1)
    #[oai(
        path = "/api/v1/monitoring/status-checks",
        method = "get",
        operation_id = "v1_status_checks"
    )]
    async fn v1_checks(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V1Auth,
    ) -> ApiResult<Json<StatusChecks>> {
        checks(&state, &auth.caller()).await
    }

    /// Infrastructure status checks (v2)
    ///
    /// The checks in `[monitoring] checks`: up/down, latency, since when.
    #[oai(
        path = "/api/v2/monitoring/status-checks",
        method = "get",
        operation_id = "v2_status_checks"
    )]
    async fn v2_checks(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V2Auth,
    ) -> ApiResult<Json<StatusChecks>> {
        checks(&state, &auth.caller()).await
    }

    /// Device access logs (v1)
    ///
    /// Who did what to which device through the appliance (inventory changes,
    /// router syncs and disconnects), and failed device logins it saw. Newest
    /// first; `failed_only=true` for failures.
    #[oai(
        path = "/api/v1/monitoring/access-logs",
        method = "get",
        operation_id = "v1_access_logs"
    )]
    async fn access_logs(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        failed_only: Query<Option<bool>>,
    ) -> ApiResult<Json<AccessLogList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let failed = failed_only.0.unwrap_or(false);
        let caller = auth.caller();
        let (rows, total) =
            ops::monitoring::access_log(&state.ctx(), &caller, failed, page.limit(), page.offset())
                .await?;
        Ok(Json(AccessLogList::of(rows, total, &page)))
    }
}
