//! Reminders with a payment link (`payment_reminders`): which bills fall
//! due, and which prepaid packages end, on a day and have not been
//! reminded of for that many days before; and the reminder itself, written
//! once (the unique row) with the event the SMS worker sends.

use rusqlite::params;
use serde_json::Value;

use super::{events, rows, sql::Connection, sql::Transaction, StoreError};
use crate::domain::money::Money;

/// A bill to remind of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueBill {
    pub bill_id: i64,
    pub customer_id: i64,
    pub open: Money,
    pub currency: String,
    pub due_date: String,
}

/// Open bills due on `due_date` of customers in service (active or
/// suspended) not yet reminded of `days` before.
pub fn bills_due_on(
    conn: &Connection,
    due_date: &str,
    days: u32,
    limit: i64,
) -> Result<Vec<DueBill>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.id, b.customer_id, b.amount_minor - b.paid_minor, b.currency, b.due_date \
         FROM bills b JOIN customers c ON c.id = b.customer_id \
         WHERE b.status IN ('unpaid', 'partial') AND b.due_date = ?1 \
         AND c.status IN ('active', 'suspended') \
         AND NOT EXISTS (SELECT 1 FROM payment_reminders r WHERE r.kind = 'bill' \
           AND r.customer_id = b.customer_id AND r.target = CAST(b.id AS TEXT) AND r.days = ?2) \
         ORDER BY b.id LIMIT ?3",
    )?;
    let found = stmt.query_map(params![due_date, i64::from(days), limit], |r| {
        Ok(DueBill {
            bill_id: r.get(0)?,
            customer_id: r.get(1)?,
            open: Money(r.get(2)?),
            currency: r.get(3)?,
            due_date: r.get(4)?,
        })
    })?;
    Ok(found.collect::<Result<_, _>>()?)
}

/// Active customers of prepaid packages (billed by days) whose package ends
/// in `[from, to)`, not yet reminded of `days` before: their ids and expiry
/// times. (A monthly customer's `expires_at` is no end of service.)
pub fn expiring(
    conn: &Connection,
    from: &str,
    to: &str,
    days: u32,
    limit: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.expires_at FROM customers c JOIN packages p ON p.id = c.package_id \
         WHERE c.expires_at >= ?1 AND c.expires_at < ?2 \
         AND p.billing_cycle = 'days' AND c.status = 'active' \
         AND NOT EXISTS (SELECT 1 FROM payment_reminders r WHERE r.kind = 'expiry' \
           AND r.customer_id = c.id AND r.target = c.expires_at AND r.days = ?3) \
         ORDER BY c.id LIMIT ?4",
    )?;
    let found = stmt.query_map(params![from, to, i64::from(days), limit], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(found.collect::<Result<_, _>>()?)
}

/// Reminder rows written before `before`: once a bill's due date or an
/// expiry has passed, its rows are never looked up again (reminders go at
/// most 60 days before), so retention drops them after 90 days.
pub fn prune(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    rows::execute(
        tx,
        "DELETE FROM payment_reminders WHERE created_at < ?1",
        [before],
    )
}

/// A reminder to send.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReminder {
    /// `bill` or `expiry`.
    pub kind: &'static str,
    pub customer_id: i64,
    pub target: String,
    pub days: u32,
    /// The event the SMS worker sends, and its payload.
    pub event: &'static str,
    pub payload: Value,
}

/// Writes the reminder and its event, unless it was written before (false).
pub fn record(tx: &Transaction<'_>, r: &NewReminder, now: &str) -> Result<bool, StoreError> {
    let added = rows::execute(
        tx,
        "INSERT INTO payment_reminders (kind, customer_id, target, days, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![r.kind, r.customer_id, r.target, i64::from(r.days), now],
    )?;
    if added != 1 {
        return Ok(false);
    }
    let event = events::append(tx, r.event, &r.payload, now)?;
    rows::execute(
        tx,
        "UPDATE payment_reminders SET event_id = ?1 \
         WHERE kind = ?2 AND customer_id = ?3 AND target = ?4 AND days = ?5",
        params![event, r.kind, r.customer_id, r.target, i64::from(r.days)],
    )?;
    Ok(true)
}
