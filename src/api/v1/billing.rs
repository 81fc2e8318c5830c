//! API v1 billing: the bill list.

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, OpenApi};

use crate::{
    api::{
        bills::{bill_filter, BillStatusFilter},
        security::V1Auth,
        v2::{
            billing::{list_bills, list_payments, BillList, PaymentList},
            customers::SubscriptionList,
        },
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        filters::TimeBound,
        money::Amount,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    domain::money::Money,
    error::ApiResult,
    paginated,
    state::AppState,
    store::{invoices, subscriptions},
};

#[derive(Default)]
pub struct V1BillingApi;

#[OpenApi(tag = "ApiTags::Billing")]
impl V1BillingApi {
    /// List bills (v1)
    ///
    /// Newest first; filters `customer_id`, `status`, `from`/`to`. A reseller's
    /// staff see their customers' bills only.
    #[oai(path = "/api/v1/bills", method = "get", operation_id = "v1_bills_list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
        status: Query<Option<BillStatusFilter>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<Json<BillList>> {
        let filter = bill_filter(customer_id.0, status.0, from.0, to.0);
        let page = PageRequest::new(page.0, per_page.0);
        Ok(Json(
            list_bills(&state, auth.0.visibility(), filter, page).await?,
        ))
    }

    /// List payments (v1)
    #[oai(
        path = "/api/v1/payments",
        method = "get",
        operation_id = "v1_payments_list"
    )]
    async fn payments(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
    ) -> ApiResult<Json<PaymentList>> {
        let page = PageRequest::new(page.0, per_page.0);
        Ok(Json(
            list_payments(&state, auth.0.visibility(), customer_id.0, page).await?,
        ))
    }

    /// List subscriptions (v1)
    ///
    /// Customers' packages over time, newest first; filter by `status`.
    #[oai(
        path = "/api/v1/subscriptions",
        method = "get",
        operation_id = "v1_subscriptions_list"
    )]
    async fn subscriptions(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        status: Query<Option<SubscriptionStatus>>,
    ) -> ApiResult<Json<SubscriptionList>> {
        let vis = auth.0.visibility();
        let page = PageRequest::new(page.0, per_page.0);
        let status = status.0.map(SubscriptionStatus::as_str);
        let (rows, total) = state
            .db
            .read_async(move |c| {
                subscriptions::list(c, vis.operator_id, status, page.limit(), page.offset())
            })
            .await?;
        Ok(Json(SubscriptionList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
    }

    /// List invoices (v1)
    ///
    /// One numbered invoice (INV-2026-000123) per customer and month, grouping
    /// that month's bills and the payments that settled them; newest first.
    #[oai(
        path = "/api/v1/invoices",
        method = "get",
        operation_id = "v1_invoices_list"
    )]
    async fn invoices(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
    ) -> ApiResult<Json<InvoiceList>> {
        let vis = auth.0.visibility();
        let page = PageRequest::new(page.0, per_page.0);
        let customer = customer_id.0;
        let (rows, total) = state
            .db
            .read_async(move |c| invoices::list(c, customer, vis, page.limit(), page.offset()))
            .await?;
        Ok(Json(InvoiceList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
    }
}

/// An invoice: a customer's bills of one month and what settled them.
#[derive(Debug, Clone, poem_openapi::Object, serde::Serialize)]
pub struct Invoice {
    pub id: i64,
    /// `INV-<year>-<6 digits>`, numbered per year.
    pub number: String,
    pub customer_id: i64,
    /// `YYYY-MM`.
    pub period: String,
    /// Sum of its bills (cancelled ones left out).
    pub total: Amount,
    pub paid: Amount,
    /// What is still owed.
    pub due: Amount,
    /// `open` or `paid`.
    pub status: String,
    pub bill_ids: Vec<i64>,
    pub payment_ids: Vec<i64>,
    pub created_at: String,
}

impl From<invoices::InvoiceRow> for Invoice {
    fn from(i: invoices::InvoiceRow) -> Self {
        let due = Money((i.total.minor() - i.paid.minor()).max(0));
        Self {
            id: i.id,
            number: i.number,
            customer_id: i.customer_id,
            period: i.period,
            total: Amount(i.total),
            paid: Amount(i.paid),
            due: Amount(due),
            status: if due == Money::ZERO { "paid" } else { "open" }.into(),
            bill_ids: i.bill_ids,
            payment_ids: i.payment_ids,
            created_at: i.created_at,
        }
    }
}

paginated!(InvoiceList, Invoice);

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum SubscriptionStatus {
    Active,
    Ended,
    Expired,
    Cancelled,
}

impl SubscriptionStatus {
    fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Ended => "ended",
            SubscriptionStatus::Expired => "expired",
            SubscriptionStatus::Cancelled => "cancelled",
        }
    }
}
