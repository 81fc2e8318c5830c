//! Monitoring reads: ONUs (`GET /api/v2/network/onus`, `GET
//! /api/v1/monitoring/onus`), radios by vendor (`GET /api/v1/monitoring/ubiquiti`,
//! `/cambium`), status checks (v1 and v2) and the device access log (v1). Each
//! handler calls one operation of `ops::monitoring` (radios: `ops::devices`).

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, Object, OpenApi};

use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::pagination::{PageParam, PageRequest, PerPageParam},
    error::ApiResult,
    ops::{self, Caller},
    paginated,
    state::AppState,
    store::{
        monitoring::{AccessRow, CheckRow},
        onus::{OnuFilter, OnuRow},
        snmp_devices::DeviceRow,
    },
};

/// An ONU as its OLT last reported it.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Onu {
    pub id: i64,
    pub olt_id: i64,
    pub olt: String,
    pub pon_port: String,
    pub onu_index: i64,
    #[oai(nullable)]
    pub serial: Option<String>,
    #[oai(nullable)]
    pub mac: Option<String>,
    #[oai(nullable)]
    pub name: Option<String>,
    /// `online`, `offline` or `unknown`.
    pub status: String,
    /// Received optical power at the ONU, dBm (null: no reading).
    #[oai(nullable)]
    pub rx_power_dbm: Option<f64>,
    #[oai(nullable)]
    pub distance_m: Option<i64>,
    /// The customer whose `onu_mac` matches the ONU's MAC or serial.
    #[oai(nullable)]
    pub customer_id: Option<i64>,
    #[oai(nullable)]
    pub customer: Option<String>,
    #[oai(nullable)]
    pub last_online_at: Option<String>,
    pub updated_at: String,
}

impl From<OnuRow> for Onu {
    fn from(o: OnuRow) -> Self {
        Self {
            id: o.id,
            olt_id: o.olt_id,
            olt: o.olt_name,
            pon_port: o.pon_port,
            onu_index: o.onu_index,
            serial: o.serial,
            mac: o.mac,
            name: o.name,
            status: o.status,
            rx_power_dbm: o.rx_power_dbm,
            distance_m: o.distance_m,
            customer_id: o.customer_id,
            customer: o.customer_name,
            last_online_at: o.last_online_at,
            updated_at: o.updated_at,
        }
    }
}

paginated!(OnuList, Onu);

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum OnuStatus {
    Online,
    Offline,
    Unknown,
}

impl OnuStatus {
    fn as_str(self) -> &'static str {
        match self {
            OnuStatus::Online => "online",
            OnuStatus::Offline => "offline",
            OnuStatus::Unknown => "unknown",
        }
    }
}

/// A radio's state.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Radio {
    pub id: i64,
    pub name: String,
    pub host: String,
    #[oai(nullable)]
    pub model: Option<String>,
    pub status: String,
    #[oai(nullable)]
    pub last_seen_at: Option<String>,
    #[oai(nullable)]
    pub uptime_secs: Option<i64>,
    /// dBm.
    #[oai(nullable)]
    pub signal: Option<f64>,
    #[oai(nullable)]
    pub noise: Option<f64>,
    /// CCQ or link quality, %.
    #[oai(nullable)]
    pub ccq: Option<f64>,
    #[oai(nullable)]
    pub quality: Option<f64>,
    /// MHz.
    #[oai(nullable)]
    pub frequency: Option<f64>,
    /// Connected stations / subscriber modules.
    #[oai(nullable)]
    pub stations: Option<f64>,
    #[oai(nullable)]
    pub tx_power: Option<f64>,
    #[oai(nullable)]
    pub distance: Option<f64>,
}

impl From<DeviceRow> for Radio {
    fn from(d: DeviceRow) -> Self {
        let m = |k: &str| d.metrics.get(k).and_then(serde_json::Value::as_f64);
        Self {
            signal: m("signal"),
            noise: m("noise"),
            ccq: m("ccq"),
            quality: m("quality"),
            frequency: m("frequency"),
            stations: m("stations"),
            tx_power: m("tx_power"),
            distance: m("distance"),
            uptime_secs: d.uptime_secs.or_else(|| m("uptime").map(|u| u as i64)),
            id: d.id,
            name: d.name,
            host: d.host,
            model: d.model,
            status: d.status,
            last_seen_at: d.last_seen_at,
        }
    }
}

