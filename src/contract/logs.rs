//! Answer shapes of the logs: the API request log, shared by the API
//! (`GET /api/v2/logs/api-requests`) and the panel (`/admin/api/request-log`),
//! and the billing run's suspension log (`GET /api/v1/logs/auto-suspensions`).

use poem_openapi::Object;

use crate::{paginated, store::request_log::RequestLogRow};

/// One logged API request, or the rejected requests of an unknown caller
/// from one address in one minute, counted (`count`).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ApiRequestLogItem {
    pub id: i64,
    /// When the request was answered (for a count, the first of the minute).
    pub at: String,
    /// The API client, for client tokens.
    #[oai(nullable)]
    pub client_id: Option<i64>,
    /// The staff user, for login tokens.
    #[oai(nullable)]
    pub user_id: Option<i64>,
    pub method: String,
    /// The route template (`/api/v2/customers/{id}`), or `unmatched`.
    pub route: String,
    pub path: String,
    pub status: u16,
    /// For a count, the longest.
    pub duration_ms: i64,
    #[oai(nullable)]
    pub ip: Option<String>,
    /// The requests this entry stands for: 1, except for rejected requests of
    /// unknown callers (no or bad credentials, unknown routes, failed
    /// logins), which are counted per address, minute, method, route and
    /// status in one entry (its `path` is the first request's).
    pub count: i64,
}

impl From<RequestLogRow> for ApiRequestLogItem {
    fn from(r: RequestLogRow) -> Self {
        let e = r.entry;
        let count = e.requests();
        Self {
            id: r.id,
            at: e.at,
            client_id: e.api_client_id,
            user_id: e.staff_user_id,
            method: e.method,
            route: e.route,
            path: e.path,
            status: e.status,
            duration_ms: e.duration_ms,
            count,
            ip: e.ip,
        }
    }
}

paginated!(ApiRequestLogList, ApiRequestLogItem);

// ---- The billing run's suspension log (row → JSON) ----

use crate::store::billing_run::SuspensionLogRow;

/// A suspension made by the billing run.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct AutoSuspension {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    /// The overdue bill that caused it.
    #[oai(nullable)]
    pub bill_id: Option<i64>,
    pub reason: String,
    pub created_at: String,
    /// When a payment cleared the dues and lifted it.
    #[oai(nullable)]
    pub reactivated_at: Option<String>,
}

impl From<SuspensionLogRow> for AutoSuspension {
    fn from(r: SuspensionLogRow) -> Self {
        Self {
            id: r.id,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            bill_id: r.bill_id,
            reason: r.reason,
            created_at: r.created_at,
            reactivated_at: r.reactivated_at,
        }
    }
}

paginated!(AutoSuspensionList, AutoSuspension);

// ---- The audit trail (row → JSON) ----

use crate::store::audit::AuditRow;

/// One change in the audit trail.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct AuditItem {
    pub id: i64,
    pub at: String,
    /// Who: `user:N` (staff), `client:N` (API client), `customer:N` (the
    /// customer on the portal), `system` (the command line) or `job:NAME`
    /// (a background job such as `job:billing-run`).
    pub actor: String,
    /// The staff user's, API client's or customer's name (as it is now).
    #[oai(nullable)]
    pub actor_name: Option<String>,
    /// The caller's address, when it came over the network.
    #[oai(nullable)]
    pub source: Option<String>,
    /// What was done: `customer.updated`, `customer.suspended`,
    /// `customer.activated`, `customer.status_changed`, `customer.deleted`.
    pub action: String,
    pub resource_type: String,
    #[oai(nullable)]
    pub resource_id: Option<i64>,
    /// The customer the change is about.
    #[oai(nullable)]
    pub customer_id: Option<i64>,
    /// Why, when the change was given a reason.
    #[oai(nullable)]
    pub reason: Option<String>,
    /// The fields changed: `{"field": {"before": .., "after": ..}}`; a
    /// secret shows as `"changed"`, never its value.
    pub changes: serde_json::Value,
}

impl From<AuditRow> for AuditItem {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id,
            at: r.at,
            actor: r.actor,
            actor_name: r.actor_name,
            source: r.source,
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            customer_id: r.customer_id,
            reason: r.reason,
            changes: serde_json::from_str(&r.changes).unwrap_or_default(),
        }
    }
}

paginated!(AuditList, AuditItem);
