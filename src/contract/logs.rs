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
