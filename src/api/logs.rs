//! Logs: the auto-suspension log (v1) and the API request log (v2, an
//! addition to the guide for integrators debugging their calls). Their
//! answer shapes are in `contract::logs`.

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, OpenApi};

use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        filters::TimeBound,
        logs::{ApiRequestLogList, AuditList, AutoSuspensionList},
        pagination::{PageParam, PageRequest, PerPageParam},
        text::SingleLine,
    },
    error::ApiResult,
    ops::{self, logs::RequestLogQuery},
    state::AppState,
    store::audit::AuditFilter,
};

#[derive(Default)]
pub struct LogsV1;

#[OpenApi(tag = "ApiTags::Logs")]
impl LogsV1 {
    /// Auto-suspension log (v1)
    ///
    /// Customers the billing run suspended for overdue bills, newest first.
    #[oai(
        path = "/api/v1/logs/auto-suspension",
        method = "get",
        operation_id = "v1_auto_suspension_log"
    )]
    async fn auto_suspension(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::LogsRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<AutoSuspensionList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = ops::logs::suspensions(&state.ctx(), &auth.caller(), page).await?;
        Ok(Json(AutoSuspensionList::of(rows, total, &page)))
    }
}

#[derive(Default)]
pub struct LogsV2;

#[OpenApi]
impl LogsV2 {
    /// API request log (v2)
    ///
    /// Every `/api` request, newest first: caller, method, route, status,
    /// duration and address. Rejected requests of unknown callers (no or bad
    /// credentials, unknown routes) are counted per address, minute, method,
    /// route and status: one entry with `count`. Filters: `client_id`,
    /// `status`, `path` (a prefix), `from`/`to` (date or RFC 3339 time).
    /// Entries are written within about a second and kept for the configured
    /// retention (30 days by default), up to the configured number of entries
    /// (1,000,000 by default; the oldest are dropped first).
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
        #[oai(scope = "Scope::LogsRead")] auth: V2Auth,
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
        let page = PageRequest::new(page.0, per_page.0);
        let q = RequestLogQuery {
            client_id: client_id.0,
            status: status.0,
            path: path.0.map(SingleLine::into_inner),
            from: from.0.map(TimeBound::start),
            to: to.0.map(TimeBound::end),
        };
        let (rows, total) = ops::logs::api_requests(&state.ctx(), &auth.caller(), q, page).await?;
        Ok(Json(ApiRequestLogList::of(rows, total, &page)))
    }

    /// Audit trail (v2)
    ///
    /// Who changed what, newest first: the actor (`user:N`, `client:N`,
    /// `customer:N`, `system`, `job:NAME`), the action, the resource, the
    /// reason given and each changed field's value before and after (a
    /// secret shows as `"changed"`). Each row is written in the same
    /// transaction as its change. Filters: `actor`, `action`, `resource`
    /// (the resource type, e.g. `customer`), `resource_id`, `customer_id`, `from`/`to` (date or
    /// RFC 3339 time). Needs `customers:read`; without `logs:read` only the
    /// rows about customers are listed, and a reseller's staff see only the
    /// rows about their own customers. `source` is the caller's address (none
    /// for jobs). Rows are kept `[audit] retention_days` (365). Recorded:
    /// customers (created, edited, suspended/activated, deleted); packages,
    /// operators, routers, devices, webhooks, API clients and staff users
    /// (created, changed, removed, two-factor changes); bills and payments
    /// (with their customer); and refused requests (`access.denied`, at most
    /// 10 a minute per caller, the next row counting those left out).
    /// Addition to the guide.
    #[oai(
        path = "/api/v2/logs/audit",
        method = "get",
        operation_id = "v2_audit_log",
        tag = "ApiTags::Logs"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        actor: Query<Option<SingleLine>>,
        action: Query<Option<SingleLine>>,
        resource: Query<Option<SingleLine>>,
        resource_id: Query<Option<i64>>,
        customer_id: Query<Option<i64>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<Json<AuditList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let filter = audit_filter(
            actor.0,
            action.0,
            resource.0,
            resource_id.0,
            customer_id.0,
            (from.0, to.0),
        );
        let (rows, total) = ops::logs::audit(&state.ctx(), &auth.caller(), filter, page).await?;
        Ok(Json(AuditList::of(rows, total, &page)))
    }
}

/// The audit trail's filters as its list and its export take them.
pub(crate) fn audit_filter(
    actor: Option<SingleLine>,
    action: Option<SingleLine>,
    resource: Option<SingleLine>,
    resource_id: Option<i64>,
    customer_id: Option<i64>,
    (from, to): (Option<TimeBound>, Option<TimeBound>),
) -> AuditFilter {
    let text = |v: Option<SingleLine>| v.map(SingleLine::into_inner).filter(|s| !s.is_empty());
    AuditFilter {
        actor: text(actor),
        action: text(action),
        resource_type: text(resource),
        resource_id,
        customer_id,
        from: from.map(TimeBound::start),
        to: to.map(TimeBound::end),
        customers_only: false,
    }
}
