//! API v1 customers: list, create, get, and actions (suspend, activate, disconnect).

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Enum, Object, OpenApi,
};

use crate::contract::text::SingleLine;
use crate::{
    api::{
        customers::{ops, CreateCustomer, CustomerSort, StatusFilter, V1Customer},
        security::V1Auth,
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        filters::TimeBound,
        json_out::JsonOut,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::{ApiError, ApiResult, ErrorCode},
    paginated, schema_as,
    state::AppState,
};

paginated!(V1CustomerList, V1Customer);

#[derive(Debug, Object, serde::Serialize)]
pub struct V1CustomerOne {
    pub data: V1Customer,
}

#[derive(ApiResponse)]
pub enum V1CustomerCreated {
    #[oai(status = 201)]
    Created(Json<V1CustomerOne>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum CustomerAction {
    Suspend,
    Activate,
    Disconnect,
}

/// An action on a customer.
#[derive(Debug, Object)]
pub struct CustomerActionInput {
    /// suspend, activate or disconnect.
    pub action: CustomerAction,
    /// Why (kept in the event and shown to integrators).
    #[oai(nullable, validator(max_length = 500))]
    pub reason: Option<SingleLine>,
}

pub struct CustomerActionRequest {
    action: CustomerAction,
    reason: Option<String>,
}

schema_as!(CustomerActionRequest, CustomerActionInput);

impl FromJsonObject for CustomerActionRequest {
    fn from_fields(f: &mut Fields) -> Self {
        let action = match f.required_string("action").as_str() {
            "suspend" => CustomerAction::Suspend,
            "activate" => CustomerAction::Activate,
            "disconnect" => CustomerAction::Disconnect,
            _ => {
                if !f.has_error("action") {
                    f.error(
                        "action",
                        "The selected action is invalid (suspend, activate or disconnect).",
                    );
                }
                CustomerAction::Suspend
            }
        };
        let reason = f.optional_string("reason");
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            f.error(
                "reason",
                "The reason may not be longer than 500 characters.",
            );
        }
        Self { action, reason }
    }
}

#[derive(Default)]
pub struct V1CustomersApi;

#[OpenApi(tag = "ApiTags::Customers")]
impl V1CustomersApi {
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
        Ok(JsonOut(V1CustomerList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
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
        let row = ops::create(&state, &auth.0, body.0).await?;
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
        let row = ops::get(&state, &auth.0, id.0).await?;
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
        let row = match action {
            CustomerAction::Suspend => {
                ops::set_status(&state, &auth.0, id.0, "suspended", reason).await?
            }
            CustomerAction::Activate => {
                ops::set_status(&state, &auth.0, id.0, "active", reason).await?
            }
            CustomerAction::Disconnect => {
                let customer = ops::get(&state, &auth.0, id.0).await?;
                if customer.router_id.is_none() {
                    return Err(ApiError::new(
                        ErrorCode::Conflict,
                        "This customer has no router, so there is no session to disconnect.",
                    ));
                }
                crate::ops::routers::disconnect(
                    &state.ctx(),
                    &crate::ops::Caller::from(&*auth.0),
                    &state.routers,
                    customer.id,
                    customer.router_id,
                )
                .await?;
                customer
            }
        };
        Ok(Json(V1CustomerOne { data: row.into() }))
    }
}
