//! SMS: `POST /api/v1/sms/send`, `GET /api/v1/sms/history`, `GET
//! /api/v1/sms/balance`, `POST /api/v2/sms/send`, `POST /api/v2/sms/broadcast`,
//! `GET /api/v2/sms/balance` (the guide), and `GET /api/v2/sms/history`
//! (addition). Sending answers at once with status `queued`; the SMS worker
//! hands messages to the gateway. The routes and their status codes; the
//! bodies, the answer shapes and the history's filter are in `contract::sms`.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Query},
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
        filters::TimeBound,
        json_out::PreSerialized,
        pagination::{PageParam, PageRequest, PerPageParam},
        sms::{
            Broadcast, BroadcastQueued, BroadcastQueuedOne, SendSms, SmsBalance, SmsBalanceOne,
            SmsHistory, SmsQueued, SmsQueuedOne, SmsQueuedV2, SmsQueuedV2One, SmsStatus,
        },
        text::SingleLine,
    },
    error::ApiResult,
    ops::{
        sms::{self as op, Balance, HistoryQuery, Queued},
        Caller,
    },
    state::AppState,
};

#[derive(ApiResponse)]
pub enum SentV1 {
    /// Queued (or, for a repeated Idempotency-Key, the first answer again).
    #[oai(status = 200)]
    Queued(PreSerialized<SmsQueuedOne>),
}

#[derive(ApiResponse)]
pub enum SentV2 {
    /// Queued (or, for a repeated Idempotency-Key, the first answer again).
    #[oai(status = 200)]
    Queued(PreSerialized<SmsQueuedV2One>),
}

#[derive(ApiResponse)]
pub enum BroadcastSent {
    /// Queued (or, for a repeated Idempotency-Key, the first answer again).
    #[oai(status = 200)]
    Queued(PreSerialized<BroadcastQueuedOne>),
}

/// The v1 send answer.
fn sent_v1(q: Queued) -> Result<String, String> {
    json(&SmsQueuedOne::of(&q.rows[0]))
}

/// The v2 send answer: with what it cost and what is left.
fn sent_v2(q: Queued) -> Result<String, String> {
    let row = &q.rows[0];
    let one = SmsQueued::from(row);
    json(&SmsQueuedV2One {
        data: SmsQueuedV2 {
            message_id: one.message_id,
            status: one.status,
            phone: one.phone,
            credits_used: row.credits,
            credits_remaining: q.credits_remaining,
        },
    })
}

/// The broadcast answer.
fn broadcast_sent(q: Queued) -> Result<String, String> {
    json(&BroadcastQueuedOne {
        data: BroadcastQueued {
            broadcast_id: q.broadcast_id.unwrap_or_default(),
            count: i64::try_from(q.rows.len()).unwrap_or(0),
            duplicates_removed: q.duplicates_removed,
            credits_used: q.rows.iter().map(|r| r.credits).sum(),
            credits_remaining: q.credits_remaining,
            messages: q.rows.iter().map(SmsQueued::from).collect(),
        },
    })
}

/// Both balance operations.
async fn balance(state: &AppState, caller: Caller) -> ApiResult<Json<SmsBalanceOne>> {
    let b: Balance = op::balance(&state.ctx(), &caller).await?;
    Ok(Json(SmsBalanceOne {
        data: SmsBalance {
            credits_remaining: b.credits_remaining,
            used_today: b.used_today,
            daily_limit: b.daily_limit,
            gateway: b.gateway,
            operator_id: b.operator_id,
        },
    }))
}

/// Both history operations (v1 and v2 take the same parameters).
#[allow(clippy::too_many_arguments)]
async fn history(
    state: &AppState,
    caller: Caller,
    page: PageParam,
    per_page: PerPageParam,
    phone: Option<SingleLine>,
    status: Option<SmsStatus>,
    from: Option<TimeBound>,
    to: Option<TimeBound>,
) -> ApiResult<Json<SmsHistory>> {
    let page = PageRequest::new(page, per_page);
    let query = HistoryQuery {
        phone: phone.map(SingleLine::into_inner),
        status: status.map(SmsStatus::as_str),
        from: from.map(TimeBound::start),
        to: to.map(TimeBound::end),
    };
    let (rows, total) = op::history(&state.ctx(), &caller, query, page).await?;
    Ok(Json(SmsHistory::of(rows, total, &page)))
}

