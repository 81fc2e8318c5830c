//! SMS: send to one number, broadcast, the balance and the history. Sending
//! queues the messages and debits their credits in one transaction (refusing
//! to overdraw or to pass the daily cap); the SMS worker hands them to the
//! gateway. A reseller's staff send only to their own customers' numbers, see
//! only what was sent on their operator's behalf and never the ISP's balance.

use crate::{
    contract::{
        pagination::PageRequest,
        sms::{Broadcast, SendSms},
    },
    sms::{
        day_start, new_message_id,
        outgoing::{self, Origin},
        phone::Phone,
    },
    store::{
        idempotency,
        sms::{self, Limits, NewSms, SmsFilter, SmsRow},
    },
};

use super::{Caller, Ctx, Error, Once, OpResult};

/// What a send or a broadcast queued: what its answer is written from.
#[derive(Debug, Clone)]
pub struct Queued {
    /// One row per message, in the order given.
    pub rows: Vec<SmsRow>,
    /// Credits left; None for a reseller's staff.
    pub credits_remaining: Option<i64>,
    /// A broadcast's id (`bc_...`).
    pub broadcast_id: Option<String>,
    /// A broadcast's numbers given more than once (sent once).
    pub duplicates_removed: i64,
}

/// How the adapter writes its answer (the API: its JSON) from what was queued.
/// The answer is stored with an `Idempotency-Key` in the same transaction.
pub type Answer = fn(Queued) -> Result<String, String>;

/// Credits, as the caller may see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// None for a reseller's staff.
    pub credits_remaining: Option<i64>,
    /// Since local midnight (a reseller's staff: on their operator's behalf).
    pub used_today: i64,
    /// None when there is no cap (and for a reseller's staff).
    pub daily_limit: Option<i64>,
    /// `log` or `http`.
    pub gateway: String,
    /// The operator of a reseller's staff; None for the ISP.
    pub operator_id: Option<i64>,
}

/// History filters, as the caller gave them.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// A number in any form [`Phone::parse`] accepts.
    pub phone: Option<String>,
    /// `queued`, `sending`, `sent` or `failed`.
    pub status: Option<&'static str>,
    /// Queued at or after (a UTC timestamp).
    pub from: Option<String>,
    /// Queued at or before.
    pub to: Option<String>,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

fn today(ctx: &Ctx) -> String {
    day_start(ctx.clock.now(), ctx.config.isp.offset())
}

/// The message ready to queue, or 422 (`message`) when it is too long.
fn prepare(ctx: &Ctx, phone: &Phone, message: &str, origin: Origin<'_>) -> OpResult<NewSms> {
    let id = new_message_id().map_err(internal)?;
    outgoing::prepare(ctx.config.sms.max_parts, id, phone, message, origin)
        .map_err(|why| Error::invalid("message", why))
}

/// Queues one message (`source` api) and answers with `answer`; with `key`,
/// at most once (the same key and request replay the first answer).
pub async fn send(
    ctx: &Ctx,
    caller: &Caller,
    key: Option<String>,
    input: SendSms,
    answer: Answer,
) -> OpResult<String> {
    let phone = input
        .phone
        .clone()
        .ok_or_else(|| Error::invalid("phone", "The phone field is required."))?;
    let label = caller.label();
    let origin = Origin {
        source: "api",
        broadcast_id: None,
        requested_by: &label,
    };
    let message = prepare(ctx, &phone, &input.message, origin)?;
    let extra = Queued {
        rows: Vec::new(),
        credits_remaining: None,
        broadcast_id: None,
        duplicates_removed: 0,
    };
    queue(ctx, caller, key, &input, vec![message], extra, answer).await
}

/// Queues one message per distinct number, all or nothing: too many numbers,
/// too few credits or a passed daily cap refuse the whole broadcast.
pub async fn broadcast(
    ctx: &Ctx,
    caller: &Caller,
    key: Option<String>,
    input: Broadcast,
    answer: Answer,
) -> OpResult<String> {
    outgoing::check_broadcast_size(ctx.config.sms.max_broadcast, input.phones.len())
        .map_err(|why| Error::invalid("phones", why))?;
    let broadcast_id = new_message_id()
        .map_err(internal)?
        .replacen("sms_", "bc_", 1);
    let label = caller.label();
    let origin = Origin {
        source: "broadcast",
        broadcast_id: Some(&broadcast_id),
        requested_by: &label,
    };
    let messages = input
        .phones
        .iter()
        .map(|p| prepare(ctx, p, &input.message, origin))
        .collect::<OpResult<Vec<_>>>()?;
    let extra = Queued {
        rows: Vec::new(),
        credits_remaining: None,
        broadcast_id: Some(broadcast_id),
        duplicates_removed: i64::try_from(input.duplicates).unwrap_or(0),
    };
    queue(ctx, caller, key, &input, messages, extra, answer).await
}

