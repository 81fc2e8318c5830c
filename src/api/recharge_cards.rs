//! Recharge cards: `GET /api/v1/recharge-cards`, and (additions) `POST
//! /api/v2/recharge-cards` to generate a batch, `PUT
//! /api/v2/recharge-cards/batches/{batch}` to issue a batch to an operator, and
//! `POST /api/v2/recharge-cards/redeem`.
//!
//! The reseller boundary: only the ISP (scope `cards:write`, which resellers'
//! staff never have) makes cards; a reseller's staff see and redeem only the
//! cards issued to their operator, and only for their own customers.

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
        payments::{AfterPayment, PaymentRecorded},
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    cards::{self, MAX_BATCH},
    clock::format_timestamp,
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        json_out::PreSerialized,
        money::Amount,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    domain::money::Money,
    error::{ApiError, ApiResult},
    paginated, schema_as,
    state::AppState,
    store::{
        prepaid::RenewedBy,
        recharge_cards::{self, CardFilter, CardRow},
    },
};

/// A card as listed (never with its PIN).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct RechargeCard {
    pub id: i64,
    pub serial: String,
    pub value: Amount,
    pub currency: String,
    pub batch: String,
    /// The operator (distributor) the card was issued to; null: the ISP's own.
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// unused, used or void.
    pub status: String,
    #[oai(nullable)]
    pub used_by: Option<i64>,
    #[oai(nullable)]
    pub used_at: Option<String>,
    pub created_at: String,
}

impl From<CardRow> for RechargeCard {
    fn from(c: CardRow) -> Self {
        Self {
            id: c.id,
            serial: c.serial,
            value: Amount(c.value),
            currency: c.currency,
            batch: c.batch,
            operator_id: c.operator_id,
            status: c.status,
            used_by: c.used_by,
            used_at: c.used_at,
            created_at: c.created_at,
        }
    }
}

paginated!(RechargeCardList, RechargeCard);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum CardStatus {
    Unused,
    Used,
    Void,
}

/// A generated card with its PIN (shown only in this answer).
#[derive(Debug, Object)]
pub struct GeneratedCard {
    pub id: i64,
    pub serial: String,
    pub pin: String,
    pub value: Amount,
}

#[derive(Debug, Object)]
pub struct GeneratedBatch {
    pub batch: String,
    /// The operator the batch was issued to; null: the ISP's own.
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// The PINs appear here once; only their keyed hashes are stored.
    pub cards: Vec<GeneratedCard>,
}

#[derive(Debug, Object)]
pub struct GeneratedBatchOne {
    pub data: GeneratedBatch,
}

#[derive(ApiResponse)]
pub enum BatchCreated {
    #[oai(status = 201)]
    Created(Json<GeneratedBatchOne>),
}

#[derive(ApiResponse)]
pub enum Redeemed {
    /// The card paid: the payment, what it settled and the credit left.
    #[oai(status = 201)]
    Created(PreSerialized<PaymentRecorded>),
}

/// A batch to generate.
#[derive(Debug, Object)]
pub struct BatchInput {
    #[oai(validator(minimum(value = "1"), maximum(value = "5000")))]
    pub count: i64,
    /// Each card's value in major units.
    #[oai(validator(minimum(value = "0.01"), multiple_of = "0.01"))]
    pub value: f64,
    /// A name for the batch (letters, digits, `-`); default from the date.
    #[oai(nullable, validator(pattern = "^[A-Za-z0-9-]{1,32}$"))]
    pub batch: Option<String>,
    /// Issue the batch to this operator (a distributor): its staff can then see
    /// and redeem these cards for its own customers. Null: the ISP keeps it.
    #[oai(nullable, validator(minimum(value = "1")))]
    pub operator_id: Option<i64>,
}

pub struct NewBatch {
    count: usize,
    value: Money,
    batch: Option<String>,
    operator_id: Option<i64>,
}
schema_as!(NewBatch, BatchInput);