paginated!(RadioList, Radio);

/// An infrastructure check.
#[derive(Debug, Clone, Object)]
pub struct StatusCheck {
    pub name: String,
    /// `tcp`, `http` or `icmp` (done as TCP to port 80).
    pub kind: String,
    pub target: String,
    /// `up`, `down` or `unknown` (not run yet).
    pub status: String,
    /// Since when it has had this status.
    #[oai(nullable)]
    pub since: Option<String>,
    #[oai(nullable)]
    pub latency_ms: Option<i64>,
    #[oai(nullable)]
    pub last_error: Option<String>,
    #[oai(nullable)]
    pub checked_at: Option<String>,
}

impl From<CheckRow> for StatusCheck {
    fn from(c: CheckRow) -> Self {
        Self {
            name: c.name,
            kind: c.kind,
            target: c.target,
            status: c.status,
            since: c.since,
            latency_ms: c.latency_ms,
            last_error: c.last_error,
            checked_at: c.checked_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct StatusChecks {
    pub data: Vec<StatusCheck>,
}

/// Something done to a device through the appliance, or a failed login it saw.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct AccessLog {
    pub id: i64,
    pub at: String,
    /// The API client or staff user, or `appliance` for its own work.
    pub actor: String,
    pub device_kind: String,
    #[oai(nullable)]
    pub device_id: Option<i64>,
    #[oai(nullable)]
    pub device_name: Option<String>,
    pub action: String,
    /// `ok` or `failed`.
    pub outcome: String,
    #[oai(nullable)]
    pub detail: Option<String>,
}

impl From<AccessRow> for AccessLog {
    fn from(a: AccessRow) -> Self {
        Self {
            id: a.id,
            at: a.at,
            actor: a.actor,
            device_kind: a.device_kind,
            device_id: a.device_id,
            device_name: a.device_name,
            action: a.action,
            outcome: a.outcome,
            detail: a.detail,
        }
    }
}

paginated!(AccessLogList, AccessLog);

/// The v1 and v2 ONU lists differ only in their auth.
#[allow(clippy::too_many_arguments)]
async fn onus(
    state: &AppState,
    caller: &Caller,
    page: PageRequest,
    olt_id: Option<i64>,
    status: Option<OnuStatus>,
    rx_below: Option<f64>,
    customer_id: Option<i64>,
) -> ApiResult<Json<OnuList>> {
    let filter = OnuFilter {
        olt_id,
        status: status.map(|s| s.as_str().to_string()),
        rx_below,
        customer_id,
    };
    let (rows, total) =
        ops::monitoring::onus(&state.ctx(), caller, filter, page.limit(), page.offset()).await?;
    Ok(Json(OnuList::of(
        rows,
        u64::try_from(total).unwrap_or(0),
        &page,
    )))
}

async fn radios(
    state: &AppState,
    caller: &Caller,
    vendor: &'static str,
    page: PageRequest,
) -> ApiResult<Json<RadioList>> {
    let (rows, total) =
        ops::devices::radios(&state.ctx(), caller, vendor, page.limit(), page.offset()).await?;
    Ok(Json(RadioList::of(
        rows,
        u64::try_from(total).unwrap_or(0),
        &page,
    )))
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
        let page = PageRequest::new(page.0, per_page.0);
        let caller = auth.caller();
        onus(
            &state,
            &caller,
            page,
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
        let page = PageRequest::new(page.0, per_page.0);
        let caller = auth.caller();
        onus(
            &state,
            &caller,
            page,
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
        radios(
            &state,
            &auth.caller(),
            "Ubiquiti",
            PageRequest::new(page.0, per_page.0),
        )
        .await
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
        radios(
            &state,
            &auth.caller(),
            "Cambium",
            PageRequest::new(page.0, per_page.0),
        )
        .await
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
        Ok(Json(AccessLogList::of(
            rows,
            u64::try_from(total).unwrap_or(0),
            &page,
        )))
    }
}
