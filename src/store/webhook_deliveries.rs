//! Webhook deliveries: one row per event and endpoint, created from the outbox
//! in the same transaction that moves the reader's cursor (so an event is never
//! skipped), and every attempt made to deliver it.

use super::sql::{Connection, Transaction};
use rusqlite::params;
use serde_json::Value;

use super::{
    events,
    rows::{self, record},
    StoreError,
};

/// The outbox reader that fans events out to webhooks.
pub const READER: &str = "webhooks";

record! {
    /// A delivery as the API shows it.
    #[derive(Debug, Clone, PartialEq)]
    pub struct DeliveryRow in d {
        pub id: i64,
        pub webhook_id: i64,
        pub event_id: i64,
        pub event: String = "e.type",
        pub status: String,
        pub attempts: i64,
        /// Unix seconds.
        pub next_attempt_at: Option<i64>,
        pub last_attempt_at: Option<String>,
        pub last_status_code: Option<i64>,
        pub last_error: Option<String>,
        pub redelivery_of: Option<i64>,
        pub created_at: String,
        pub finished_at: Option<String>,
    }
}

record! {
    /// One attempt.
    #[derive(Debug, Clone, PartialEq)]
    pub struct AttemptRow {
        pub id: i64,
        pub attempted_at: String,
        pub status_code: Option<i64>,
        pub duration_ms: i64,
        pub response_body: Option<String>,
        pub error: Option<String>,
    }
}

record! {
    /// A delivery that is due, with its event.
    #[derive(Debug, Clone, PartialEq)]
    pub struct DueDelivery in d {
        pub id: i64,
        pub attempts: i64,
        pub event_id: i64 = "e.id",
        pub event: String = "e.type",
        pub payload: Value = "e.payload" => rows::json_or_null,
        pub event_created_at: String = "e.created_at",
    }
}

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Delivered,
    /// Failed; try again at this unix second.
    RetryAt(i64),
    /// Failed and no attempts are left.
    GaveUp,
    /// 410 Gone: failed, and the endpoint is switched off.
    Gone,
}

/// An attempt to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub delivery_id: i64,
    pub webhook_id: i64,
    pub attempted_at: String,
    pub status_code: Option<u16>,
    pub duration_ms: i64,
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub verdict: Verdict,
}

/// Deliveries with their event's type.
const FROM: &str = "FROM webhook_deliveries d JOIN events e ON e.id = d.event_id";

