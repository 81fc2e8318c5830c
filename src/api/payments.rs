//! Payments in the API, v1 and v2: the routes, each a call into
//! `ops::payments`, and their status codes. The request body and the answer
//! shapes are in `contract::payments`.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    OpenApi,
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
        pagination::{PageParam, PageRequest, PerPageParam},
        payments::{CreatePayment, PaymentList, PaymentRecorded},
    },
    created,
    error::ApiResult,
    ops::{self, Caller, Once},
    state::AppState,
    store::payments::Recorded,
};

/// The answer a payment gives (and its `Idempotency-Key` replays), also for a
/// redeemed recharge card.
pub fn recorded(r: Recorded) -> Result<String, String> {
    json(&PaymentRecorded::from(r))
}

created!(
    /// Recorded (or, for a repeated Idempotency-Key with the same body, the
    /// first answer again).
    PaymentCreated,
    PreSerialized<PaymentRecorded>
);

/// The list both versions answer: one page of the payments the caller sees.
async fn list_page(
    state: &AppState,
    caller: Caller,
    page: PageParam,
    per_page: PerPageParam,
    customer_id: Option<i64>,
) -> ApiResult<Json<PaymentList>> {
    let page = PageRequest::new(page, per_page);
    let (rows, total) = ops::payments::list(
        &state.ctx(),
        &caller,
        customer_id,
        page.limit(),
        page.offset(),
    )
    .await?;
    Ok(Json(PaymentList::of(rows, total, &page)))
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
        list_page(&state, auth.caller(), page.0, per_page.0, customer_id.0).await
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
        list_page(&state, auth.caller(), page.0, per_page.0, customer_id.0).await
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
