//! Zabbix through the appliance: `GET /api/v2/monitoring/zabbix/hosts`,
//! `GET /api/v2/monitoring/zabbix/problems` and the v1 summary `GET
//! /api/v1/monitoring/zabbix`. Answers come from a short-lived cache; when
//! Zabbix is down or refuses the token they carry the last known data, its
//! age and the error (503 only when there has never been an answer). Each
//! handler calls `ops::zabbix::current` and builds the answer; the answer
//! shapes are in `contract::zabbix`.

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, OpenApi};
use time::OffsetDateTime;

use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    clock::format_timestamp,
    contract::zabbix::{
        HostCounts, InterfaceView, InventoryRef, ProblemCounts, ProblemHost, TagView,
        ZabbixFreshness, ZabbixHostList, ZabbixHostView, ZabbixProblemList, ZabbixProblemView,
        ZabbixSummary, ZabbixSummaryOne,
    },
    drivers::zabbix::{severity_label, Host},
    error::ApiResult,
    monitoring::{
        zabbix::{Snapshot, ZabbixData},
        zabbix_map::{affected_customers, customers_of, inventory_of},
    },
    ops::{self, zabbix::Current},
    state::AppState,
    store::inventory::Behind,
};

fn availability(h: &Host) -> &'static str {
    if h.interfaces.iter().any(|i| i.available == 2) {
        "down"
    } else if h.interfaces.iter().any(|i| i.available == 1) {
        "up"
    } else {
        "unknown"
    }
}

fn available_label(v: i64) -> &'static str {
    match v {
        1 => "up",
        2 => "down",
        _ => "unknown",
    }
}

fn interface_type(v: i64) -> &'static str {
    match v {
        2 => "snmp",
        3 => "ipmi",
        4 => "jmx",
        _ => "agent",
    }
}

pub fn freshness(s: &Snapshot, fetched_at: OffsetDateTime, now: OffsetDateTime) -> ZabbixFreshness {
    ZabbixFreshness {
        fetched_at: format_timestamp(fetched_at),
        age_secs: (now - fetched_at).whole_seconds().max(0),
        stale: s.error.is_some(),
        error: s.error.clone(),
    }
}

/// The freshness of what the operation found.
fn freshness_of(c: &Current) -> ZabbixFreshness {
    freshness(&c.snapshot, c.fetched_at, c.now)
}

fn host_view(h: &Host, all: &[Host], inventory: &[Behind]) -> ZabbixHostView {
    let matched = inventory_of(&h.hostid, &h.host, &h.name, all, inventory);
    let customers = customers_of(matched.iter().copied());
    ZabbixHostView {
        hostid: h.hostid.clone(),
        host: h.host.clone(),
        name: h.name.clone(),
        status: if h.status == 0 {
            "monitored"
        } else {
            "not_monitored"
        }
        .into(),
        availability: availability(h).into(),
        interfaces: h
            .interfaces
            .iter()
            .map(|i| InterfaceView {
                kind: interface_type(i.kind).into(),
                ip: i.ip.clone(),
                dns: i.dns.clone(),
                available: available_label(i.available).into(),
                error: (!i.error.is_empty()).then(|| i.error.clone()),
            })
            .collect(),
        tags: h
            .tags
            .iter()
            .map(|t| TagView {
                tag: t.tag.clone(),
                value: t.value.clone(),
            })
            .collect(),
        inventory: matched
            .iter()
            .map(|b| InventoryRef {
                kind: b.kind.clone(),
                id: b.id,
                name: b.name.clone(),
            })
            .collect(),
        affected_customers: i64::try_from(customers.len()).unwrap_or(i64::MAX),
    }
}

/// Problems with their affected customers (ids kept when asked for).
pub fn problem_views(
    data: &ZabbixData,
    inventory: &[Behind],
    min_severity: i64,
    with_ids: bool,
) -> Vec<ZabbixProblemView> {
    data.problems
        .iter()
        .filter(|p| p.problem.severity >= min_severity)
        .map(|p| {
            let ids = affected_customers(&p.hosts, &data.hosts, inventory);
            ZabbixProblemView {
                eventid: p.problem.eventid.clone(),
                name: p.problem.name.clone(),
                severity: p.problem.severity,
                severity_label: severity_label(p.problem.severity).into(),
                since: OffsetDateTime::from_unix_timestamp(p.problem.clock)
                    .map(format_timestamp)
                    .unwrap_or_default(),
                acknowledged: p.problem.acknowledged == 1,
                hosts: p
                    .hosts
                    .iter()
                    .map(|h| ProblemHost {
                        hostid: h.hostid.clone(),
                        host: h.host.clone(),
                        name: h.name.clone(),
                    })
                    .collect(),
                affected_customers: i64::try_from(ids.len()).unwrap_or(i64::MAX),
                customer_ids: with_ids.then_some(ids),
            }
        })
        .collect()
}

