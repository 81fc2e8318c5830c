//! The v1 dashboards in the API, `GET /api/v1/dashboard` and `GET
//! /api/v1/noc/dashboard`: the routes, each a call into `ops::dashboard`. The
//! answer shapes are in `contract::dashboard`.

use poem::web::Data;
use poem_openapi::{payload::Json, OpenApi};

use crate::{
    api::{security::V1Auth, ApiTags},
    auth::scope::Scope,
    clock::format_timestamp,
    contract::dashboard::{
        BillingFigures, CustomerCounts, Dashboard, DashboardOne, DeviceCounts, DownDevice,
        FailingCheck, NocDashboard, NocDashboardOne, NocZabbix, OnuCounts,
    },
    contract::money::Amount,
    error::ApiResult,
    ops,
    state::AppState,
    store::inventory,
};

/// Zabbix on the NOC dashboard: whatever the cache holds, never waiting for
/// Zabbix; when the cache has aged, a refresh runs in the background for the
/// next look.
fn noc_zabbix(state: &AppState, behind: &[inventory::Behind]) -> Option<NocZabbix> {
    let snapshot = state.zabbix.peek()?;
    let now = state.clock.now();
    let aged = snapshot.fetched_at.is_none_or(|at| {
        now - at >= time::Duration::seconds(state.config.zabbix.cache_ttl_secs as i64)
    });
    if aged {
        let state = state.clone();
        tokio::spawn(async move {
            let now = state.clock.now();
            state.zabbix.snapshot(now).await;
        });
    }
    let (data, at) = (snapshot.data.clone()?, snapshot.fetched_at?);
    let problems = crate::api::zabbix::problem_views(&data, behind, 0, false);
    let hosts: Vec<_> = data.problems.iter().flat_map(|p| p.hosts.clone()).collect();
    let affected =
        crate::monitoring::zabbix_map::affected_customers(&hosts, &data.hosts, behind).len();
    Some(NocZabbix {
        problems,
        affected_customers: i64::try_from(affected).unwrap_or(i64::MAX),
        freshness: crate::api::zabbix::freshness(&snapshot, at, now),
    })
}

#[derive(Default)]
pub struct DashboardV1;

#[OpenApi(tag = "ApiTags::Dashboard")]
impl DashboardV1 {
    /// Dashboard summary (v1)
    ///
    /// Customers by status and new this month (a reseller's staff: their own).
    #[oai(
        path = "/api/v1/dashboard",
        method = "get",
        operation_id = "v1_dashboard"
    )]
    async fn dashboard(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::DashboardRead")] auth: V1Auth,
    ) -> ApiResult<Json<DashboardOne>> {
        let d = ops::dashboard::summary(&state.ctx(), &auth.caller()).await?;
        Ok(Json(DashboardOne {
            data: Dashboard {
                customers: CustomerCounts {
                    total: d.by_status.iter().map(|(_, n)| n).sum(),
                    active: d.count("active"),
                    suspended: d.count("suspended"),
                    inactive: d.count("inactive"),
                    expired: d.count("expired"),
                    new_this_month: d.new_this_month,
                },
                billing: BillingFigures {
                    revenue_this_month: Amount(d.revenue_this_month),
                    collections_today: Amount(d.collections_today),
                    unpaid_total: Amount(d.unpaid_total),
                    currency: "BDT".into(),
                },
                generated_at: format_timestamp(d.now),
            },
        }))
    }

    /// NOC dashboard (v1)
    ///
    /// Network inventory by last polled state (up, down, unknown), per kind.
    #[oai(
        path = "/api/v1/noc/dashboard",
        method = "get",
        operation_id = "v1_noc_dashboard"
    )]
    async fn noc(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V1Auth,
    ) -> ApiResult<Json<NocDashboardOne>> {
        let caller = auth.caller();
        let noc = ops::dashboard::noc(&state.ctx(), &caller, state.zabbix.configured()).await?;
        let zabbix = noc_zabbix(&state, &noc.behind);
        let (counts, down, onus, low_rx, checks) =
            (noc.counts, noc.down, noc.onus, noc.low_rx_dbm, noc.checks);
        let devices: Vec<DeviceCounts> = counts
            .into_iter()
            .map(|c| DeviceCounts {
                kind: c.kind,
                total: c.up + c.down + c.unknown,
                up: c.up,
                down: c.down,
                unknown: c.unknown,
            })
            .collect();
        Ok(Json(NocDashboardOne {
            data: NocDashboard {
                up: devices.iter().map(|d| d.up).sum(),
                down: devices.iter().map(|d| d.down).sum(),
                unknown: devices.iter().map(|d| d.unknown).sum(),
                devices,
                down_devices: down
                    .into_iter()
                    .map(|d| DownDevice {
                        kind: d.kind,
                        id: d.id,
                        name: d.name,
                        since: d.since,
                        last_error: d.last_error,
                    })
                    .collect(),
                onus: OnuCounts {
                    total: onus.0,
                    offline: onus.1,
                    low_rx: onus.2,
                    low_rx_dbm: low_rx,
                },
                failing_checks: checks
                    .into_iter()
                    .filter(|c| c.status == "down")
                    .map(|c| FailingCheck {
                        name: c.name,
                        target: c.target,
                        since: c.since,
                        last_error: c.last_error,
                    })
                    .collect(),
                zabbix,
                generated_at: format_timestamp(state.clock.now()),
            },
        }))
    }
}
