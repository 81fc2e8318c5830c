//! `GET /api/v2/logs/api-requests`: the API request log (an addition to the
//! guide, for integrators debugging their calls).

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, Object, OpenApi};

use crate::contract::text::SingleLine;
use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    contract::{
        filters::TimeBound,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    paginated,
    state::AppState,
    store::request_log::{self, RequestLogFilter, RequestLogRow},
};

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

/// Query filters of the request log.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub client_id: Option<i64>,
    pub status: Option<u16>,
    pub path: Option<String>,
    pub from: Option<TimeBound>,
    pub to: Option<TimeBound>,
}

/// Validates the filters and reads one page (shared with the admin panel).
pub async fn list(
    state: &AppState,
    q: LogQuery,
    page: PageRequest,
) -> ApiResult<ApiRequestLogList> {
    let filter = RequestLogFilter {
        api_client_id: q.client_id,
        status: q.status,
        path_prefix: q.path.filter(|p| !p.is_empty()),
        from: q.from.map(TimeBound::start),
        to: q.to.map(TimeBound::end),
    };
    let (rows, total) = state
        .db
        .read_async(move |c| request_log::list(c, &filter, page.limit(), page.offset()))
        .await?;
    Ok(ApiRequestLogList::new(
        rows.into_iter().map(Into::into).collect(),
        total,
        &page,
    ))
}

#[derive(Default)]
pub struct V2LogsApi;

#[OpenApi]
impl V2LogsApi {
    /// API request log (v2)
    ///
    /// Every `/api` request, newest first: caller, method, route, status,
    /// duration and address. Filters: `client_id`, `status`, `path` (a prefix),
    /// `from`/`to` (date or RFC 3339 time). Entries are written within about a
    /// second and kept for the configured retention (30 days by default).
    /// Addition to the guide.
    #[oai(
        path = "/api/v2/logs/api-requests",
        method = "get",
        operation_id = "v2_api_request_log",
        tag = "ApiTags::Logs"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn api_requests(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::LogsRead")] _auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        client_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "100"), maximum(value = "599")))] status: Query<
            Option<u16>,
        >,
        path: Query<Option<SingleLine>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<Json<ApiRequestLogList>> {
        let q = LogQuery {
            client_id: client_id.0,
            status: status.0,
            path: path.0.map(SingleLine::into_inner),
            from: from.0,
            to: to.0,
        };
        Ok(Json(
            list(&state, q, PageRequest::new(page.0, per_page.0)).await?,
        ))
    }
}
