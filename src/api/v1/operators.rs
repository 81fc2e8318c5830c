//! API v1 operators (resellers): list, create, update, suspend. Funding belongs
//! to billing.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    ApiResponse, Enum, Object, OpenApi,
};

use crate::contract::text::SingleLine;
use crate::{
    api::{
        idempotent::{to_json, write_once},
        security::V1Auth,
        ApiTags,
    },
    auth::scope::Scope,
    clock::format_timestamp,
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        json_out::PreSerialized,
        money::Amount,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    domain::{customer::normalise_phone, staff::normalise_email},
    error::{ApiError, ApiResult},
    paginated, schema_as,
    state::AppState,
    store::operators::{self, OperatorFields, OperatorRow},
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

/// An operator's fields (name required on create; on update only what is sent changes).
#[derive(Debug, Object)]
pub struct OperatorInput {
    #[oai(nullable, validator(min_length = 1, max_length = 255))]
    pub name: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 3, max_length = 254))]
    pub email: Option<SingleLine>,
    #[oai(
        nullable,
        validator(pattern = r"^(\+?880|0)1[3-9][0-9]{8}$|^\+[1-9][0-9]{7,14}$")
    )]
    pub phone: Option<String>,
}

/// The create body: as [`OperatorInput`] with `name` required.
#[derive(Debug, Object)]
pub struct OperatorCreateInput {
    #[oai(validator(min_length = 1, max_length = 255))]
    pub name: SingleLine,
    #[oai(nullable, validator(min_length = 3, max_length = 254))]
    pub email: Option<SingleLine>,
    #[oai(
        nullable,
        validator(pattern = r"^(\+?880|0)1[3-9][0-9]{8}$|^\+[1-9][0-9]{7,14}$")
    )]
    pub phone: Option<String>,
}

pub struct NewOperator(OperatorFields);
pub struct OperatorChanges(OperatorFields);
schema_as!(NewOperator, OperatorCreateInput);
schema_as!(OperatorChanges, OperatorInput);

fn read(f: &mut Fields, creating: bool) -> OperatorFields {
    let name = if creating || f.present("name") {
        let n = f.required_string("name");
        if n.chars().count() > 255 {
            f.error("name", "The name may not be longer than 255 characters.");
        }
        Some(n)
    } else {
        None
    };
    let email = f.optional_nonblank("email").and_then(|e| {
        let n = normalise_email(&e);
        if n.is_none() {
            f.error("email", "The email must be a valid email address.");
        }
        n
    });
    let phone = f.optional_nonblank("phone").and_then(|p| {
        let n = normalise_phone(&p);
        if n.is_none() {
            f.error("phone", "The phone must be a valid mobile number (01XXXXXXXXX or +8801XXXXXXXXX, or E.164).");
        }
        n
    });
    OperatorFields { name, email, phone }
}

impl FromJsonObject for NewOperator {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read(f, true))
    }
}

impl FromJsonObject for OperatorChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read(f, false))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum OperatorStatus {
    Active,
    Suspended,
}

/// Funds for an operator.
#[derive(Debug, Object)]
pub struct FundInput {
    /// In major units, more than 0, at most 2 decimals.
    #[oai(validator(minimum(value = "0.01"), multiple_of = "0.01"))]
    pub amount: f64,
    #[oai(nullable, validator(max_length = 500))]
    pub note: Option<SingleLine>,
}

pub struct Fund {
    amount: crate::domain::money::Money,
    note: Option<String>,
}
schema_as!(Fund, FundInput);

impl FromJsonObject for Fund {
    fn from_fields(f: &mut Fields) -> Self {
        let amount = f.required_money("amount");
        if !f.has_error("amount") && amount.minor() == 0 {
            f.error("amount", "The amount must be greater than 0.");
        }
        let note = f.optional_string("note");
        if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            f.error("note", "The note may not be longer than 500 characters.");
        }
        Self { amount, note }
    }
}

#[derive(Default)]
pub struct V1OperatorsApi;

#[OpenApi(tag = "ApiTags::Operators")]
impl V1OperatorsApi {
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
        let only = auth.0.visibility().operator_id;
        let status = status.0.map(|s| match s {
            OperatorStatus::Active => "active",
            OperatorStatus::Suspended => "suspended",
        });
        let (rows, total) = state
            .db
            .read_async(move |c| operators::list(c, status, only, page.limit(), page.offset()))
            .await?;
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
        #[oai(scope = "Scope::OperatorsWrite")] _auth: V1Auth,
        body: JsonBody<NewOperator>,
    ) -> ApiResult<OperatorCreated> {
        let fields = body.0 .0;
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| operators::create(tx, &fields, &now))
            .await?;
        Ok(OperatorCreated::Created(Json(OperatorOne {
            data: row.into(),
        })))
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
        #[oai(scope = "Scope::OperatorsWrite")] _auth: V1Auth,
        id: Path<i64>,
        body: JsonBody<OperatorChanges>,
    ) -> ApiResult<Json<OperatorOne>> {
        let fields = body.0 .0;
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| operators::update(tx, id.0, &fields, &now))
            .await?;
        Ok(Json(OperatorOne { data: row.into() }))
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
        let now = format_timestamp(state.clock.now());
        let request = (id.0, amount, note.clone());
        let answer = write_once(
            &state,
            auth.0.label(),
            idempotency_key.0,
            &request,
            200,
            move |tx| {
                let row = operators::fund(tx, id.0, amount, note.as_deref(), &now)?;
                to_json(&OperatorOne { data: row.into() })
            },
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
        #[oai(scope = "Scope::OperatorsWrite")] _auth: V1Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<OperatorOne>> {
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| operators::set_status(tx, id.0, "suspended", &now))
            .await
            .map_err(ApiError::from)?;
        Ok(Json(OperatorOne { data: row.into() }))
    }
}
