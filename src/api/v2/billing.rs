//! API v2 billing: bills (list, create, get, update, delete) and a customer's bills.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{
        bills::{bill_filter, Bill, BillStatusFilter, CreateBill, UpdateBill},
        customers::ops,
        idempotent::{to_json, write_once},
        payments::{AfterPayment, CreatePayment, Payment, PaymentRecorded},
        security::V2Auth,
        ApiTags,
    },
    auth::scope::Scope,
    clock::format_timestamp,
    contract::{
        body::JsonBody,
        filters::TimeBound,
        json_out::PreSerialized,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::{ApiError, ApiResult},
    paginated,
    state::AppState,
    store::{
        bills::{self, BillFilter},
        payments,
    },
};

paginated!(BillList, Bill);
paginated!(PaymentList, Payment);

#[derive(ApiResponse)]
pub enum PaymentCreated {
    /// Recorded (or, for a repeated Idempotency-Key with the same body, the
    /// first answer again).
    #[oai(status = 201)]
    Created(PreSerialized<PaymentRecorded>),
}

/// Reads a page of payments within the caller's visibility (shared with v1).
pub async fn list_payments(
    state: &AppState,
    vis: crate::domain::visibility::Visibility,
    customer_id: Option<i64>,
    page: PageRequest,
) -> ApiResult<PaymentList> {
    let (rows, total) = state
        .db
        .read_async(move |c| payments::list(c, customer_id, vis, page.limit(), page.offset()))
        .await?;
    Ok(PaymentList::new(
        rows.into_iter().map(Into::into).collect(),
        total,
        &page,
    ))
}

#[derive(Debug, Object, serde::Serialize)]
pub struct BillOne {
    pub data: Bill,
}

#[derive(ApiResponse)]
pub enum BillCreated {
    /// Created (or, for a repeated Idempotency-Key, the first answer again).
    #[oai(status = 201)]
    Created(PreSerialized<BillOne>),
}

#[derive(ApiResponse)]
pub enum BillDeleted {
    #[oai(status = 204)]
    NoContent,
}

/// Reads a page of bills within the caller's visibility (shared with v1).
pub async fn list_bills(
    state: &AppState,
    vis: crate::domain::visibility::Visibility,
    filter: BillFilter,
    page: PageRequest,
) -> ApiResult<BillList> {
    let (rows, total) = state
        .db
        .read_async(move |c| bills::list(c, &filter, vis, page.limit(), page.offset()))
        .await?;
    Ok(BillList::new(
        rows.into_iter().map(Into::into).collect(),
        total,
        &page,
    ))
}

#[derive(Default)]
pub struct V2BillingApi;

#[OpenApi(tag = "ApiTags::Billing")]
impl V2BillingApi {
    /// List bills (v2)
    ///
    /// Newest first. Filters: `customer_id`, `status`, `from`/`to` (created).
    #[oai(
        path = "/api/v2/billing/bills",
        method = "get",
        operation_id = "v2_bills_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
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

    /// Create a bill (v2)
    ///
    /// 201 with the bill, status `unpaid`; emits `bill.generated`.
    #[oai(
        path = "/api/v2/billing/bills",
        method = "post",
        operation_id = "v2_bills_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<CreateBill>,
    ) -> ApiResult<BillCreated> {
        let new = body.0 .0;
        let vis = auth.0.visibility();
        let now = format_timestamp(state.clock.now());
        let request = new.clone();
        let answer = write_once(
            &state,
            auth.0.label(),
            idempotency_key.0,
            &request,
            201,
            move |tx| {
                let bill = bills::create(tx, &new, vis, &now)?;
                to_json(&BillOne { data: bill.into() })
            },
        )
        .await?;
        Ok(BillCreated::Created(PreSerialized::new(answer)))
    }

    /// Retrieve a bill (v2)
    #[oai(
        path = "/api/v2/billing/bills/:id",
        method = "get",
        operation_id = "v2_bills_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<BillOne>> {
        let vis = auth.0.visibility();
        let bill = state
            .db
            .read_async(move |c| bills::get(c, id.0, vis))
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(BillOne { data: bill.into() }))
    }

    /// Update a bill (v2)
    ///
    /// `amount`, `due_date`, `description`, or `status: "cancelled"`. A paid or
    /// cancelled bill cannot change (409); an amount below what was paid is 422.
    #[oai(
        path = "/api/v2/billing/bills/:id",
        method = "put",
        operation_id = "v2_bills_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<UpdateBill>,
    ) -> ApiResult<Json<BillOne>> {
        let changes = body.0 .0;
        let vis = auth.0.visibility();
        let now = format_timestamp(state.clock.now());
        let bill = state
            .db
            .write_async(move |tx| bills::update(tx, id.0, vis, &changes, &now))
            .await?;
        Ok(Json(BillOne { data: bill.into() }))
    }

    /// Delete a bill (v2)
    ///
    /// Only a bill nothing was paid on (409 otherwise: cancel it instead).
    #[oai(
        path = "/api/v2/billing/bills/:id",
        method = "delete",
        operation_id = "v2_bills_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<BillDeleted> {
        let vis = auth.0.visibility();
        state
            .db
            .write_async(move |tx| bills::delete(tx, id.0, vis))
            .await?;
        Ok(BillDeleted::NoContent)
    }

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
        let new = body.0 .0;
        let vis = auth.0.visibility();
        let after = AfterPayment::new(&state, AfterPayment::by_caller(&auth.0));
        let now = format_timestamp(after.now);
        let request = new.clone();
        let answer = write_once(
            &state,
            auth.0.label(),
            idempotency_key.0,
            &request,
            201,
            move |tx| {
                let recorded = payments::record(tx, &new, vis, &now)?;
                // Renewals for prepaid customers; lifting an auto-suspension once cleared.
                after.apply(tx, new.customer_id)?;
                to_json(&PaymentRecorded::from(recorded))
            },
        )
        .await?;
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
        let page = PageRequest::new(page.0, per_page.0);
        Ok(Json(
            list_payments(&state, auth.0.visibility(), customer_id.0, page).await?,
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
        let vis = auth.0.visibility();
        let customer = id.0;
        ops::ensure_visible(&state, vis, customer).await?;
        let page = PageRequest::new(page.0, per_page.0);
        Ok(Json(
            list_payments(&state, vis, Some(customer), page).await?,
        ))
    }

    /// Customer bills (v2)
    #[oai(
        path = "/api/v2/customers/:id/bills",
        method = "get",
        operation_id = "v2_customer_bills"
    )]
    async fn customer_bills(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
        id: Path<i64>,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<BillList>> {
        let vis = auth.0.visibility();
        let customer = id.0;
        ops::ensure_visible(&state, vis, customer).await?;
        let filter = BillFilter {
            customer_id: Some(customer),
            ..Default::default()
        };
        let page = PageRequest::new(page.0, per_page.0);
        Ok(Json(list_bills(&state, vis, filter, page).await?))
    }
}