/// Hosts up/down, problems by severity, customers behind hosts with a problem.
fn summary(current: &Current) -> ZabbixSummary {
    let data = &current.data;
    let mut hosts = HostCounts {
        total: 0,
        up: 0,
        down: 0,
        unknown: 0,
        not_monitored: 0,
    };
    for h in &data.hosts {
        hosts.total += 1;
        if h.status != 0 {
            hosts.not_monitored += 1;
            continue;
        }
        match availability(h) {
            "up" => hosts.up += 1,
            "down" => hosts.down += 1,
            _ => hosts.unknown += 1,
        }
    }
    let mut problems = ProblemCounts {
        total: 0,
        not_classified: 0,
        information: 0,
        warning: 0,
        average: 0,
        high: 0,
        disaster: 0,
    };
    for p in &data.problems {
        problems.total += 1;
        match p.problem.severity {
            1 => problems.information += 1,
            2 => problems.warning += 1,
            3 => problems.average += 1,
            4 => problems.high += 1,
            5 => problems.disaster += 1,
            _ => problems.not_classified += 1,
        }
    }
    let all_hosts: Vec<_> = data.problems.iter().flat_map(|p| p.hosts.clone()).collect();
    let affected = affected_customers(&all_hosts, &data.hosts, &current.inventory);
    ZabbixSummary {
        hosts,
        problems,
        affected_customers: i64::try_from(affected.len()).unwrap_or(i64::MAX),
        zabbix: freshness_of(current),
    }
}

#[derive(Default)]
pub struct ZabbixApi;

#[OpenApi(tag = "ApiTags::Monitoring")]
impl ZabbixApi {
    /// Zabbix hosts (v2)
    ///
    /// Every Zabbix host with its availability per interface and tags, and the
    /// appliance inventory (routers, OLTs, devices) it matches by address or
    /// name. Cached for `[zabbix] cache_ttl_secs`; `zabbix` says how old the
    /// data is. 503 when Zabbix is not configured or has never answered.
    #[oai(
        path = "/api/v2/monitoring/zabbix/hosts",
        method = "get",
        operation_id = "v2_zabbix_hosts"
    )]
    async fn hosts(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V2Auth,
    ) -> ApiResult<Json<ZabbixHostList>> {
        let current = ops::zabbix::current(&state.ctx(), &auth.caller(), &state.zabbix).await?;
        let hosts = &current.data.hosts;
        Ok(Json(ZabbixHostList {
            data: hosts
                .iter()
                .map(|h| host_view(h, hosts, &current.inventory))
                .collect(),
            zabbix: freshness_of(&current),
        }))
    }

    /// Zabbix active problems (v2)
    ///
    /// Current problems, newest first, with the hosts of their triggers and
    /// how many of the ISP's customers are behind those hosts
    /// (`customers=true` lists their ids). `min_severity` (0–5) filters.
    #[oai(
        path = "/api/v2/monitoring/zabbix/problems",
        method = "get",
        operation_id = "v2_zabbix_problems"
    )]
    async fn problems(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V2Auth,
        #[oai(validator(minimum(value = "0"), maximum(value = "5")))] min_severity: Query<
            Option<i64>,
        >,
        customers: Query<Option<bool>>,
    ) -> ApiResult<Json<ZabbixProblemList>> {
        let current = ops::zabbix::current(&state.ctx(), &auth.caller(), &state.zabbix).await?;
        Ok(Json(ZabbixProblemList {
            data: problem_views(
                &current.data,
                &current.inventory,
                min_severity.0.unwrap_or(0),
                customers.0.unwrap_or(false),
            ),
            zabbix: freshness_of(&current),
        }))
    }

    /// Zabbix monitoring data (v1)
    ///
    /// A summary: hosts up/down, problems by severity, customers affected.
    #[oai(
        path = "/api/v1/monitoring/zabbix",
        method = "get",
        operation_id = "v1_zabbix_summary"
    )]
    async fn summary(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] auth: V1Auth,
    ) -> ApiResult<Json<ZabbixSummaryOne>> {
        let current = ops::zabbix::current(&state.ctx(), &auth.caller(), &state.zabbix).await?;
        Ok(Json(ZabbixSummaryOne {
            data: summary(&current),
        }))
    }
}
