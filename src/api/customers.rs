//! Customers in the API, v1 and v2: the routes, each a call into
//! `ops::customers`, and their status codes. What they read and answer (the
//! bodies, the list values, the answer shapes) is in `contract::customers`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    OpenApi,
};

use crate::contract::text::SingleLine;
use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        answer::{one_body, Deleted},
        body::JsonBody,
        customers::{
            filter, write_v1, write_v2, CreateCustomer, CustomerAction, CustomerActionRequest,
            CustomerSort, StatusFilter, SubscriptionList, SubscriptionStatus, UpdateCustomer,
            V1CustomerList, V1CustomerOne, V2CustomerList, V2CustomerOne,
        },
        filters::TimeBound,
        json_out::JsonBytes,
        pagination::{page_body, PageParam, PageRequest, PerPageParam},
    },
    created,
    error::{ApiError, ApiResult},
    ops::{self, customers::RowWriter, Caller},
    state::AppState,
    store::customers::CustomerRow,
};

created!(V1CustomerCreated, Json<V1CustomerOne>);
created!(V2CustomerCreated, Json<V2CustomerOne>);

/// The list both versions answer: one page of the customers the caller sees,
/// each written as its version shows a customer (`write`), under `L`'s schema.
#[allow(clippy::too_many_arguments)]
async fn list_page<L>(
    state: &AppState,
    caller: Caller,
    page: PageParam,
    per_page: PerPageParam,
    status: Option<StatusFilter>,
    package_id: Option<i64>,
    operator_id: Option<i64>,
    search: Option<SingleLine>,
    from: Option<TimeBound>,
    to: Option<TimeBound>,
    sort: Option<CustomerSort>,
    due: bool,
    write: RowWriter,
) -> ApiResult<JsonBytes<L>> {
    let page = PageRequest::new(page, per_page);
    let search = search.map(SingleLine::into_inner);
    let filter = filter(status, package_id, operator_id, search, from, to, sort, due);
    let window = (page.limit(), page.offset());
    let (data, total) =
        ops::customers::list_json(&state.ctx(), &caller, filter, window, write).await?;
    let meta = page.meta_capped(total.n, total.capped);
    let body = page_body(&data, &meta).map_err(ApiError::internal)?;
    Ok(JsonBytes::new(body))
}

/// Both creates: the new customer's row.
async fn create(state: &AppState, caller: Caller, body: CreateCustomer) -> ApiResult<CustomerRow> {
    let (ctx, key) = (state.ctx(), &state.seal_key);
    Ok(ops::customers::create(&ctx, &caller, key, body.0, body.1).await?)
}

#[derive(Default)]
pub struct CustomersV1;

#[OpenApi(tag = "ApiTags::Customers")]
impl CustomersV1 {
    /// List customers (v1)
    ///
    /// Paginated; the same filters as v2 (`status`, `package_id`, `operator_id`,
    /// `search`, `from`, `to`, `sort`). `package` is the package's name.
    #[oai(
        path = "/api/v1/customers",
        method = "get",
        operation_id = "v1_customers_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        status: Query<Option<StatusFilter>>,
        #[oai(validator(minimum(value = "1")))] package_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1")))] operator_id: Query<Option<i64>>,
        #[oai(validator(max_length = 100))] search: Query<Option<SingleLine>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
        sort: Query<Option<CustomerSort>>,
    ) -> ApiResult<JsonBytes<V1CustomerList>> {
        let caller = auth.caller();
        list_page(
            &state,
            caller,
            page.0,
            per_page.0,
            status.0,
            package_id.0,
            operator_id.0,
            search.0,
            from.0,
            to.0,
            sort.0,
            false,
            write_v1,
        )
        .await
    }

    /// Create a customer (v1)
    ///
    /// 201 with the customer (`package` is the package's name); emits `customer.created`.
    #[oai(
        path = "/api/v1/customers",
        method = "post",
        operation_id = "v1_customers_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersWrite")] auth: V1Auth,
        body: JsonBody<CreateCustomer>,
    ) -> ApiResult<V1CustomerCreated> {
        let row = create(&state, auth.caller(), body.0).await?;
        Ok(V1CustomerCreated::Created(Json(V1CustomerOne::of(row))))
    }

    /// Retrieve a customer (v1)
    #[oai(
        path = "/api/v1/customers/:id",
        method = "get",
        operation_id = "v1_customers_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V1Auth,
        id: Path<i64>,
    ) -> ApiResult<JsonBytes<V1CustomerOne>> {
        let item = ops::customers::get_json(&state.ctx(), &auth.caller(), id.0, write_v1).await?;
        Ok(JsonBytes::new(one_body(&item)))
    }

    /// Perform an action on a customer (v1)
    ///
    /// `{"action":"suspend"|"activate"|"disconnect","reason"?}`. Suspend and
    /// activate change the status and emit `customer.suspended` /
    /// `customer.activated` (nothing happens, and nothing is emitted, when the
    /// customer already has that status). Disconnect ends the customer's live
    /// session on its router (over its API, or with a RADIUS
    /// Disconnect-Request when the router is in RADIUS mode); a customer
    /// without a router answers 409.
    #[oai(
        path = "/api/v1/customers/:id/action",
        method = "post",
        operation_id = "v1_customers_action"
    )]
    async fn action(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersWrite")] auth: V1Auth,
        id: Path<i64>,
        body: JsonBody<CustomerActionRequest>,
    ) -> ApiResult<Json<V1CustomerOne>> {
        let CustomerActionRequest { action, reason } = body.0;
        let reason = reason.unwrap_or_else(|| "manual".into());
        let (ctx, caller) = (state.ctx(), auth.caller());
        let row = match action {
            CustomerAction::Suspend => {
                ops::customers::set_status(&ctx, &caller, id.0, "suspended", reason).await?
            }
            CustomerAction::Activate => {
                ops::customers::set_status(&ctx, &caller, id.0, "active", reason).await?
            }
            CustomerAction::Disconnect => {
                ops::customers::disconnect(&ctx, &caller, &state.routers, id.0).await?
            }
        };
        Ok(Json(V1CustomerOne::of(row)))
    }
}