impl FromJsonObject for NewBatch {
    fn from_fields(f: &mut Fields) -> Self {
        let count = f.required_integer_in("count", 1, MAX_BATCH as i64);
        let value = f.required_money("value");
        if !f.has_error("value") && value.minor() == 0 {
            f.error("value", "The value must be greater than 0.");
        }
        let batch = f.optional_nonblank("batch");
        if batch.as_ref().is_some_and(|b| {
            b.len() > 32 || !b.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }) {
            f.error(
                "batch",
                "The batch may contain letters, digits and - (32 at most).",
            );
        }
        let operator_id = f.optional_reference("operator_id");
        Self {
            count: usize::try_from(count).unwrap_or(1),
            value,
            batch,
            operator_id,
        }
    }
}

/// Who holds a batch.
#[derive(Debug, Object)]
pub struct BatchAssignInput {
    /// The operator to issue the batch's unused cards to; null gives them back
    /// to the ISP.
    #[oai(validator(minimum(value = "1")))]
    pub operator_id: Option<i64>,
}

pub struct BatchAssign {
    operator_id: Option<i64>,
}
schema_as!(BatchAssign, BatchAssignInput);

impl FromJsonObject for BatchAssign {
    fn from_fields(f: &mut Fields) -> Self {
        if !f.present("operator_id") {
            f.error("operator_id", "The operator id field is required.");
        }
        Self {
            operator_id: f.optional_reference("operator_id"),
        }
    }
}

/// The batch after it was issued.
#[derive(Debug, Object)]
pub struct BatchAssigned {
    pub batch: String,
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// Unused cards that moved (used and void cards keep their owner).
    pub cards: u64,
}

#[derive(Debug, Object)]
pub struct BatchAssignedOne {
    pub data: BatchAssigned,
}

/// A card to redeem for a customer.
#[derive(Debug, Object)]
pub struct RedeemInput {
    #[oai(validator(minimum(value = "1")))]
    pub customer_id: i64,
    #[oai(validator(min_length = 1, max_length = 32))]
    pub pin: SingleLine,
}

pub struct Redeem {
    customer_id: i64,
    pin: String,
}
schema_as!(Redeem, RedeemInput);

impl FromJsonObject for Redeem {
    fn from_fields(f: &mut Fields) -> Self {
        let customer_id = f.required_integer("customer_id");
        let pin = f.required_string("pin");
        Self { customer_id, pin }
    }
}

#[derive(Default)]
pub struct RechargeCardsApi;

