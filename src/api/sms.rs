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

use crate::contract::text::{MultiLine, SingleLine, TextRule};
use crate::{
    api::{
        idempotent::{to_json, write_once},
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::{principal::Principal, scope::Scope},
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        filters::TimeBound,
        json_out::PreSerialized,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::{ApiError, ApiResult},
    paginated, schema_as,
    sms::{day_start, new_message_id, phone::Phone, segments},
    state::AppState,
    store::sms::{self, Limits, NewSms, SmsFilter, SmsRow},
};

/// `{"phone","message"}`.
#[derive(Debug, Object)]
pub struct SendSmsInput {
    /// 01XXXXXXXXX, +8801XXXXXXXXX or another E.164 number.
    #[oai(validator(min_length = 1, max_length = 32))]
    pub phone: SingleLine,
    #[oai(validator(min_length = 1, max_length = 1600))]
    pub message: MultiLine,
}

/// `{"phones":[...],"message"}`.
#[derive(Debug, Object)]
pub struct BroadcastInput {
    #[oai(validator(min_items = 1))]
    pub phones: Vec<SingleLine>,
    #[oai(validator(min_length = 1, max_length = 1600))]
    pub message: MultiLine,
}

#[derive(Debug, Clone)]
pub struct SendSms {
    phone: Option<Phone>,
    message: String,
}

#[derive(Debug, Clone)]
pub struct Broadcast {
    phones: Vec<Phone>,
    duplicates: usize,
    message: String,
}

fn read_message(f: &mut Fields) -> String {
    let message = f.required_text("message", TextRule::MultiLine);
    if message.chars().count() > 1600 {
        f.error(
            "message",
            "The message may not be longer than 1600 characters.",
        );
    }
    message
}

impl FromJsonObject for SendSms {
    fn from_fields(f: &mut Fields) -> Self {
        let raw = f.required_string("phone");
        let phone = if f.has_error("phone") {
            None
        } else {
            match Phone::parse(&raw) {
                Ok(p) => Some(p),
                Err(why) => {
                    f.error("phone", why);
                    None
                }
            }
        };
        Self {
            phone,
            message: read_message(f),
        }
    }
}

impl FromJsonObject for Broadcast {
    fn from_fields(f: &mut Fields) -> Self {
        let mut phones: Vec<Phone> = Vec::new();
        let mut duplicates = 0;
        match f.optional_string_list("phones") {
            Some(list) if list.is_empty() => f.error("phones", "Give at least one phone number."),
            Some(list) => {
                for raw in list {
                    match Phone::parse(&raw) {
                        Ok(p) if phones.contains(&p) => duplicates += 1,
                        Ok(p) => phones.push(p),
                        Err(why) => f.error("phones", why),
                    }
                }
            }
            None if !f.has_error("phones") => f.error("phones", "The phones field is required."),
            None => {}
        }
        Self {
            phones,
            duplicates,
            message: read_message(f),
        }
    }
}

schema_as!(SendSms, SendSmsInput);
schema_as!(Broadcast, BroadcastInput);

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
    fn as_str(self) -> &'static str {
        match self {
            SmsStatus::Queued => "queued",
            SmsStatus::Sending => "sending",
            SmsStatus::Sent => "sent",
            SmsStatus::Failed => "failed",
        }
    }
}

/// A message ready to queue, or 422 when it is too long.
fn prepare(
    state: &AppState,
    phone: &Phone,
    message: &str,
    source: &'static str,
    broadcast_id: Option<&str>,
    caller: &str,
) -> ApiResult<NewSms> {
    let count = segments::count(message);
    let max = state.config.sms.max_parts;
    if count.parts > max {
        return Err(ApiError::invalid_field(
            "message",
            format!(
                "The message takes {} SMS parts; the most is {max}.",
                count.parts
            ),
        ));
    }
    Ok(NewSms {
        message_id: new_message_id().map_err(ApiError::internal)?,
        phone: phone.e164().to_string(),
        body: message.to_string(),
        encoding: count.encoding.as_str(),
        parts: i64::try_from(count.parts).unwrap_or(i64::MAX),
        source,
        event_id: None,
        customer_id: None,
        broadcast_id: broadcast_id.map(str::to_string),
        requested_by: Some(caller.to_string()),
        operator_id: None,
    })
}

fn today(state: &AppState) -> String {
    day_start(state.clock.now(), state.config.isp.offset())
}

/// Queues `messages` (idempotently under `key`); `answer` builds the reply
/// from the queued rows and the balance left.
async fn queue<T: serde::Serialize>(
    state: &AppState,
    principal: &Principal,
    key: Option<String>,
    request: &(impl std::fmt::Debug + Sync),
    messages: Vec<NewSms>,
    field: &'static str,
    answer: impl FnOnce(Vec<SmsRow>, Option<i64>) -> T + Send + 'static,
) -> ApiResult<String> {
    let start = today(state);
    let cap = state.config.sms.daily_credit_cap;
    let due = state.clock.now().unix_timestamp();
    let now = crate::clock::format_timestamp(state.clock.now());
    let operator = principal.visibility().operator_id;
    let mut messages = messages;
    // Customers' numbers are kept in their own form (01XXXXXXXXX for Bangladesh).
    let customer_phones: Vec<String> = messages
        .iter()
        .map(|m| Phone::from_e164(&m.phone).display())
        .collect();
    write_once(state, principal.label(), key, request, 200, move |tx| {
        if let Some(op) = operator {
            sms::bind_to_operator(tx, &mut messages, &customer_phones, op)?;
        }
        let limits = Limits {
            daily_cap: cap,
            day_start: &start,
        };
        let rows = sms::queue(tx, &messages, limits, field, due, &now)?;
        // A reseller's staff see what they spent, never the ISP's balance.
        let left = match operator {
            None => Some(sms::credits(tx, &start)?.balance),
            Some(_) => None,
        };
        to_json(&answer(rows, left))
    })
    .await
}

