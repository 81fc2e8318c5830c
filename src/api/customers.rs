//! Customers in the API, v1 and v2: the answer shapes (row → JSON) and the
//! routes, each a call into `ops::customers`. The request bodies and list
//! values are in `contract::customers`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::contract::text::SingleLine;
use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        customers::{
            filter, CreateCustomer, CustomerAction, CustomerActionRequest, CustomerSort,
            StatusFilter, SubscriptionStatus, UpdateCustomer,
        },
        filters::TimeBound,
        json_out::JsonOut,
        money::Amount,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    ops::{self, Caller},
    paginated,
    state::AppState,
    store::customers::CustomerRow,
};

/// `{id, name}` of a customer's package (v2).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct PackageRef {
    pub id: i64,
    pub name: String,
}

/// A customer in API v2.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct V2Customer {
    pub id: i64,
    pub name: String,
    #[oai(nullable)]
    pub email: Option<String>,
    pub phone: String,
    #[oai(nullable)]
    pub address: Option<String>,
    #[oai(nullable)]
    pub package: Option<PackageRef>,
    pub connection_type: String,
    /// active, suspended, inactive or expired.
    pub status: String,
    #[oai(nullable)]
    pub onu_mac: Option<String>,
    #[oai(nullable)]
    pub username: Option<String>,
    #[oai(nullable)]
    pub router_id: Option<i64>,
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// Credit (positive) the customer holds, in major units.
    pub balance: Amount,
    /// When the current paid period ends.
    #[oai(nullable)]
    pub expires_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CustomerRow> for V2Customer {
    fn from(c: CustomerRow) -> Self {
        Self {
            id: c.id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            package: c
                .package_id
                .zip(c.package_name)
                .map(|(id, name)| PackageRef { id, name }),
            connection_type: c.connection_type,
            status: c.status,
            onu_mac: c.onu_mac,
            username: c.username,
            router_id: c.router_id,
            operator_id: c.operator_id,
            balance: Amount(c.balance),
            expires_at: c.expires_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A customer in API v1: flatter, `package` is the package's name.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct V1Customer {
    pub id: i64,
    pub name: String,
    #[oai(nullable)]
    pub email: Option<String>,
    pub phone: String,
    #[oai(nullable)]
    pub address: Option<String>,
    /// The package's name.
    #[oai(nullable)]
    pub package: Option<String>,
    #[oai(nullable)]
    pub package_id: Option<i64>,
    pub connection_type: String,
    pub status: String,
    #[oai(nullable)]
    pub onu_mac: Option<String>,
    #[oai(nullable)]
    pub username: Option<String>,
    #[oai(nullable)]
    pub router_id: Option<i64>,
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    pub balance: Amount,
    #[oai(nullable)]
    pub expires_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CustomerRow> for V1Customer {
    fn from(c: CustomerRow) -> Self {
        Self {
            id: c.id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            package: c.package_name,
            package_id: c.package_id,
            connection_type: c.connection_type,
            status: c.status,
            onu_mac: c.onu_mac,
            username: c.username,
            router_id: c.router_id,
            operator_id: c.operator_id,
            balance: Amount(c.balance),
            expires_at: c.expires_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A subscription: a customer's package over a period.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Subscription {
    pub id: i64,
    pub customer_id: i64,
    pub package: PackageRef,
    pub starts_at: String,
    #[oai(nullable)]
    pub expires_at: Option<String>,
    #[oai(nullable)]
    pub ended_at: Option<String>,
    /// active, ended, expired or cancelled.
    pub status: String,
    pub auto_renew: bool,
}

impl From<crate::store::subscriptions::SubscriptionRow> for Subscription {
    fn from(s: crate::store::subscriptions::SubscriptionRow) -> Self {
        Self {
            id: s.id,
            customer_id: s.customer_id,
            package: PackageRef {
                id: s.package_id,
                name: s.package_name,
            },
            starts_at: s.starts_at,
            expires_at: s.expires_at,
            ended_at: s.ended_at,
            status: s.status,
            auto_renew: s.auto_renew,
        }
    }
}

paginated!(V1CustomerList, V1Customer);
paginated!(V2CustomerList, V2Customer);
paginated!(SubscriptionList, Subscription);

#[derive(Debug, Object, serde::Serialize)]
pub struct V1CustomerOne {
    pub data: V1Customer,
}

#[derive(ApiResponse)]
pub enum V1CustomerCreated {
    #[oai(status = 201)]
    Created(Json<V1CustomerOne>),
}

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

/// The list both versions answer: one page of the customers the caller sees.
#[allow(clippy::too_many_arguments)]
async fn list_page(
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
) -> ApiResult<(Vec<CustomerRow>, u64, PageRequest)> {
    let page = PageRequest::new(page, per_page);
    let search = search.map(SingleLine::into_inner);
    let filter = filter(status, package_id, operator_id, search, from, to, sort);
    let (rows, total) =
        ops::customers::list(&state.ctx(), &caller, filter, page.limit(), page.offset()).await?;
    Ok((rows, total, page))
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
    ) -> ApiResult<JsonOut<V1CustomerList>> {
        let (rows, total, page) = list_page(
            &state,
            Caller::from(&*auth.0),
            page.0,
            per_page.0,
            status.0,
            package_id.0,
            operator_id.0,
            search.0,
            from.0,
            to.0,
            sort.0,
        )
        .await?;
        Ok(JsonOut(V1CustomerList::of(rows, total, &page)))
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
        let caller = Caller::from(&*auth.0);
        let row =
            ops::customers::create(&state.ctx(), &caller, &state.seal_key, body.0 .0, body.0 .1)
                .await?;
        Ok(V1CustomerCreated::Created(Json(V1CustomerOne {
            data: row.into(),
        })))
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
    ) -> ApiResult<JsonOut<V1CustomerOne>> {
        let row = ops::customers::get(&state.ctx(), &Caller::from(&*auth.0), id.0).await?;
        Ok(JsonOut(V1CustomerOne { data: row.into() }))
    }

    /// Perform an action on a customer (v1)
    ///
    /// `{"action":"suspend"|"activate"|"disconnect","reason"?}`. Suspend and
    /// activate change the status and emit `customer.suspended` /
    /// `customer.activated` (nothing happens, and nothing is emitted, when the
    /// customer already has that status). Disconnect ends the customer's live
    /// session on its router; a customer without a router answers 409.
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
        let (ctx, caller) = (state.ctx(), Caller::from(&*auth.0));
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
        Ok(Json(V1CustomerOne { data: row.into() }))
    }
}

#[derive(Default)]
pub struct CustomersV2;

#[OpenApi(tag = "ApiTags::Customers")]
impl CustomersV2 {
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
        let (rows, total, page) = list_page(
            &state,
            Caller::from(&*auth.0),
            page.0,
            per_page.0,
            status.0,
            package_id.0,
            operator_id.0,
            search.0,
            from.0,
            to.0,
            sort.0,
        )
        .await?;
        Ok(JsonOut(V2CustomerList::of(rows, total, &page)))
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
        let caller = Caller::from(&*auth.0);
        let row =
            ops::customers::create(&state.ctx(), &caller, &state.seal_key, body.0 .0, body.0 .1)
                .await?;
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
        let row = ops::customers::get(&state.ctx(), &Caller::from(&*auth.0), id.0).await?;
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
        let caller = Caller::from(&*auth.0);
        let row = ops::customers::update(
            &state.ctx(),
            &caller,
            &state.seal_key,
            id.0,
            body.0 .0,
            body.0 .1,
        )
        .await?;
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
        ops::customers::delete(&state.ctx(), &Caller::from(&*auth.0), id.0).await?;
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
        let caller = Caller::from(&*auth.0);
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
        let caller = Caller::from(&*auth.0);
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
