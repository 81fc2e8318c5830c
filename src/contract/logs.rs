//! Answer shapes of the API request log, shared by the API
//! (`GET /api/v2/logs/api-requests`) and the panel (`/admin/api/request-log`).

use poem_openapi::Object;

use crate::{paginated, store::request_log::RequestLogRow};

/// One logged API request.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ApiRequestLogItem {
    pub id: i64,
    /// When the request was answered.
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
    pub duration_ms: i64,
    #[oai(nullable)]
    pub ip: Option<String>,
}

impl From<RequestLogRow> for ApiRequestLogItem {
    fn from(r: RequestLogRow) -> Self {
        let e = r.entry;
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
            ip: e.ip,
        }
    }
}

paginated!(ApiRequestLogList, ApiRequestLogItem);