#[derive(Default)]
pub struct CustomersV2;

#[OpenApi(tag = "ApiTags::Customers")]
impl CustomersV2 {
    /// List customers (v2)
    ///
    /// Paginated. Filters: `status`, `package_id`, `operator_id`, `search` (part of
    /// the name, phone, email or login name), `from`/`to` (created), `due`
    /// (`true`: only customers with a bill unpaid or partly paid; an
    /// addition), `sort` (default `-created_at`). A reseller's staff see only
    /// their customers.
    /// A search (three characters or more) in the default order counts at most
    /// 100 matches past the page: `meta.total_capped` is then `true`.
    #[oai(
        path = "/api/v2/customers",
        method = "get",
        operation_id = "v2_customers_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        status: Query<Option<StatusFilter>>,
        #[oai(validator(minimum(value = "1")))] package_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1")))] operator_id: Query<Option<i64>>,
        #[oai(validator(max_length = 100))] search: Query<Option<SingleLine>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
        sort: Query<Option<CustomerSort>>,
        due: Query<Option<bool>>,
    ) -> ApiResult<JsonBytes<V2CustomerList>> {
        let caller = auth.caller();
        list_page(
            &state,
            caller,
            page.0,
            per_page.0,
            status.0,
            package_id.0,
            operator_id.0,
            search.0,
            from.0,
            to.0,
            sort.0,
            due.0.unwrap_or(false),
            write_v2,
        )
        .await
    }

    /// Create a customer (v2)
    ///
    /// 201 with the customer; emits `customer.created`. `phone` is stored in its
    /// normal form; `package_id` must exist; `email` and the login name are unique.
    #[oai(
        path = "/api/v2/customers",
        method = "post",
        operation_id = "v2_customers_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersWrite")] auth: V2Auth,
        body: JsonBody<CreateCustomer>,
    ) -> ApiResult<V2CustomerCreated> {
        let row = create(&state, auth.caller(), body.0).await?;
        Ok(V2CustomerCreated::Created(Json(V2CustomerOne::of(row))))
    }

    /// Retrieve a customer (v2)
    #[oai(
        path = "/api/v2/customers/:id",
        method = "get",
        operation_id = "v2_customers_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<JsonBytes<V2CustomerOne>> {
        let item = ops::customers::get_json(&state.ctx(), &auth.caller(), id.0, write_v2).await?;
        Ok(JsonBytes::new(one_body(&item)))
    }

    /// Update a customer (v2)
    ///
    /// Only the fields sent change; status and balance cannot be set here. A new
    /// `package_id` ends the current subscription and starts the next. An edit
    /// that changes something emits `customer.updated` (with the changed
    /// fields' names), a new package also `package.changed`, and writes the
    /// change into the audit trail.
    #[oai(
        path = "/api/v2/customers/:id",
        method = "put",
        operation_id = "v2_customers_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<UpdateCustomer>,
    ) -> ApiResult<Json<V2CustomerOne>> {
        let caller = auth.caller();
        let row = ops::customers::update(
            &state.ctx(),
            &caller,
            &state.seal_key,
            id.0,
            body.0 .0,
            body.0 .1,
        )
        .await?;
        Ok(Json(V2CustomerOne::of(row)))
    }

    /// Delete a customer (v2)
    #[oai(
        path = "/api/v2/customers/:id",
        method = "delete",
        operation_id = "v2_customers_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        ops::customers::delete(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Deleted::NoContent)
    }

    /// Customer subscriptions (v2)
    ///
    /// The customer's packages over time, newest first.
    #[oai(
        path = "/api/v2/customers/:id/subscriptions",
        method = "get",
        operation_id = "v2_customer_subscriptions"
    )]
    async fn subscriptions(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        id: Path<i64>,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<SubscriptionList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let caller = auth.caller();
        let (rows, total) =
            ops::customers::subscriptions(&state.ctx(), &caller, id.0, page.limit(), page.offset())
                .await?;
        Ok(Json(SubscriptionList::of(rows, total, &page)))
    }
}

#[derive(Default)]
pub struct SubscriptionsV1;

#[OpenApi(tag = "ApiTags::Billing")]
impl SubscriptionsV1 {
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
        let page = PageRequest::new(page.0, per_page.0);
        let status = status.0.map(SubscriptionStatus::as_str);
        let caller = auth.caller();
        let (rows, total) = ops::customers::all_subscriptions(
            &state.ctx(),
            &caller,
            status,
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(SubscriptionList::of(rows, total, &page)))
    }
}
