//! Bills in the API, v1 and v2, and the v1 invoices that group them: the
//! routes, each a call into `ops::bills`, and their status codes. What they
//! read and answer (the bodies, the bill and invoice shapes) is in
//! `contract::bills`.

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
        answer::Deleted,
        bills::{
            bill_filter, BillList, BillOne, BillStatusFilter, CreateBill, InvoiceList, UpdateBill,
        },
        body::JsonBody,
        filters::TimeBound,
        json_out::PreSerialized,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    created,
    error::ApiResult,
    ops::{self, Caller, Once},
    state::AppState,
    store::bills::BillRow,
};

created!(
    /// Created (or, for a repeated Idempotency-Key, the first answer again).
    BillCreated,
    PreSerialized<BillOne>
);

/// The list both versions answer: one page of the bills the caller sees.
#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    caller: Caller,
    page: PageParam,
    per_page: PerPageParam,
    customer_id: Option<i64>,
    status: Option<BillStatusFilter>,
    from: Option<TimeBound>,
    to: Option<TimeBound>,
) -> ApiResult<Json<BillList>> {
    let filter = bill_filter(customer_id, status, from, to);
    let page = PageRequest::new(page, per_page);
    let (rows, total) =
        ops::bills::list(&state.ctx(), &caller, filter, page.limit(), page.offset()).await?;
    Ok(Json(BillList::of(rows, total, &page)))
}

#[derive(Default)]
pub struct BillsV1;

#[OpenApi(tag = "ApiTags::Billing")]
impl BillsV1 {
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
        let caller = auth.caller();
        list_page(
            &state,
            caller,
            page.0,
            per_page.0,
            customer_id.0,
            status.0,
            from.0,
            to.0,
        )
        .await
    }
}

#[derive(Default)]
pub struct InvoicesV1;

#[OpenApi(tag = "ApiTags::Billing")]
impl InvoicesV1 {
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
        let page = PageRequest::new(page.0, per_page.0);
        let caller = auth.caller();
        let (rows, total) = ops::bills::invoices(
            &state.ctx(),
            &caller,
            customer_id.0,
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(InvoiceList::of(rows, total, &page)))
    }
}

/// The answer a bill create gives (and its `Idempotency-Key` replays).
fn created(bill: BillRow) -> Result<String, String> {
    json(&BillOne::of(bill))
}

#[derive(Default)]
pub struct BillsV2;

#[OpenApi(tag = "ApiTags::Billing")]
impl BillsV2 {
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
        let caller = auth.caller();
        list_page(
            &state,
            caller,
            page.0,
            per_page.0,
            customer_id.0,
            status.0,
            from.0,
            to.0,
        )
        .await
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
        let once = Once::new(idempotency_key.0, 201, created);
        let caller = auth.caller();
        let answer = ops::bills::create(&state.ctx(), &caller, body.0 .0, once).await?;
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
        let bill = ops::bills::get(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Json(BillOne::of(bill)))
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
        let caller = auth.caller();
        let bill = ops::bills::update(&state.ctx(), &caller, id.0, body.0 .0).await?;
        Ok(Json(BillOne::of(bill)))
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
    ) -> ApiResult<Deleted> {
        ops::bills::delete(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Deleted::NoContent)
    }
}

/// A customer's bills (v2); its own part of the service only because the
/// document lists it after the customer's payments.
#[derive(Default)]
pub struct CustomerBillsV2;

#[OpenApi(tag = "ApiTags::Billing")]
impl CustomerBillsV2 {
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
        let page = PageRequest::new(page.0, per_page.0);
        let caller = auth.caller();
        let (rows, total) =
            ops::bills::of_customer(&state.ctx(), &caller, id.0, page.limit(), page.offset())
                .await?;
        Ok(Json(BillList::of(rows, total, &page)))
    }
}