#[OpenApi(tag = "ApiTags::Billing")]
impl RechargeCardsApi {
    /// List recharge cards (v1)
    ///
    /// Newest first; filter by `status`, `batch` and `operator_id`. PINs are
    /// never shown here. A reseller's staff see only their operator's cards.
    #[oai(
        path = "/api/v1/recharge-cards",
        method = "get",
        operation_id = "v1_recharge_cards_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        status: Query<Option<CardStatus>>,
        #[oai(validator(max_length = 32))] batch: Query<Option<SingleLine>>,
        #[oai(validator(minimum(value = "1")))] operator_id: Query<Option<i64>>,
    ) -> ApiResult<Json<RechargeCardList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let filter = CardFilter {
            vis: auth.0.visibility(),
            status: status.0.map(|s| {
                match s {
                    CardStatus::Unused => "unused",
                    CardStatus::Used => "used",
                    CardStatus::Void => "void",
                }
                .to_string()
            }),
            batch: batch.0.map(SingleLine::into_inner),
            operator_id: operator_id.0,
        };
        let (rows, total) = state
            .db
            .read_async(move |c| recharge_cards::list(c, &filter, page.limit(), page.offset()))
            .await?;
        Ok(Json(RechargeCardList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
    }

    /// Generate a batch of recharge cards (v2, addition)
    ///
    /// `{count, value, batch?, operator_id?}` → 201 with every card's serial
    /// and PIN, shown only in this answer. Only the ISP makes cards (scope
    /// `cards:write`).
    #[oai(
        path = "/api/v2/recharge-cards",
        method = "post",
        operation_id = "v2_recharge_cards_generate"
    )]
    async fn generate(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CardsWrite")] _auth: V2Auth,
        body: JsonBody<NewBatch>,
    ) -> ApiResult<BatchCreated> {
        let NewBatch {
            count,
            value,
            batch,
            operator_id,
        } = body.0;
        let now = state.clock.now();
        let batch = batch.unwrap_or_else(|| format!("B{}", now.unix_timestamp()));
        let (db, key, stamp, name) = (
            state.db.clone(),
            state.pin_key.clone(),
            format_timestamp(now),
            batch.clone(),
        );
        let cards = tokio::task::spawn_blocking(move || {
            cards::generate(&db, &key, &name, count, value, operator_id, &stamp)
        })
        .await
        .map_err(ApiError::internal)??;
        Ok(BatchCreated::Created(Json(GeneratedBatchOne {
            data: GeneratedBatch {
                batch,
                operator_id,
                cards: cards
                    .into_iter()
                    .map(|c| GeneratedCard {
                        id: c.id,
                        serial: c.serial,
                        pin: c.pin,
                        value: Amount(c.value),
                    })
                    .collect(),
            },
        })))
    }

    /// Issue a batch of recharge cards to an operator (v2, addition)
    ///
    /// `{operator_id}` gives the batch's unused cards to that operator (a
    /// distributor); `{"operator_id": null}` gives them back to the ISP.
    /// Unknown batch: 404.
    #[oai(
        path = "/api/v2/recharge-cards/batches/:batch",
        method = "put",
        operation_id = "v2_recharge_cards_assign_batch"
    )]
    async fn assign_batch(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CardsWrite")] _auth: V2Auth,
        #[oai(validator(min_length = 1, max_length = 32))] batch: Path<String>,
        body: JsonBody<BatchAssign>,
    ) -> ApiResult<Json<BatchAssignedOne>> {
        let operator_id = body.0.operator_id;
        let name = batch.0.clone();
        let cards = state
            .db
            .write_async(move |tx| recharge_cards::assign_batch(tx, &name, operator_id))
            .await?;
        Ok(Json(BatchAssignedOne {
            data: BatchAssigned {
                batch: batch.0,
                operator_id,
                cards,
            },
        }))
    }

    /// Redeem a recharge card (v2, addition)
    ///
    /// `{customer_id, pin}` → 201 with the `recharge_card` payment it made. A
    /// card pays once, even when redeemed at the same moment twice; an unknown
    /// or used PIN is 422. A card issued to an operator pays only for that
    /// operator's customers; a reseller's staff redeem only their operator's
    /// cards (the renewal is then paid by the card, not the operator's funds).
    #[oai(
        path = "/api/v2/recharge-cards/redeem",
        method = "post",
        operation_id = "v2_recharge_cards_redeem"
    )]
    async fn redeem(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<Redeem>,
    ) -> ApiResult<Redeemed> {
        let Redeem { customer_id, pin } = body.0;
        let hash = cards::pin_hash(&state.pin_key, &pin);
        let vis = auth.0.visibility();
        let after = AfterPayment::new(&state, RenewedBy::Isp);
        let now = format_timestamp(after.now);
        // The replay key is the PIN's hash, never the PIN.
        let request = (customer_id, hash.clone());
        let answer = write_once(
            &state,
            auth.0.label(),
            idempotency_key.0,
            &request,
            201,
            move |tx| {
                let recorded = recharge_cards::redeem(tx, &hash, customer_id, vis, &now)?;
                after.apply(tx, customer_id)?;
                to_json(&PaymentRecorded::from(recorded))
            },
        )
        .await?;
        Ok(Redeemed::Created(PreSerialized::new(answer)))
    }
}
