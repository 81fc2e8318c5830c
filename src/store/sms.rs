//! SMS messages (the durable queue and its history) and the credit ledger.
//! Queuing debits the credits in the same transaction, refusing to overdraw or
//! to pass the daily cap; a message that is never sent gets its credits back.

use super::sql::{Connection, Transaction};
use rusqlite::{params, ToSql};

use super::{
    rows::{self, record},
    StoreError,
};

/// The outbox reader that turns events into customer notifications.
pub const NOTIFICATIONS_READER: &str = "sms-notifications";

/// A message to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSms {
    pub message_id: String,
    /// E.164.
    pub phone: String,
    pub body: String,
    pub encoding: &'static str,
    pub parts: i64,
    pub source: &'static str,
    pub event_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub broadcast_id: Option<String>,
    pub requested_by: Option<String>,
    /// The operator on whose behalf a reseller's staff sent it.
    pub operator_id: Option<i64>,
}

record! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct SmsRow {
        pub id: i64,
        pub message_id: String,
        pub phone: String,
        pub body: String,
        pub encoding: String,
        pub parts: i64,
        pub credits: i64,
        pub status: String,
        pub source: String,
        pub customer_id: Option<i64>,
        pub broadcast_id: Option<String>,
        pub attempts: i64,
        pub gateway: Option<String>,
        pub provider_message_id: Option<String>,
        pub error: Option<String>,
        pub created_at: String,
        pub sent_at: Option<String>,
    }
}

/// Credits now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credits {
    pub balance: i64,
    pub used_today: i64,
}

/// Why `needed` credits cannot be spent now (no credits left, or the day's
/// cap), or `None` when they can.
pub fn refusal(
    conn: &Connection,
    limits: Limits<'_>,
    needed: i64,
) -> Result<Option<String>, StoreError> {
    let have = credits(conn, limits.day_start)?;
    Ok(if needed > have.balance {
        Some(format!(
            "Not enough SMS credits: this needs {needed}, the balance is {}. Top up first.",
            have.balance
        ))
    } else if limits.daily_cap > 0 && have.used_today + needed > limits.daily_cap {
        Some(format!(
            "The daily SMS limit of {} credits would be passed ({} used today, this needs {needed}).",
            limits.daily_cap, have.used_today
        ))
    } else {
        None
    })
}

/// The credit rules a queuing must keep.
#[derive(Debug, Clone, Copy)]
pub struct Limits<'a> {
    /// Credits allowed per local day; 0 = no cap.
    pub daily_cap: i64,
    /// When the ISP's local day began (a UTC timestamp).
    pub day_start: &'a str,
}

/// History filters.
#[derive(Debug, Clone, Default)]
pub struct SmsFilter {
    pub phone: Option<String>,
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only what was sent on this operator's behalf or to its customers (a
    /// reseller's staff).
    pub operator_id: Option<i64>,
}

/// The balance and what was spent since `day_start`.
pub fn credits(conn: &Connection, day_start: &str) -> Result<Credits, StoreError> {
    Ok(conn.query_row(
        "SELECT COALESCE(CAST(SUM(delta) AS BIGINT), 0), \
                COALESCE(-CAST(SUM(CASE WHEN kind IN ('debit', 'refund') AND created_at >= ?1 \
                                   THEN delta ELSE 0 END) AS BIGINT), 0) \
         FROM sms_credit_ledger",
        [day_start],
        |r| {
            Ok(Credits {
                balance: r.get(0)?,
                used_today: r.get(1)?,
            })
        },
    )?)
}

/// The reseller boundary for SMS: a reseller's staff send only to their own
/// customers' numbers (`customer_phones`, in the customers' form, one per
/// message); each message is tied to that customer and to the operator, and
/// any other number refuses the whole request.
pub fn bind_to_operator(
    tx: &Transaction<'_>,
    messages: &mut [NewSms],
    customer_phones: &[String],
    operator_id: i64,
) -> Result<(), StoreError> {
    let vis = crate::domain::visibility::Visibility {
        operator_id: Some(operator_id),
    };
    let mut foreign = Vec::new();
    for (m, phone) in messages.iter_mut().zip(customer_phones) {
        match super::customers::id_by_phone(tx, phone, vis)? {
            Some(id) => {
                m.customer_id = Some(id);
                m.operator_id = Some(operator_id);
            }
            None => foreign.push((
                if m.source == "broadcast" {
                    "phones"
                } else {
                    "phone"
                },
                format!("{phone} is not the number of one of your customers."),
            )),
        }
    }
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(foreign))
    }
}

