//! SMS: `POST /api/v1/sms/send`, `GET /api/v1/sms/history`, `GET
//! /api/v1/sms/balance`, `POST /api/v2/sms/send`, `POST /api/v2/sms/broadcast`,
//! `GET /api/v2/sms/balance` (the guide), and `GET /api/v2/sms/history`
//! (addition). Sending answers at once with status `queued`; the SMS worker
//! hands messages to the gateway.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::{principal::Principal, scope::Scope},
    contract::{
        body::JsonBody,
        filters::TimeBound,
        json_out::PreSerialized,
        pagination::{PageParam, PageRequest, PerPageParam},
        sms::{Broadcast, SendSms},
        text::SingleLine,
    },
    error::ApiResult,
    ops::{
        sms::{self as op, Balance, HistoryQuery, Queued},
        Caller,
    },
    paginated,
    sms::phone::Phone,
    state::AppState,
    store::sms::SmsRow,
};

/// v1 answer.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct SmsQueued {
    pub message_id: String,
    /// `queued`.
    pub status: String,
    pub phone: String,
}

#[derive(Debug, Object, serde::Serialize)]
pub struct SmsQueuedOne {
    pub data: SmsQueued,
}

/// v2 answer: with what it cost and what is left.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct SmsQueuedV2 {
    pub message_id: String,
    pub status: String,
    pub phone: String,
    pub credits_used: i64,
    /// Credits left; null for a reseller's staff (they see only their own usage).
    #[oai(nullable)]
    pub credits_remaining: Option<i64>,
}

#[derive(Debug, Object, serde::Serialize)]
pub struct SmsQueuedV2One {
    pub data: SmsQueuedV2,
}

/// What a broadcast queued.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct BroadcastQueued {
    pub broadcast_id: String,
    /// Messages queued (one per distinct number).
    pub count: i64,
    /// Numbers given more than once (sent once).
    pub duplicates_removed: i64,
    pub credits_used: i64,
    /// Credits left; null for a reseller's staff.
    #[oai(nullable)]
    pub credits_remaining: Option<i64>,
    pub messages: Vec<SmsQueued>,
}

#[derive(Debug, Object, serde::Serialize)]
pub struct BroadcastQueuedOne {
    pub data: BroadcastQueued,
}

/// Credits. A reseller's staff see their operator's own usage: no balance,
/// no cap, and `operator_id` set.
#[derive(Debug, Clone, Object)]
pub struct SmsBalance {
    /// Credits left (one credit = one SMS part); null for a reseller's staff.
    #[oai(nullable)]
    pub credits_remaining: Option<i64>,
    /// Credits spent since local midnight (a reseller's staff: on their
    /// operator's behalf).
    pub used_today: i64,
    /// Credits allowed per day; null when there is no cap.
    #[oai(nullable)]
    pub daily_limit: Option<i64>,
    /// `log` or `http`.
    pub gateway: String,
    /// Whose usage this is: the operator of a reseller's staff; null for the ISP.
    #[oai(nullable)]
    pub operator_id: Option<i64>,
}

#[derive(Debug, Object)]
pub struct SmsBalanceOne {
    pub data: SmsBalance,
}

/// A message in the history.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct SmsMessage {
    pub message_id: String,
    pub phone: String,
    pub message: String,
    /// `queued`, `sending`, `sent` or `failed`.
    pub status: String,
    /// `gsm7` or `ucs2`.
    pub encoding: String,
    pub parts: i64,
    /// Credits charged (0 for a notification that could not be queued).
    pub credits: i64,
    /// `api`, `broadcast` or `notification`.
    pub source: String,
    #[oai(nullable)]
    pub customer_id: Option<i64>,
    #[oai(nullable)]
    pub broadcast_id: Option<String>,
    pub attempts: i64,
    #[oai(nullable)]
    pub provider_message_id: Option<String>,
    #[oai(nullable)]
    pub error: Option<String>,
    pub created_at: String,
    #[oai(nullable)]
    pub sent_at: Option<String>,
}

impl From<SmsRow> for SmsMessage {
    fn from(m: SmsRow) -> Self {
        Self {
            message_id: m.message_id,
            phone: Phone::from_e164(&m.phone).display(),
            message: m.body,
            status: m.status,
            encoding: m.encoding,
            parts: m.parts,
            credits: m.credits,
            source: m.source,
            customer_id: m.customer_id,
            broadcast_id: m.broadcast_id,
            attempts: m.attempts,
            provider_message_id: m.provider_message_id,
            error: m.error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

paginated!(SmsHistory, SmsMessage);

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum SmsStatus {
    Queued,
    Sending,
    Sent,
    Failed,
}

impl SmsStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsStatus::Queued => "queued",
            SmsStatus::Sending => "sending",
            SmsStatus::Sent => "sent",
            SmsStatus::Failed => "failed",
        }
    }
}

fn queued(row: &SmsRow) -> SmsQueued {
    SmsQueued {
        message_id: row.message_id.clone(),
        status: row.status.clone(),
        phone: Phone::from_e164(&row.phone).display(),
    }
}

fn json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

/// The v1 send answer.
fn sent_v1(q: Queued) -> Result<String, String> {
    json(&SmsQueuedOne {
        data: queued(&q.rows[0]),
    })
}

/// The v2 send answer: with what it cost and what is left.
fn sent_v2(q: Queued) -> Result<String, String> {
    let row = &q.rows[0];
    let one = queued(row);
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
            messages: q.rows.iter().map(queued).collect(),
        },
    })
}

fn caller(who: &Principal) -> Caller {
    Caller::from(who)
}

/// Both balance operations.
async fn balance(state: &AppState, who: &Principal) -> ApiResult<Json<SmsBalanceOne>> {
    let b: Balance = op::balance(&state.ctx(), &caller(who)).await?;
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
    who: &Principal,
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
    let (rows, total) = op::history(&state.ctx(), &caller(who), query, page).await?;
    Ok(Json(SmsHistory::new(
        rows.into_iter().map(Into::into).collect(),
        total,
        &page,
    )))
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
        let (ctx, caller) = (state.ctx(), caller(&auth.0));
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
        history(
            &state, &auth.0, page.0, per_page.0, phone.0, status.0, from.0, to.0,
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
        balance(&state, &auth.0).await
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
        let (ctx, caller) = (state.ctx(), caller(&auth.0));
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
        let (ctx, caller) = (state.ctx(), caller(&auth.0));
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
        balance(&state, &auth.0).await
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
        history(
            &state, &auth.0, page.0, per_page.0, phone.0, status.0, from.0, to.0,
        )
        .await
    }
}
