//! Recharge cards in the API: `GET /api/v1/recharge-cards`, and (additions)
//! `POST /api/v2/recharge-cards` to generate a batch, `PUT
//! /api/v2/recharge-cards/batches/{batch}` to issue a batch to an operator, and
//! `POST /api/v2/recharge-cards/redeem`; each a call into `ops::cards`. The
//! request bodies and the answer shapes are in `contract::cards`; this file
//! holds the routes and their status codes.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    OpenApi,
};

use crate::contract::text::SingleLine;
use crate::{
    api::{
        payments::recorded,
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        cards::{
            BatchAssign, BatchAssigned, BatchAssignedOne, CardStatus, GeneratedBatch,
            GeneratedBatchOne, GeneratedCard, NewBatch, RechargeCardList, Redeem,
        },
        json_out::PreSerialized,
        money::Amount,
        pagination::{PageParam, PageRequest, PerPageParam},
        payments::PaymentRecorded,
    },
    created,
    error::ApiResult,
    ops::{self, Once},
    state::AppState,
};

created!(BatchCreated, Json<GeneratedBatchOne>);

/// What the operation made, as the answer shows it (the operation's value is
/// above the wire contracts, so the mapping stands here).
impl From<ops::cards::Generated> for GeneratedBatch {
    fn from(made: ops::cards::Generated) -> Self {
        Self {
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
        }
    }
}
created!(
    /// The card paid: the payment, what it settled and the credit left.
    Redeemed,
    PreSerialized<PaymentRecorded>
);

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
    /// `{count, value, batch?, operator_id?, package_id?}` → 201 with every
    /// card's serial and PIN, shown only in this answer. With `package_id`
    /// the cards are hotspot vouchers too (login = serial, password = PIN). Only the ISP makes cards (scope
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
            package_id,
        } = body.0;
        let caller = auth.caller();
        let made = ops::cards::generate(
            &state.ctx(),
            &caller,
            &state.pin_key,
            batch,
            crate::cards::BatchSpec {
                count,
                value,
                operator_id,
                package_id,
            },
        )
        .await?;
        Ok(BatchCreated::Created(Json(GeneratedBatchOne::of(made))))
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
        let batch = batch.0;
        Ok(Json(BatchAssignedOne::of(BatchAssigned {
            batch,
            operator_id,
            cards,
        })))
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