/// Credits spent on an operator's behalf since `day_start` (its own usage; a
/// reseller's staff never see the ISP's balance).
pub fn operator_used_since(
    conn: &Connection,
    operator_id: i64,
    day_start: &str,
) -> Result<i64, StoreError> {
    rows::value(
        conn,
        "SELECT COALESCE(CAST(SUM(credits) AS BIGINT), 0) FROM sms_messages \
         WHERE operator_id = ?1 AND created_at >= ?2 AND status <> 'failed'",
        params![operator_id, day_start],
    )
}

/// Adds credits.
pub fn top_up(
    tx: &Transaction<'_>,
    credits: i64,
    note: Option<&str>,
    now: &str,
) -> Result<i64, StoreError> {
    if credits <= 0 {
        return Err(StoreError::invalid("credits", "Top up at least 1 credit."));
    }
    tx.exec(
        "INSERT INTO sms_credit_ledger (delta, kind, note, created_at) VALUES (?1, 'topup', ?2, ?3)",
        params![credits, note, now],
    )?;
    Ok(credits)
}

impl NewSms {
    /// What every stored message has, as `?1` to `?8` (parts: `?5`).
    fn values(&self) -> [&dyn ToSql; 8] {
        [
            &self.message_id,
            &self.phone,
            &self.body,
            &self.encoding,
            &self.parts,
            &self.source,
            &self.event_id,
            &self.customer_id,
        ]
    }
}

/// Queues messages (due at `due`, unix seconds), debiting their credits, all
/// or nothing: too few credits or a passed daily cap → 422 on `field`.
pub fn queue(
    tx: &Transaction<'_>,
    messages: &[NewSms],
    limits: Limits<'_>,
    field: &'static str,
    due: i64,
    now: &str,
) -> Result<Vec<SmsRow>, StoreError> {
    let needed: i64 = messages.iter().map(|m| m.parts).sum();
    if let Some(why) = refusal(tx, limits, needed)? {
        return Err(StoreError::invalid(field, why));
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO sms_messages (message_id, phone, body, encoding, parts, credits, source, \
         event_id, customer_id, broadcast_id, requested_by, next_attempt_at, created_at, updated_at, \
         operator_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13) RETURNING id",
    )?;
    let mut debit = tx.prepare_cached(
        "INSERT INTO sms_credit_ledger (delta, kind, message_id, created_at) \
         VALUES (?1, 'debit', ?2, ?3)",
    )?;
    let mut ids = Vec::with_capacity(messages.len());
    for m in messages {
        let id: i64 = insert.query_row(
            rows::args(
                &m.values(),
                &[&m.broadcast_id, &m.requested_by, &due, &now, &m.operator_id],
            )
            .as_slice(),
            |r| r.get(0),
        )?;
        debit.execute(params![-m.parts, id, now])?;
        ids.push(id);
    }
    ids.into_iter()
        .map(|id| get(tx, id)?.ok_or(StoreError::NotFound))
        .collect()
}

/// Records a notification that could not be queued (no credits, no phone), so
/// the history shows it; it costs nothing.
pub fn record_unsent(
    tx: &Transaction<'_>,
    m: &NewSms,
    error: &str,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO sms_messages (message_id, phone, body, encoding, parts, credits, status, \
         source, event_id, customer_id, error, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 0, 'failed', ?6, ?7, ?8, ?9, ?10, ?10)",
        rows::args(&m.values(), &[&error, &now]).as_slice(),
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<SmsRow>, StoreError> {
    rows::one(conn, "FROM sms_messages WHERE id = ?1", [id])
}

pub fn get_by_message_id(
    conn: &Connection,
    message_id: &str,
) -> Result<Option<SmsRow>, StoreError> {
    rows::one(
        conn,
        "FROM sms_messages WHERE message_id = ?1",
        [message_id],
    )
}

/// Messages, newest first, and how many match.
pub fn list(
    conn: &Connection,
    f: &SmsFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SmsRow>, i64), StoreError> {
    rows::page(
        conn,
        "FROM sms_messages",
        "(?1 IS NULL OR phone = ?1) AND (?2 IS NULL OR status = ?2) \
         AND (?3 IS NULL OR created_at >= ?3) AND (?4 IS NULL OR created_at < ?4) \
         AND (?5 IS NULL OR operator_id = ?5 \
              OR customer_id IN (SELECT id FROM customers WHERE operator_id = ?5))",
        "id DESC",
        params![f.phone, f.status, f.from, f.to, f.operator_id],
        limit,
        offset,
    )
}

/// Queued messages due at `now` (unix seconds), oldest first.
pub fn due(conn: &Connection, now: i64, limit: i64) -> Result<Vec<SmsRow>, StoreError> {
    rows::all(
        conn,
        "FROM sms_messages WHERE status = 'queued' AND next_attempt_at <= ?1 \
         ORDER BY next_attempt_at, id LIMIT ?2",
        params![now, limit],
    )
}

/// Marks a queued message as being handed to the gateway by `node`
/// (committed before the call): the claim that keeps another node from
/// sending it too. False if it was not queued any more.
pub fn mark_sending(
    tx: &Transaction<'_>,
    id: i64,
    gateway: &str,
    node: &str,
    now: &str,
) -> Result<bool, StoreError> {
    Ok(tx.exec(
        "UPDATE sms_messages SET status = 'sending', attempts = attempts + 1, gateway = ?2, \
         sending_by = ?4, updated_at = ?3 WHERE id = ?1 AND status = 'queued'",
        params![id, gateway, now, node],
    )? == 1)
}

pub fn mark_sent(
    tx: &Transaction<'_>,
    id: i64,
    provider_id: Option<&str>,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE sms_messages SET status = 'sent', provider_message_id = ?2, error = NULL, \
         sent_at = ?3, updated_at = ?3, next_attempt_at = NULL, \
         body = CASE WHEN source = 'otp' THEN ?4 ELSE body END WHERE id = ?1",
        params![id, provider_id, now, OTP_BODY_KEPT],
    )?;
    Ok(())
}