fn queued(row: &SmsRow) -> SmsQueued {
    SmsQueued {
        message_id: row.message_id.clone(),
        status: row.status.clone(),
        phone: Phone::from_e164(&row.phone).display(),
    }
}

async fn balance(state: &AppState, principal: &Principal) -> ApiResult<SmsBalanceOne> {
    let start = today(state);
    let cap = state.config.sms.daily_credit_cap;
    let gateway = state.config.sms.gateway.clone();
    if let Some(op) = principal.visibility().operator_id {
        // A reseller's staff: their operator's own usage, not the ISP's balance.
        let used = state
            .db
            .read_async(move |c| sms::operator_used_since(c, op, &start))
            .await?;
        return Ok(SmsBalanceOne {
            data: SmsBalance {
                credits_remaining: None,
                used_today: used,
                daily_limit: None,
                gateway,
                operator_id: Some(op),
            },
        });
    }
    let credits = state
        .db
        .read_async(move |c| sms::credits(c, &start))
        .await?;
    Ok(SmsBalanceOne {
        data: SmsBalance {
            credits_remaining: Some(credits.balance),
            used_today: credits.used_today,
            daily_limit: (cap > 0).then_some(cap),
            gateway,
            operator_id: None,
        },
    })
}

#[allow(clippy::too_many_arguments)]
async fn history(
    state: &AppState,
    principal: &Principal,
    page: PageRequest,
    phone: Option<String>,
    status: Option<SmsStatus>,
    from: Option<TimeBound>,
    to: Option<TimeBound>,
) -> ApiResult<SmsHistory> {
    let phone = match phone {
        Some(p) => Some(
            Phone::parse(&p)
                .map_err(|why| ApiError::invalid_field("phone", why))?
                .e164()
                .to_string(),
        ),
        None => None,
    };
    let filter = SmsFilter {
        phone,
        status: status.map(|s| s.as_str().to_string()),
        from: from.map(TimeBound::start),
        to: to.map(TimeBound::end),
        // A reseller's staff see what was sent on their operator's behalf.
        operator_id: principal.visibility().operator_id,
    };
    let (rows, total) = state
        .db
        .read_async(move |c| sms::list(c, &filter, page.limit(), page.offset()))
        .await?;
    Ok(SmsHistory::new(
        rows.into_iter().map(Into::into).collect(),
        u64::try_from(total).unwrap_or(0),
        &page,
    ))
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
        let input = body.0;
        let phone = input
            .phone
            .clone()
            .ok_or_else(|| ApiError::invalid_field("phone", "The phone field is required."))?;
        let message = prepare(&state, &phone, &input.message, "api", None, &auth.0.label())?;
        let answer = queue(
            &state,
            &auth.0,
            idempotency_key.0,
            &input,
            vec![message],
            "message",
            |rows, _| SmsQueuedOne {
                data: queued(&rows[0]),
            },
        )
        .await?;
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
        let page = PageRequest::new(page.0, per_page.0);
        Ok(Json(
            history(
                &state,
                &auth.0,
                page,
                phone.0.map(SingleLine::into_inner),
                status.0,
                from.0,
                to.0,
            )
            .await?,
        ))
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
        Ok(Json(balance(&state, &auth.0).await?))
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
        let input = body.0;
        let phone = input
            .phone
            .clone()
            .ok_or_else(|| ApiError::invalid_field("phone", "The phone field is required."))?;
        let message = prepare(&state, &phone, &input.message, "api", None, &auth.0.label())?;
        let answer = queue(
            &state,
            &auth.0,
            idempotency_key.0,
            &input,
            vec![message],
            "message",
            |rows, left| {
                let q = queued(&rows[0]);
                SmsQueuedV2One {
                    data: SmsQueuedV2 {
                        message_id: q.message_id,
                        status: q.status,
                        phone: q.phone,
                        credits_used: rows[0].credits,
                        credits_remaining: left,
                    },
                }
            },
        )
        .await?;
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
        let input = body.0;
        let max = state.config.sms.max_broadcast;
        if input.phones.len() > max {
            return Err(ApiError::invalid_field(
                "phones",
                format!(
                    "A broadcast may go to at most {max} numbers; this has {}.",
                    input.phones.len()
                ),
            ));
        }
        let broadcast_id = new_message_id()
            .map_err(ApiError::internal)?
            .replacen("sms_", "bc_", 1);
        let caller = auth.0.label();
        let messages = input
            .phones
            .iter()
            .map(|p| {
                prepare(
                    &state,
                    p,
                    &input.message,
                    "broadcast",
                    Some(&broadcast_id),
                    &caller,
                )
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let duplicates = i64::try_from(input.duplicates).unwrap_or(0);
        let answer = queue(
            &state,
            &auth.0,
            idempotency_key.0,
            &input,
            messages,
            "message",
            move |rows, left| BroadcastQueuedOne {
                data: BroadcastQueued {
                    broadcast_id,
                    count: i64::try_from(rows.len()).unwrap_or(0),
                    duplicates_removed: duplicates,
                    credits_used: rows.iter().map(|r| r.credits).sum(),
                    credits_remaining: left,
                    messages: rows.iter().map(queued).collect(),
                },
            },
        )
        .await?;
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
        Ok(Json(balance(&state, &auth.0).await?))
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
        let page = PageRequest::new(page.0, per_page.0);
        Ok(Json(
            history(
                &state,
                &auth.0,
                page,
                phone.0.map(SingleLine::into_inner),
                status.0,
                from.0,
                to.0,
            )
            .await?,
        ))
    }
}