#[derive(Default)]
pub struct SmsApi;

#[OpenApi(tag = "ApiTags::Sms")]
impl SmsApi {
    /// Send an SMS (v1)
    ///
    /// Queued at once (200, status `queued`); the SMS worker sends it. Costs one
    /// credit per part. Takes an `Idempotency-Key`.
    #[oai(
        path = "/api/v1/sms/send",
        method = "post",
        operation_id = "v1_sms_send"
    )]
    async fn v1_send(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::SmsSend")] auth: V1Auth,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<SendSms>,
    ) -> ApiResult<SentV1> {
        let (ctx, caller) = (state.ctx(), auth.caller());
        let answer = op::send(&ctx, &caller, idempotency_key.0, body.0, sent_v1).await?;
        Ok(SentV1::Queued(PreSerialized::new(answer)))
    }

    /// SMS delivery history (v1)
    ///
    /// Newest first. Filters: `phone`, `status`, `from`/`to` (queued).
    #[oai(
        path = "/api/v1/sms/history",
        method = "get",
        operation_id = "v1_sms_history"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn v1_history(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::SmsRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(max_length = 32))] phone: Query<Option<SingleLine>>,
        status: Query<Option<SmsStatus>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<Json<SmsHistory>> {
        let caller = auth.caller();
        history(
            &state, caller, page.0, per_page.0, phone.0, status.0, from.0, to.0,
        )
        .await
    }

    /// Current SMS balance (v1)
    #[oai(
        path = "/api/v1/sms/balance",
        method = "get",
        operation_id = "v1_sms_balance"
    )]
    async fn v1_balance(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::SmsRead")] auth: V1Auth,
    ) -> ApiResult<Json<SmsBalanceOne>> {
        balance(&state, auth.caller()).await
    }

    /// Send an SMS to one recipient (v2)
    ///
    /// Queued at once (200, status `queued`) with `credits_used` and
    /// `credits_remaining`. Too few credits or a passed daily cap: 422, nothing
    /// queued. Takes an `Idempotency-Key`.
    #[oai(
        path = "/api/v2/sms/send",
        method = "post",
        operation_id = "v2_sms_send"
    )]
    async fn v2_send(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::SmsSend")] auth: V2Auth,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<SendSms>,
    ) -> ApiResult<SentV2> {
        let (ctx, caller) = (state.ctx(), auth.caller());
        let answer = op::send(&ctx, &caller, idempotency_key.0, body.0, sent_v2).await?;
        Ok(SentV2::Queued(PreSerialized::new(answer)))
    }

    /// Broadcast SMS to multiple recipients (v2)
    ///
    /// One message per distinct number (repeats are dropped), all or nothing:
    /// a bad number (each is named in `details.phones`), too many numbers, too
    /// few credits or a passed daily cap → 422 and nothing is queued.
    #[oai(
        path = "/api/v2/sms/broadcast",
        method = "post",
        operation_id = "v2_sms_broadcast"
    )]
    async fn v2_broadcast(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::SmsSend")] auth: V2Auth,
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 255))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<Broadcast>,
    ) -> ApiResult<BroadcastSent> {
        let (ctx, caller) = (state.ctx(), auth.caller());
        let answer =
            op::broadcast(&ctx, &caller, idempotency_key.0, body.0, broadcast_sent).await?;
        Ok(BroadcastSent::Queued(PreSerialized::new(answer)))
    }

    /// Current SMS balance (v2)
    #[oai(
        path = "/api/v2/sms/balance",
        method = "get",
        operation_id = "v2_sms_balance"
    )]
    async fn v2_balance(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::SmsRead")] auth: V2Auth,
    ) -> ApiResult<Json<SmsBalanceOne>> {
        balance(&state, auth.caller()).await
    }

    /// SMS history (v2, addition)
    ///
    /// Newest first. Filters: `phone`, `status`, `from`/`to` (queued).
    #[oai(
        path = "/api/v2/sms/history",
        method = "get",
        operation_id = "v2_sms_history"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn v2_history(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::SmsRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(max_length = 32))] phone: Query<Option<SingleLine>>,
        status: Query<Option<SmsStatus>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<Json<SmsHistory>> {
        let caller = auth.caller();
        history(
            &state, caller, page.0, per_page.0, phone.0, status.0, from.0, to.0,
        )
        .await
    }
}
