//! The dashboards' answer shapes: the v1 dashboard (customers by status, money
//! figures) and the NOC dashboard (devices, ONUs, checks, Zabbix).

use poem_openapi::Object;

use crate::{
    contract::{
        money::Amount,
        zabbix::{ZabbixFreshness, ZabbixProblemView},
    },
    one,
};

/// Customers by status.
#[derive(Debug, Clone, Object, serde::Serialize)]
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
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct BillingFigures {
    /// Payments received since the first day of this month.
    pub revenue_this_month: Amount,
    /// Payments received today.
    pub collections_today: Amount,
    /// What open (unpaid or partly paid) bills still owe.
    pub unpaid_total: Amount,
    pub currency: String,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Dashboard {
    pub customers: CustomerCounts,
    pub billing: BillingFigures,
    pub generated_at: String,
}

one!(DashboardOne, Dashboard);

/// Devices of one kind by last polled state.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct DeviceCounts {
    /// routers, olts, onus, devices, ...
    pub kind: String,
    pub total: i64,
    pub up: i64,
    pub down: i64,
    pub unknown: i64,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
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

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct NocZabbix {
    pub problems: Vec<ZabbixProblemView>,
    /// Customers behind any host with a problem.
    pub affected_customers: i64,
    pub freshness: ZabbixFreshness,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
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

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct OnuCounts {
    pub total: i64,
    pub offline: i64,
    /// Online ONUs with rx power below `low_rx_dbm`.
    pub low_rx: i64,
    pub low_rx_dbm: f64,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct FailingCheck {
    pub name: String,
    pub target: String,
    #[oai(nullable)]
    pub since: Option<String>,
    #[oai(nullable)]
    pub last_error: Option<String>,
}

one!(NocDashboardOne, NocDashboard);
