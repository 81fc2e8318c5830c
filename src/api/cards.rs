//! Recharge cards in the API: `GET /api/v1/recharge-cards`, and (additions)
//! `POST /api/v2/recharge-cards` to generate a batch, `PUT
//! /api/v2/recharge-cards/batches/{batch}` to issue a batch to an operator, and
//! `POST /api/v2/recharge-cards/redeem`; each a call into `ops::cards`. The
//! request bodies are in `contract::cards`.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::contract::text::SingleLine;
use crate::{
    api::{
        payments::{recorded, PaymentRecorded},
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        cards::{BatchAssign, CardStatus, NewBatch, Redeem},
        json_out::PreSerialized,
        money::Amount,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    ops::{self, Once},
    paginated,
    state::AppState,
    store::recharge_cards::CardRow,
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

#[derive(Default)]
pub struct CardsV1;

#[OpenApi(tag = "ApiTags::Billing")]
impl CardsV1 {
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
        let (status, batch) = (
            status.0.map(CardStatus::as_str),
            batch.0.map(SingleLine::into_inner),
        );
        let caller = auth.caller();
        let (rows, total) = ops::cards::list(
            &state.ctx(),
            &caller,
            status,
            batch,
            operator_id.0,
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(RechargeCardList::of(rows, total, &page)))
    }
}

#[derive(Default)]
pub struct CardsV2;

#[OpenApi(tag = "ApiTags::Billing")]
impl CardsV2 {
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
        #[oai(scope = "Scope::CardsWrite")] auth: V2Auth,
        body: JsonBody<NewBatch>,
    ) -> ApiResult<BatchCreated> {
        let NewBatch {
            count,
            value,
            batch,
            operator_id,
        } = body.0;
        let caller = auth.caller();
        let made = ops::cards::generate(
            &state.ctx(),
            &caller,
            &state.pin_key,
            count,
            value,
            batch,
            operator_id,
        )
        .await?;
        Ok(BatchCreated::Created(Json(GeneratedBatchOne {
            data: GeneratedBatch {
                batch: made.batch,
                operator_id: made.operator_id,
                cards: made
                    .cards
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
        #[oai(scope = "Scope::CardsWrite")] auth: V2Auth,
        #[oai(validator(min_length = 1, max_length = 32))] batch: Path<String>,
        body: JsonBody<BatchAssign>,
    ) -> ApiResult<Json<BatchAssignedOne>> {
        let operator_id = body.0.operator_id;
        let caller = auth.caller();
        let cards =
            ops::cards::assign_batch(&state.ctx(), &caller, batch.0.clone(), operator_id).await?;
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
        let once = Once::new(idempotency_key.0, 201, recorded);
        let (caller, Redeem { customer_id, pin }) = (auth.caller(), body.0);
        let answer = ops::cards::redeem(
            &state.ctx(),
            &caller,
            &state.pin_key,
            customer_id,
            &pin,
            once,
        )
        .await?;
        Ok(Redeemed::Created(PreSerialized::new(answer)))
    }
}
