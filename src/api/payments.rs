//! Payments in the API, v1 and v2: the answer shapes and the routes, each a
//! call into `ops::payments`. The request body is in `contract::payments`.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{
        idempotent::json,
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        json_out::PreSerialized,
        money::Amount,
        pagination::{PageParam, PageRequest, PerPageParam},
        payments::CreatePayment,
    },
    error::ApiResult,
    ops::{self, Caller, Once},
    paginated,
    state::AppState,
    store::payments::{PaymentRow, Recorded},
};

/// A payment.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Payment {
    pub id: i64,
    pub customer_id: i64,
    #[oai(nullable)]
    pub bill_id: Option<i64>,
    pub amount: Amount,
    pub currency: String,
    /// cash, bkash, nagad, rocket, bank, card or recharge_card.
    pub method: String,
    #[oai(nullable)]
    pub transaction_id: Option<String>,
    pub received_at: String,
}

impl From<PaymentRow> for Payment {
    fn from(p: PaymentRow) -> Self {
        Self {
            id: p.id,
            customer_id: p.customer_id,
            bill_id: p.bill_id,
            amount: Amount(p.amount),
            currency: p.currency,
            method: p.method,
            transaction_id: p.transaction_id,
            received_at: p.received_at,
        }
    }
}

/// How much of a bill a payment settled.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct AllocationView {
    pub bill_id: i64,
    pub amount: Amount,
}

/// A recorded payment: the payment, the bills it settled (oldest first), and
/// what was left over as the customer's credit.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct PaymentRecorded {
    pub data: Payment,
    pub allocations: Vec<AllocationView>,
    pub credit: Amount,
}

impl From<Recorded> for PaymentRecorded {
    fn from(r: Recorded) -> Self {
        Self {
            data: r.payment.into(),
            allocations: r
                .allocations
                .into_iter()
                .map(|a| AllocationView {
                    bill_id: a.bill_id,
                    amount: Amount(a.amount),
                })
                .collect(),
            credit: Amount(r.credit),
        }
    }
}

/// The answer a payment gives (and its `Idempotency-Key` replays), also for a
/// redeemed recharge card.
pub fn recorded(r: Recorded) -> Result<String, String> {
    json(&PaymentRecorded::from(r))
}

paginated!(PaymentList, Payment);

#[derive(ApiResponse)]
pub enum PaymentCreated {
    /// Recorded (or, for a repeated Idempotency-Key with the same body, the
    /// first answer again).
    #[oai(status = 201)]
    Created(PreSerialized<PaymentRecorded>),
}

/// The list both versions answer: one page of the payments the caller sees.
async fn list_page(
    state: &AppState,
    caller: Caller,
    page: PageParam,
    per_page: PerPageParam,
    customer_id: Option<i64>,
) -> ApiResult<PaymentList> {
    let page = PageRequest::new(page, per_page);
    let (rows, total) = ops::payments::list(
        &state.ctx(),
        &caller,
        customer_id,
        page.limit(),
        page.offset(),
    )
    .await?;
    Ok(PaymentList::of(rows, total, &page))
}

#[derive(Default)]
pub struct PaymentsV1;

#[OpenApi(tag = "ApiTags::Billing")]
impl PaymentsV1 {
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
        let caller = auth.caller();
        Ok(Json(
            list_page(&state, caller, page.0, per_page.0, customer_id.0).await?,
        ))
    }
}

#[derive(Default)]
pub struct PaymentsV2;

#[OpenApi(tag = "ApiTags::Billing")]
impl PaymentsV2 {
    /// Record a payment (v2)
    ///
    /// `{customer_id, amount, currency, method, transaction_id?, bill_id?}` → 201.
    /// Settles the named bill, then the oldest open bills (partly paid ones become
    /// `partial`); what is left becomes the customer's credit. A second payment
    /// with the same method and transaction id is 409 and pays nothing. With an
    /// `Idempotency-Key` header, the same key and body replay the first answer;
    /// the same key with another body is 422. Emits `payment.received`.
    #[oai(
        path = "/api/v2/billing/payments",
        method = "post",
        operation_id = "v2_payments_create"
    )]
    async fn pay(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<CreatePayment>,
    ) -> ApiResult<PaymentCreated> {
        let once = Once::new(idempotency_key.0, 201, recorded);
        let caller = auth.caller();
        let answer = ops::payments::record(&state.ctx(), &caller, body.0 .0, once).await?;
        Ok(PaymentCreated::Created(PreSerialized::new(answer)))
    }

    /// List payments (v2)
    #[oai(
        path = "/api/v2/billing/payments",
        method = "get",
        operation_id = "v2_payments_list"
    )]
    async fn payments(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
    ) -> ApiResult<Json<PaymentList>> {
        let caller = auth.caller();
        Ok(Json(
            list_page(&state, caller, page.0, per_page.0, customer_id.0).await?,
        ))
    }

    /// Customer payments (v2)
    #[oai(
        path = "/api/v2/customers/:id/payments",
        method = "get",
        operation_id = "v2_customer_payments"
    )]
    async fn customer_payments(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
        id: Path<i64>,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<PaymentList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let caller = auth.caller();
        let (rows, total) =
            ops::payments::of_customer(&state.ctx(), &caller, id.0, page.limit(), page.offset())
                .await?;
        Ok(Json(PaymentList::of(rows, total, &page)))
    }
}
