//! API v2 customers: list, create, get, update, delete, and subscriptions.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::contract::text::SingleLine;
use crate::{
    api::{
        customers::{
            ops, CreateCustomer, CustomerSort, StatusFilter, Subscription, UpdateCustomer,
            V2Customer,
        },
        security::V2Auth,
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        filters::TimeBound,
        json_out::JsonOut,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    paginated,
    state::AppState,
};

paginated!(V2CustomerList, V2Customer);
paginated!(SubscriptionList, Subscription);

#[derive(Debug, Object, serde::Serialize)]
pub struct V2CustomerOne {
    pub data: V2Customer,
}

#[derive(ApiResponse)]
pub enum V2CustomerCreated {
    #[oai(status = 201)]
    Created(Json<V2CustomerOne>),
}

#[derive(ApiResponse)]
pub enum V2CustomerDeleted {
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct V2CustomersApi;

#[OpenApi(tag = "ApiTags::Customers")]
impl V2CustomersApi {
    /// List customers (v2)
    ///
    /// Paginated. Filters: `status`, `package_id`, `operator_id`, `search` (part of
    /// the name, phone, email or login name), `from`/`to` (created), `sort`
    /// (default `-created_at`). A reseller's staff see only their customers.
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
    ) -> ApiResult<JsonOut<V2CustomerList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let filter = crate::api::customers::filter(
            status.0,
            package_id.0,
            operator_id.0,
            search.0.map(SingleLine::into_inner),
            from.0,
            to.0,
            sort.0,
        );
        let (rows, total) = ops::list(&state, &auth.0, filter, page).await?;
        Ok(JsonOut(V2CustomerList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
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
        let row = ops::create(&state, &auth.0, body.0).await?;
        Ok(V2CustomerCreated::Created(Json(V2CustomerOne {
            data: row.into(),
        })))
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
    ) -> ApiResult<JsonOut<V2CustomerOne>> {
        let row = ops::get(&state, &auth.0, id.0).await?;
        Ok(JsonOut(V2CustomerOne { data: row.into() }))
    }

    /// Update a customer (v2)
    ///
    /// Only the fields sent change; status and balance cannot be set here. A new
    /// `package_id` ends the current subscription and starts the next.
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
        let row = ops::update(&state, &auth.0, id.0, body.0).await?;
        Ok(Json(V2CustomerOne { data: row.into() }))
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
    ) -> ApiResult<V2CustomerDeleted> {
        ops::delete(&state, &auth.0, id.0).await?;
        Ok(V2CustomerDeleted::NoContent)
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
        let (rows, total) = ops::subscriptions(&state, &auth.0, id.0, page).await?;
        Ok(Json(SubscriptionList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
    }
}