/// What a one-time login code's message says once it is sent or failed: the
/// code itself is not kept.
pub const OTP_BODY_KEPT: &str = "[one-time login code: not kept]";

/// Back to the queue, due at `at` (unix seconds).
pub fn mark_retry(
    tx: &Transaction<'_>,
    id: i64,
    at: i64,
    error: &str,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE sms_messages SET status = 'queued', next_attempt_at = ?2, error = ?3, \
         updated_at = ?4 WHERE id = ?1",
        params![id, at, error, now],
    )?;
    Ok(())
}

/// Failed for good; `refund` gives the credits back (it was certainly not sent).
pub fn mark_failed(
    tx: &Transaction<'_>,
    id: i64,
    error: &str,
    refund: bool,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE sms_messages SET status = 'failed', error = ?2, next_attempt_at = NULL, \
         updated_at = ?3, body = CASE WHEN source = 'otp' THEN ?4 ELSE body END WHERE id = ?1",
        params![id, error, now, OTP_BODY_KEPT],
    )?;
    if refund {
        tx.exec(
            "INSERT INTO sms_credit_ledger (delta, kind, message_id, note, created_at) \
             SELECT credits, 'refund', id, 'not sent', ?2 FROM sms_messages \
             WHERE id = ?1 AND credits > 0",
            params![id, now],
        )?;
    }
    Ok(())
}

/// Settles messages left `sending` by a node that is gone: queued again
/// (`resend`, due at `due`) or failed. Gone: its liveness lease lapsed by
/// `now_ms` (it died; a clean stop finishes its sends first), or it is
/// `mine`, this node's own last run (at start), or it is not known (a
/// message marked before nodes were recorded).
pub fn reconcile_interrupted(
    tx: &Transaction<'_>,
    resend: bool,
    due: i64,
    now: &str,
    mine: Option<&str>,
    now_ms: i64,
) -> Result<usize, StoreError> {
    // The messages of gone nodes, with `mine` as ?{m} and `now_ms` as ?{t}.
    let gone = |m: usize, t: usize| {
        format!(
            "status = 'sending' AND (sending_by IS NULL OR sending_by = ?{m} \
             OR NOT EXISTS (SELECT 1 FROM leases \
                            WHERE leases.name = 'node:' || sms_messages.sending_by \
                              AND leases.expires_ms > ?{t}))"
        )
    };
    let n = if resend {
        tx.exec(
            &format!(
                "UPDATE sms_messages SET status = 'queued', next_attempt_at = ?1, sending_by = NULL, \
                 error = 'interrupted while sending; sent again', updated_at = ?2 WHERE {}",
                gone(3, 4)
            ),
            params![due, now, mine, now_ms],
        )?
    } else {
        tx.exec(
            &format!(
                "UPDATE sms_messages SET status = 'failed', next_attempt_at = NULL, \
                 error = 'interrupted while being handed to the gateway (the appliance stopped); \
                 not sent again to avoid a duplicate - check the provider''s report', \
                 updated_at = ?1 WHERE {}",
                gone(2, 3)
            ),
            params![now, mine, now_ms],
        )?
    };
    Ok(n)
}
