//! Zabbix's answer shapes: hosts, problems, the summary and how fresh the
//! cached data is. The API builds them from what `ops::zabbix::current` found.

use poem_openapi::Object;

use crate::one;

/// How fresh the Zabbix data is.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ZabbixFreshness {
    /// When Zabbix last answered.
    pub fetched_at: String,
    /// Seconds since then.
    pub age_secs: i64,
    /// True when the last attempt to refresh failed and this is older data.
    pub stale: bool,
    /// Why the last refresh failed (Zabbix unreachable, token refused).
    #[oai(nullable)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct InterfaceView {
    /// `agent`, `snmp`, `ipmi` or `jmx`.
    #[oai(rename = "type")]
    pub kind: String,
    pub ip: String,
    pub dns: String,
    /// `up`, `down` or `unknown`.
    pub available: String,
    #[oai(nullable)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct TagView {
    pub tag: String,
    pub value: String,
}

/// A router, OLT or device of the appliance that a Zabbix host stands for.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct InventoryRef {
    /// `router`, `olt`, `radio` or `device`.
    pub kind: String,
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ZabbixHostView {
    pub hostid: String,
    pub host: String,
    pub name: String,
    /// `monitored` or `not_monitored`.
    pub status: String,
    /// `down` if any interface is unavailable, `up` if one is available, else `unknown`.
    pub availability: String,
    pub interfaces: Vec<InterfaceView>,
    pub tags: Vec<TagView>,
    /// The appliance's inventory this host matches (by address or name).
    pub inventory: Vec<InventoryRef>,
    /// Customers behind that inventory.
    pub affected_customers: i64,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ZabbixHostList {
    pub data: Vec<ZabbixHostView>,
    pub zabbix: ZabbixFreshness,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ProblemHost {
    pub hostid: String,
    pub host: String,
    pub name: String,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ZabbixProblemView {
    pub eventid: String,
    pub name: String,
    /// 0 not classified, 1 information, 2 warning, 3 average, 4 high, 5 disaster.
    pub severity: i64,
    pub severity_label: String,
    /// When the problem began.
    pub since: String,
    pub acknowledged: bool,
    /// The hosts of the problem's trigger.
    pub hosts: Vec<ProblemHost>,
    /// Customers behind those hosts (routers and OLTs the appliance knows).
    pub affected_customers: i64,
    /// Their ids, with `?customers=true`.
    #[oai(skip_serializing_if_is_none)]
    pub customer_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ZabbixProblemList {
    pub data: Vec<ZabbixProblemView>,
    pub zabbix: ZabbixFreshness,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct HostCounts {
    pub total: i64,
    pub up: i64,
    pub down: i64,
    pub unknown: i64,
    pub not_monitored: i64,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ProblemCounts {
    pub total: i64,
    pub not_classified: i64,
    pub information: i64,
    pub warning: i64,
    pub average: i64,
    pub high: i64,
    pub disaster: i64,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ZabbixSummary {
    pub hosts: HostCounts,
    pub problems: ProblemCounts,
    /// Customers behind hosts with a current problem.
    pub affected_customers: i64,
    pub zabbix: ZabbixFreshness,
}

one!(ZabbixSummaryOne, ZabbixSummary);