/// Queues `messages` in one transaction, idempotently under `key` (`request`
/// is what a replay must match); `extra` carries the rest of the answer.
async fn queue(
    ctx: &Ctx,
    caller: &Caller,
    key: Option<String>,
    request: &impl std::fmt::Debug,
    messages: Vec<NewSms>,
    extra: Queued,
    answer: Answer,
) -> OpResult<String> {
    let once = Once::new(key, 200, answer);
    let (key, answer) = (once.key(caller, request), once.answer());
    let start = today(ctx);
    let cap = ctx.config.sms.daily_credit_cap;
    let due = ctx.clock.now().unix_timestamp();
    let now = ctx.now_text();
    let operator = caller.operator_id();
    let mut messages = messages;
    // Customers' numbers are kept in their own form (01XXXXXXXXX for Bangladesh).
    let customer_phones: Vec<String> = messages
        .iter()
        .map(|m| Phone::from_e164(&m.phone).display())
        .collect();
    Ok(ctx
        .db
        .write_async(move |tx| {
            idempotency::once(
                tx,
                key.as_ref(),
                &now,
                |tx| {
                    if let Some(op) = operator {
                        sms::bind_to_operator(tx, &mut messages, &customer_phones, op)?;
                    }
                    let limits = Limits {
                        daily_cap: cap,
                        day_start: &start,
                    };
                    let rows = sms::queue(tx, &messages, limits, "message", due, &now)?;
                    // A reseller's staff see what they spent, never the ISP's balance.
                    let left = match operator {
                        None => Some(sms::credits(tx, &start)?.balance),
                        Some(_) => None,
                    };
                    Ok(Queued {
                        rows,
                        credits_remaining: left,
                        ..extra
                    })
                },
                answer,
            )
        })
        .await?)
}

/// The credits the caller may see: the ISP's balance, or (a reseller's staff)
/// their operator's own usage today.
pub async fn balance(ctx: &Ctx, caller: &Caller) -> OpResult<Balance> {
    let start = today(ctx);
    let cap = ctx.config.sms.daily_credit_cap;
    let gateway = ctx.config.sms.gateway.clone();
    if let Some(op) = caller.operator_id() {
        let used = ctx
            .db
            .read_async(move |c| sms::operator_used_since(c, op, &start))
            .await?;
        return Ok(Balance {
            credits_remaining: None,
            used_today: used,
            daily_limit: None,
            gateway,
            operator_id: Some(op),
        });
    }
    let credits = ctx.db.read_async(move |c| sms::credits(c, &start)).await?;
    Ok(Balance {
        credits_remaining: Some(credits.balance),
        used_today: credits.used_today,
        daily_limit: (cap > 0).then_some(cap),
        gateway,
        operator_id: None,
    })
}

/// A page of the history (newest first) and its total. A reseller's staff see
/// what was sent on their operator's behalf. A `phone` that is no number: 422
/// (an empty one is no filter).
pub async fn history(
    ctx: &Ctx,
    caller: &Caller,
    query: HistoryQuery,
    page: PageRequest,
) -> OpResult<(Vec<SmsRow>, u64)> {
    // An empty filter filters nothing.
    let phone = match query.phone.filter(|p| !p.trim().is_empty()) {
        Some(p) => Some(
            Phone::parse(&p)
                .map_err(|why| Error::invalid("phone", why))?
                .e164()
                .to_string(),
        ),
        None => None,
    };
    let filter = SmsFilter {
        phone,
        status: query.status.map(str::to_string),
        from: query.from,
        to: query.to,
        operator_id: caller.operator_id(),
    };
    let (rows, total) = ctx
        .db
        .read_async(move |c| sms::list(c, &filter, page.limit(), page.offset()))
        .await?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}
