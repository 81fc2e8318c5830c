//! Operators (resellers), API v1: list, create, update, fund, suspend; and
//! their answer shapes.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    ApiResponse, OpenApi,
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
        operators::{
            Fund, LedgerList, NewOperator, OperatorChanges, OperatorList, OperatorOne,
            OperatorStatus,
        },
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    created,
    error::ApiResult,
    ops,
    state::AppState,
    store::operators::OperatorRow,
};

#[derive(ApiResponse)]
pub enum Funded {
    /// Funded (or, for a repeated Idempotency-Key, the first answer again).
    #[oai(status = 200)]
    Ok(PreSerialized<OperatorOne>),
}

created!(OperatorCreated, Json<OperatorOne>);

fn one(row: OperatorRow) -> Json<OperatorOne> {
    Json(OperatorOne::of(row))
}

/// The answer a funding gives (and its `Idempotency-Key` replays).
fn funded(row: OperatorRow) -> Result<String, String> {
    json(&OperatorOne::of(row))
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
        Ok(Json(OperatorList::of(rows, total, &page)))
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
            funded,
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

#[derive(Default)]
pub struct OperatorsV2;

#[OpenApi(tag = "ApiTags::Operators")]
impl OperatorsV2 {
    /// An operator's ledger (v2, addition)
    ///
    /// Every movement of the operator's funds, newest first: `fund` (money
    /// in), `renewal` (a prepaid customer renewed at the wholesale price,
    /// `out`), `adjustment`. The balance is their sum. A reseller's own staff
    /// see only their operator's (another's is 404).
    #[oai(
        path = "/api/v2/operators/:id/ledger",
        method = "get",
        operation_id = "v2_operator_ledger"
    )]
    async fn ledger(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::OperatorsRead")] auth: V2Auth,
        id: Path<i64>,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<LedgerList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) =
            ops::operators::ledger(&state.ctx(), &auth.caller(), id.0, page).await?;
        Ok(Json(LedgerList::of(rows, total, &page)))
    }
}
