//! `GET /api/v1/dashboard` and `GET /api/v1/noc/dashboard`.

use poem::web::Data;
use poem_openapi::{payload::Json, Object, OpenApi};
use time::{Date, OffsetDateTime, Time};

use crate::{
    api::{security::V1Auth, ApiTags},
    auth::scope::Scope,
    clock::format_timestamp,
    contract::money::Amount,
    error::ApiResult,
    state::AppState,
    store::{customers, inventory, payments},
};

/// Customers by status.
#[derive(Debug, Object)]
pub struct CustomerCounts {
    pub total: i64,
    pub active: i64,
    pub suspended: i64,
    pub inactive: i64,
    pub expired: i64,
    /// Created since the first day of this month (the ISP's local time).
    pub new_this_month: i64,
}

/// Money figures (the ISP's local month and day).
#[derive(Debug, Object)]
pub struct BillingFigures {
    /// Payments received since the first day of this month.
    pub revenue_this_month: Amount,
    /// Payments received today.
    pub collections_today: Amount,
    /// What open (unpaid or partly paid) bills still owe.
    pub unpaid_total: Amount,
    pub currency: String,
}

#[derive(Debug, Object)]
pub struct Dashboard {
    pub customers: CustomerCounts,
    pub billing: BillingFigures,
    pub generated_at: String,
}

#[derive(Debug, Object)]
pub struct DashboardOne {
    pub data: Dashboard,
}

/// Devices of one kind by last polled state.
#[derive(Debug, Object)]
pub struct DeviceCounts {
    /// routers, olts, onus, devices, ...
    pub kind: String,
    pub total: i64,
    pub up: i64,
    pub down: i64,
    pub unknown: i64,
}

#[derive(Debug, Object)]
pub struct NocDashboard {
    /// One entry per kind of inventory the appliance holds.
    pub devices: Vec<DeviceCounts>,
    pub up: i64,
    pub down: i64,
    pub unknown: i64,
    /// Every router, OLT, radio or device that is down, longest first.
    pub down_devices: Vec<DownDevice>,
    pub onus: OnuCounts,
    /// Status checks that are down.
    pub failing_checks: Vec<FailingCheck>,
    /// Current Zabbix problems with the customers they affect (null when
    /// Zabbix is not configured or has not answered yet).
    #[oai(nullable)]
    pub zabbix: Option<NocZabbix>,
    pub generated_at: String,
}

#[derive(Debug, Object)]
pub struct NocZabbix {
    pub problems: Vec<crate::api::zabbix::ZabbixProblemView>,
    /// Customers behind any host with a problem.
    pub affected_customers: i64,
    pub freshness: crate::api::zabbix::ZabbixFreshness,
}

#[derive(Debug, Object)]
pub struct DownDevice {
    /// `router`, `olt`, `radio` or `device`.
    pub kind: String,
    pub id: i64,
    pub name: String,
    #[oai(nullable)]
    pub since: Option<String>,
    #[oai(nullable)]
    pub last_error: Option<String>,
}

#[derive(Debug, Object)]
pub struct OnuCounts {
    pub total: i64,
    pub offline: i64,
    /// Online ONUs with rx power below `low_rx_dbm`.
    pub low_rx: i64,
    pub low_rx_dbm: f64,
}

#[derive(Debug, Object)]
pub struct FailingCheck {
    pub name: String,
    pub target: String,
    #[oai(nullable)]
    pub since: Option<String>,
    #[oai(nullable)]
    pub last_error: Option<String>,
}

#[derive(Debug, Object)]
pub struct NocDashboardOne {
    pub data: NocDashboard,
}

/// The first instant of the current month in the ISP's local time.
fn month_start(now: OffsetDateTime, offset: time::UtcOffset) -> OffsetDateTime {
    let local = now.to_offset(offset);
    Date::from_calendar_date(local.year(), local.month(), 1)
        .map(|d| d.with_time(Time::MIDNIGHT).assume_offset(offset))
        .unwrap_or(now)
}

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
pub struct V1DashboardApi;

#[OpenApi(tag = "ApiTags::Dashboard")]
impl V1DashboardApi {
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
        let vis = auth.0.visibility();
        let now = state.clock.now();
        let offset = state.config.isp.offset();
        let since = format_timestamp(month_start(now, offset));
        let local = now.to_offset(offset);
        let today = format_timestamp(local.date().with_time(Time::MIDNIGHT).assume_offset(offset));
        let (by_status, new_this_month, (month, day, unpaid)) = state
            .db
            .read_async(move |c| {
                Ok((
                    customers::count_by_status(c, vis)?,
                    customers::count_created_since(c, &since, vis)?,
                    payments::dashboard_figures(c, vis, &since, &today)?,
                ))
            })
            .await?;
        let count = |s: &str| {
            by_status
                .iter()
                .find(|(k, _)| k == s)
                .map_or(0, |(_, n)| *n)
        };
        Ok(Json(DashboardOne {
            data: Dashboard {
                customers: CustomerCounts {
                    total: by_status.iter().map(|(_, n)| n).sum(),
                    active: count("active"),
                    suspended: count("suspended"),
                    inactive: count("inactive"),
                    expired: count("expired"),
                    new_this_month,
                },
                billing: BillingFigures {
                    revenue_this_month: Amount(month),
                    collections_today: Amount(day),
                    unpaid_total: Amount(unpaid),
                    currency: "BDT".into(),
                },
                generated_at: format_timestamp(now),
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
        let low_rx = state.config.monitoring.low_rx_dbm;
        let vis = auth.0.visibility();
        let zabbix_on = state.zabbix.configured();
        let (counts, down, onus, checks, behind) = state
            .db
            .read_async(move |c| {
                Ok((
                    inventory::status_counts(c)?,
                    inventory::down(c)?,
                    crate::store::onus::problem_counts(c, low_rx)?,
                    crate::store::monitoring::checks(c)?,
                    // Only Zabbix problems need the customers behind each device.
                    if zabbix_on {
                        inventory::customers_behind(c, vis)?
                    } else {
                        Vec::new()
                    },
                ))
            })
            .await?;
        let zabbix = noc_zabbix(&state, &behind);
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn the_month_starts_in_local_time() {
        // 2026-04-30 20:00 UTC is already May 1st in Dhaka.
        let start = month_start(datetime!(2026-04-30 20:00:00 UTC), offset!(+6));
        assert_eq!(format_timestamp(start), "2026-04-30T18:00:00Z");
        let start = month_start(datetime!(2026-04-15 10:00:00 UTC), offset!(+6));
        assert_eq!(format_timestamp(start), "2026-03-31T18:00:00Z");
    }
}
