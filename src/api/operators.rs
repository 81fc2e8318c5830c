//! Operators (resellers), API v1: list, create, update, fund, suspend; and
//! their answer shapes.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{security::V1Auth, ApiTags},
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        json_out::PreSerialized,
        money::Amount,
        operators::{Fund, NewOperator, OperatorChanges, OperatorStatus},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    ops, paginated,
    state::AppState,
    store::operators::OperatorRow,
};

/// A reseller.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Operator {
    pub id: i64,
    pub name: String,
    #[oai(nullable)]
    pub email: Option<String>,
    #[oai(nullable)]
    pub phone: Option<String>,
    /// Funds the operator holds, in major units.
    pub balance: Amount,
    /// active or suspended.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<OperatorRow> for Operator {
    fn from(o: OperatorRow) -> Self {
        Self {
            id: o.id,
            name: o.name,
            email: o.email,
            phone: o.phone,
            balance: Amount(o.balance),
            status: o.status,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

paginated!(OperatorList, Operator);

#[derive(Debug, Object, serde::Serialize)]
pub struct OperatorOne {
    pub data: Operator,
}

impl OperatorOne {
    /// The answer as JSON text (what an `Idempotency-Key` replays).
    fn json(row: OperatorRow) -> Result<String, String> {
        serde_json::to_string(&OperatorOne { data: row.into() }).map_err(|e| e.to_string())
    }
}

#[derive(ApiResponse)]
pub enum Funded {
    /// Funded (or, for a repeated Idempotency-Key, the first answer again).
    #[oai(status = 200)]
    Ok(PreSerialized<OperatorOne>),
}

#[derive(ApiResponse)]
pub enum OperatorCreated {
    #[oai(status = 201)]
    Created(Json<OperatorOne>),
}

fn one(row: OperatorRow) -> Json<OperatorOne> {
    Json(OperatorOne { data: row.into() })
}

#[derive(Default)]
pub struct OperatorsV1;

#[OpenApi(tag = "ApiTags::Operators")]
impl OperatorsV1 {
    /// List operators (v1)
    ///
    /// A reseller's own staff see only their operator.
    #[oai(
        path = "/api/v1/operators",
        method = "get",
        operation_id = "v1_operators_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OperatorsRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        status: Query<Option<OperatorStatus>>,
    ) -> ApiResult<Json<OperatorList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let status = status.0.map(OperatorStatus::as_str);
        let (rows, total) =
            ops::operators::list(&state.ctx(), &auth.caller(), status, page).await?;
        Ok(Json(OperatorList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
    }

    /// Create an operator (v1)
    #[oai(
        path = "/api/v1/operators",
        method = "post",
        operation_id = "v1_operators_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OperatorsWrite")] auth: V1Auth,
        body: JsonBody<NewOperator>,
    ) -> ApiResult<OperatorCreated> {
        let row = ops::operators::create(&state.ctx(), &auth.caller(), body.0 .0).await?;
        Ok(OperatorCreated::Created(one(row)))
    }

    /// Update an operator (v1)
    ///
    /// Only the fields sent change.
    #[oai(
        path = "/api/v1/operators/:id",
        method = "put",
        operation_id = "v1_operators_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OperatorsWrite")] auth: V1Auth,
        id: Path<i64>,
        body: JsonBody<OperatorChanges>,
    ) -> ApiResult<Json<OperatorOne>> {
        let row = ops::operators::update(&state.ctx(), &auth.caller(), id.0, body.0 .0).await?;
        Ok(one(row))
    }

    /// Add funds to an operator (v1)
    ///
    /// `{"amount","note"}`: appends a row to the operator's ledger; the balance is
    /// the ledger's sum, exact to the poisha.
    #[oai(
        path = "/api/v1/operators/:id/fund",
        method = "post",
        operation_id = "v1_operators_fund"
    )]
    async fn fund(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OperatorsWrite")] auth: V1Auth,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<Option<String>>,
        id: Path<i64>,
        body: JsonBody<Fund>,
    ) -> ApiResult<Funded> {
        let Fund { amount, note } = body.0;
        let funds = ops::operators::Funds { amount, note };
        let answer = ops::operators::fund(
            &state.ctx(),
            &auth.caller(),
            id.0,
            funds,
            idempotency_key.0,
            OperatorOne::json,
        )
        .await?;
        Ok(Funded::Ok(PreSerialized::new(answer)))
    }

    /// Suspend an operator (v1)
    ///
    /// The operator's status becomes `suspended`; its staff keep read access.
    #[oai(
        path = "/api/v1/operators/:id/suspend",
        method = "post",
        operation_id = "v1_operators_suspend"
    )]
    async fn suspend(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OperatorsWrite")] auth: V1Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<OperatorOne>> {
        let row = ops::operators::suspend(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(one(row))
    }
}
