//! Logs: the billing run's auto-suspensions, the API request log and the
//! audit trail.

use super::{Caller, Ctx, OpResult};
use crate::{
    auth::scope::Scope,
    contract::pagination::PageRequest,
    store::{
        audit::{self, AuditFilter, AuditRow},
        billing_run::{self, SuspensionLogRow},
        request_log::{self, RequestLogFilter, RequestLogRow},
    },
};

/// One page of the auto-suspension log, newest first, with the total: the
/// caller's visible customers only.
pub async fn suspensions(
    ctx: &Ctx,
    caller: &Caller,
    page: PageRequest,
) -> OpResult<(Vec<SuspensionLogRow>, u64)> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| billing_run::suspension_log(c, vis, page.limit(), page.offset()))
        .await?)
}

/// Filters of the API request log; all optional.
#[derive(Debug, Clone, Default)]
pub struct RequestLogQuery {
    pub client_id: Option<i64>,
    pub status: Option<u16>,
    /// A prefix of the path (empty: no filter).
    pub path: Option<String>,
    /// The first second to include (`YYYY-MM-DD HH:MM:SS`).
    pub from: Option<String>,
    /// The last second to include.
    pub to: Option<String>,
}

/// One page of the API request log, newest first, with the total.
pub async fn api_requests(
    ctx: &Ctx,
    _caller: &Caller,
    q: RequestLogQuery,
    page: PageRequest,
) -> OpResult<(Vec<RequestLogRow>, u64)> {
    let filter = RequestLogFilter {
        api_client_id: q.client_id,
        status: q.status,
        path_prefix: q.path.filter(|p| !p.is_empty()),
        from: q.from,
        to: q.to,
    };
    Ok(ctx
        .db
        .read_async(move |c| request_log::list(c, &filter, page.limit(), page.offset()))
        .await?)
}

/// One page of the audit trail, newest first, with the total: a reseller's
/// staff see only the rows about their own customers, and a caller who may
/// read customers but not the logs only the rows about customers.
pub async fn audit(
    ctx: &Ctx,
    caller: &Caller,
    mut filter: AuditFilter,
    page: PageRequest,
) -> OpResult<(Vec<AuditRow>, u64)> {
    filter.customers_only = !caller.has(Scope::LogsRead);
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| audit::list(c, vis, &filter, page.limit(), page.offset()))
        .await?)
}
