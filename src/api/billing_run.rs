//! The billing run from the API (an addition to the guide):
//! `GET /api/v2/billing/run/preview` shows what today's run would bill,
//! renew and suspend, writing nothing (`billing:read`);
//! `POST /api/v2/billing/run` runs it now (`billing:write`). Both are the
//! ISP's own: 403 for a reseller's staff.

use poem::web::Data;
use poem_openapi::{payload::Json, OpenApi};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    contract::billing_run::{
        BillingRunPreview, BillingRunPreviewOne, BillingRunResult, BillingRunResultOne,
    },
    error::ApiResult,
    ops,
    state::AppState,
};

#[derive(Default)]
pub struct BillingRunV2;

#[OpenApi(tag = "ApiTags::Billing")]
impl BillingRunV2 {
    /// Preview today's billing run (v2, addition)
    ///
    /// What the run for today (the ISP's local date) would do if it ran
    /// now, written nowhere: the monthly bills it would make, the prepaid
    /// customers it would renew from credit, and the customers it would
    /// suspend (prepaid period ended without credit, or a bill overdue past
    /// the grace days), with the reason it would log. Each list holds its
    /// first 200 rows; the `*_total` fields count them all. 403 for a
    /// reseller's staff.
    #[oai(
        path = "/api/v2/billing/run/preview",
        method = "get",
        operation_id = "v2_billing_run_preview"
    )]
    async fn preview(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
    ) -> ApiResult<Json<BillingRunPreviewOne>> {
        let (date, due, preview) = ops::billing_run::preview(&state.ctx(), &auth.caller()).await?;
        Ok(Json(BillingRunPreviewOne {
            data: BillingRunPreview::of(date, due, preview),
        }))
    }

    /// Run today's billing now (v2, addition)
    ///
    /// Runs the day's cycle as the daily worker does at `[billing] run_at`:
    /// bills on billing days, prepaid renewals or suspensions, suspension of
    /// the overdue. Idempotent: what today's run did already is not done
    /// again, so a second call answers zeros. 403 for a reseller's staff.
    #[oai(
        path = "/api/v2/billing/run",
        method = "post",
        operation_id = "v2_billing_run"
    )]
    async fn run(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
    ) -> ApiResult<Json<BillingRunResultOne>> {
        let (date, outcome) = ops::billing_run::run_now(&state.ctx(), &auth.caller()).await?;
        Ok(Json(BillingRunResultOne {
            data: BillingRunResult {
                date: date.to_string(),
                bills_created: outcome.report.bills_created as u64,
                customers_suspended: outcome.report.customers_suspended as u64,
                chunks: outcome.chunks as u64,
            },
        }))
    }
}