/// Reads up to `batch` events past the cursor and creates a delivery for each
/// active endpoint subscribed to it (and created before it), due at
/// `first_due` (unix seconds); moves the cursor. Returns the events read.
pub fn fan_out(
    tx: &Transaction<'_>,
    batch: i64,
    first_due: i64,
    now: &str,
) -> Result<usize, StoreError> {
    let after = events::cursor(tx, READER)?;
    let evs = events::after(tx, after, batch)?;
    let Some(last) = evs.last().map(|e| e.id) else {
        return Ok(0);
    };
    let hooks: Vec<(i64, Vec<String>, i64)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, events, start_after_event FROM webhooks WHERE active = 1",
        )?;
        let rows = stmt.query_map([], |r| {
            let events: String = r.get(1)?;
            Ok((
                r.get(0)?,
                serde_json::from_str(&events).unwrap_or_default(),
                r.get(2)?,
            ))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    if !hooks.is_empty() {
        let mut insert = tx.prepare_cached(
            "INSERT INTO webhook_deliveries (webhook_id, event_id, next_attempt_at, \
             created_at) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for ev in &evs {
            for (hook, subscribed, start_after) in &hooks {
                if ev.id > *start_after && subscribed.contains(&ev.kind) {
                    insert.execute(params![hook, ev.id, first_due, now])?;
                }
            }
        }
    }
    events::set_cursor(tx, READER, last)?;
    Ok(evs.len())
}

/// Pending deliveries of an endpoint that are due at `now` (unix seconds),
/// oldest first, with their events.
pub fn due(
    conn: &Connection,
    webhook_id: i64,
    now: i64,
    limit: i64,
) -> Result<Vec<DueDelivery>, StoreError> {
    rows::all(
        conn,
        &format!(
            "{FROM} WHERE d.webhook_id = ?1 AND d.status = 'pending' AND d.next_attempt_at <= ?2 \
             ORDER BY d.next_attempt_at, d.id LIMIT ?3"
        ),
        params![webhook_id, now, limit],
    )
}

/// Claims for `node` until `until` (unix seconds) up to `limit` pending
/// deliveries of an endpoint due at `now` that no other node has claimed (or
/// whose claim lapsed: that node died mid-attempt), oldest first, and returns
/// them with their events. The claim is the row lock of several nodes: a
/// delivery is attempted by one node at a time ([`record`] ends the claim).
/// On PostgreSQL the rows are also taken `FOR UPDATE SKIP LOCKED`.
pub fn claim(
    tx: &Transaction<'_>,
    webhook_id: i64,
    node: &str,
    now: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<DueDelivery>, StoreError> {
    let lock = match tx.engine() {
        super::sql::Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        super::sql::Engine::Sqlite => "",
    };
    let claimed = tx.exec(
        &format!(
            "UPDATE webhook_deliveries SET claimed_by = ?2, claimed_until = ?4 \
             WHERE id IN (SELECT id FROM webhook_deliveries \
                          WHERE webhook_id = ?1 AND status = 'pending' AND next_attempt_at <= ?3 \
                            AND (claimed_until IS NULL OR claimed_until <= ?3) \
                          ORDER BY next_attempt_at, id LIMIT ?5{lock})"
        ),
        params![webhook_id, node, now, until, limit],
    )?;
    if claimed == 0 {
        return Ok(Vec::new());
    }
    rows::all(
        tx,
        &format!(
            "{FROM} WHERE d.webhook_id = ?1 AND d.status = 'pending' \
             AND d.claimed_by = ?2 AND d.claimed_until = ?3 \
             ORDER BY d.next_attempt_at, d.id"
        ),
        params![webhook_id, node, until],
    )
}

/// Ends `node`'s claims on deliveries still pending: at its start (what its
/// last run left in flight when it stopped or died) and when it stops, so
/// they are attempted again at once rather than when the claims lapse.
pub fn release_claims(tx: &Transaction<'_>, node: &str) -> Result<usize, StoreError> {
    Ok(tx.exec(
        "UPDATE webhook_deliveries SET claimed_by = NULL, claimed_until = NULL \
         WHERE claimed_by = ?1 AND status = 'pending'",
        params![node],
    )?)
}

/// Records attempts and what follows from them: the delivery's state, the
/// endpoint's failure streak, and switching it off after a 410 or when every
/// delivery has failed since `disable_cutoff` (a timestamp) or earlier.
pub fn record(
    tx: &Transaction<'_>,
    attempts: &[Attempt],
    disable_cutoff: &str,
    disable_days: u32,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, duration_ms, \
         response_body, error) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = ?1)",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?2, \
         next_attempt_at = ?3, last_attempt_at = ?4, last_status_code = ?5, last_error = ?6, \
         finished_at = ?7, claimed_by = NULL, claimed_until = NULL \
         WHERE id = ?1 AND status = 'pending'",
    )?;
    for a in attempts {
        insert.execute(params![
            a.delivery_id,
            a.attempted_at,
            a.status_code,
            a.duration_ms,
            a.response_body,
            a.error
        ])?;
        let (status, next, finished) = match &a.verdict {
            Verdict::Delivered => ("delivered", None, Some(&a.attempted_at)),
            Verdict::RetryAt(at) => ("pending", Some(*at), None),
            Verdict::GaveUp | Verdict::Gone => ("failed", None, Some(&a.attempted_at)),
        };
        update.execute(params![
            a.delivery_id,
            status,
            next,
            a.attempted_at,
            a.status_code,
            a.error,
            finished
        ])?;
        match &a.verdict {
            Verdict::Delivered => super::webhooks::mark_success(tx, a.webhook_id, &a.attempted_at)?,
            Verdict::Gone => super::webhooks::disable(
                tx,
                a.webhook_id,
                &format!(
                    "The endpoint answered 410 Gone at {}: switched off.",
                    a.attempted_at
                ),
                &a.attempted_at,
            )?,
            Verdict::RetryAt(_) | Verdict::GaveUp => {
                let since = super::webhooks::mark_failure(tx, a.webhook_id, &a.attempted_at)?;
                if since.as_deref().is_some_and(|s| s <= disable_cutoff) {
                    super::webhooks::disable(
                        tx,
                        a.webhook_id,
                        &format!(
                            "Every delivery has failed since {} ({disable_days} days or more): \
                             switched off.",
                            since.unwrap_or_default()
                        ),
                        &a.attempted_at,
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// Deliveries of an endpoint, newest first, optionally of one status.
pub fn list(
    conn: &Connection,
    webhook_id: i64,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<DeliveryRow>, i64), StoreError> {
    // Every delivery has its event (a foreign key): the join drops none.
    rows::page(
        conn,
        FROM,
        "d.webhook_id = ?1 AND (?2 IS NULL OR d.status = ?2)",
        "d.id DESC",
        params![webhook_id, status],
        limit,
        offset,
    )
}

pub fn get(conn: &Connection, webhook_id: i64, id: i64) -> Result<Option<DeliveryRow>, StoreError> {
    rows::one(
        conn,
        &format!("{FROM} WHERE d.webhook_id = ?1 AND d.id = ?2"),
        params![webhook_id, id],
    )
}

/// The attempts of a delivery, oldest first.
pub fn attempts(conn: &Connection, delivery_id: i64) -> Result<Vec<AttemptRow>, StoreError> {
    rows::all(
        conn,
        "FROM webhook_attempts WHERE delivery_id = ?1 ORDER BY id",
        [delivery_id],
    )
}

/// A new delivery of the same event to the same endpoint (same event id), due
/// at `due` (unix seconds), with a fresh set of attempts.
pub fn redeliver(
    tx: &Transaction<'_>,
    webhook_id: i64,
    id: i64,
    due: i64,
    now: &str,
) -> Result<DeliveryRow, StoreError> {
    let original = get(tx, webhook_id, id)?.ok_or(StoreError::NotFound)?;
    let copy: i64 = rows::value(
        tx,
        "INSERT INTO webhook_deliveries (webhook_id, event_id, next_attempt_at, redelivery_of, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![webhook_id, original.event_id, due, original.id, now],
    )?;
    get(tx, webhook_id, copy)?.ok_or(StoreError::NotFound)
}

/// A `webhook.test` event addressed to one endpoint and its delivery, due at
/// `due`. Test events never fan out to other endpoints.
pub fn create_test(
    tx: &Transaction<'_>,
    webhook_id: i64,
    payload: &Value,
    due: i64,
    now: &str,
) -> Result<DeliveryRow, StoreError> {
    if super::webhooks::get(tx, webhook_id)?.is_none() {
        return Err(StoreError::NotFound);
    }
    let event = events::append(tx, events::WEBHOOK_TEST, payload, now)?;
    let id: i64 = rows::value(
        tx,
        "INSERT INTO webhook_deliveries (webhook_id, event_id, next_attempt_at, created_at) \
         VALUES (?1, ?2, ?3, ?4) RETURNING id",
        params![webhook_id, event, due, now],
    )?;
    get(tx, webhook_id, id)?.ok_or(StoreError::NotFound)
}

/// Deletes finished deliveries (and their attempts) older than `cutoff`.
pub fn delete_finished_before(tx: &Transaction<'_>, cutoff: &str) -> Result<usize, StoreError> {
    Ok(tx.exec(
        "DELETE FROM webhook_deliveries WHERE finished_at IS NOT NULL AND finished_at < ?1",
        [cutoff],
    )?)
}

/// Counts of deliveries by status (for tests and metrics).
pub fn counts(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status ORDER BY 1")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
