//! API v1 logs: the auto-suspension log.

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, Object, OpenApi};

use crate::{
    api::{security::V1Auth, ApiTags},
    auth::scope::Scope,
    contract::pagination::{PageParam, PageRequest, PerPageParam},
    error::ApiResult,
    paginated,
    state::AppState,
    store::billing_run::{self, SuspensionLogRow},
};

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

#[derive(Default)]
pub struct V1LogsApi;

#[OpenApi(tag = "ApiTags::Logs")]
impl V1LogsApi {
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
        let vis = auth.0.visibility();
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = state
            .db
            .read_async(move |c| billing_run::suspension_log(c, vis, page.limit(), page.offset()))
            .await?;
        Ok(Json(AutoSuspensionList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
    }
}
