//! The transactional outbox (`events`): a row per domain event, written by the
//! same transaction as the change it reports.

use super::sql::{Connection, Transaction};
use rusqlite::params;
use serde_json::Value;

use super::{
    rows::{self, record},
    StoreError,
};

/// Event types.
pub const CUSTOMER_CREATED: &str = "customer.created";
pub const CUSTOMER_SUSPENDED: &str = "customer.suspended";
pub const CUSTOMER_ACTIVATED: &str = "customer.activated";
/// A customer's details edited (`changed`: the fields' names).
pub const CUSTOMER_UPDATED: &str = "customer.updated";
/// A customer deleted (what it was, as `customer.created` said).
pub const CUSTOMER_DELETED: &str = "customer.deleted";
/// A prepaid customer's period ended without a renewal.
pub const SUBSCRIPTION_EXPIRED: &str = "subscription.expired";
/// A bill (an invoice's line) still unpaid past its due date and the grace
/// days: once per bill.
pub const INVOICE_OVERDUE: &str = "invoice.overdue";
/// An online payment that ended without money (failed, cancelled, expired
/// or rejected).
pub const PAYMENT_FAILED: &str = "payment.failed";
/// A customer moved to another package.
pub const PACKAGE_CHANGED: &str = "package.changed";
pub const BILL_GENERATED: &str = "bill.generated";
pub const PAYMENT_RECEIVED: &str = "payment.received";
pub const PAYMENT_REFUNDED: &str = "payment.refunded";
pub const COMPLAINT_CREATED: &str = "complaint.created";
/// A reminder that a bill is due soon, with a payment link (SMS only).
pub const BILL_REMINDER: &str = "bill.reminder";
/// A reminder that a prepaid package ends soon, with a payment link (SMS only).
pub const EXPIRY_REMINDER: &str = "package.expiry_reminder";
/// A test ping to one webhook (never fanned out to others).
pub const WEBHOOK_TEST: &str = "webhook.test";

/// The events webhooks can subscribe to.
pub const SUBSCRIBABLE: [&str; 13] = [
    CUSTOMER_CREATED,
    CUSTOMER_UPDATED,
    CUSTOMER_DELETED,
    CUSTOMER_SUSPENDED,
    CUSTOMER_ACTIVATED,
    PACKAGE_CHANGED,
    SUBSCRIPTION_EXPIRED,
    PAYMENT_RECEIVED,
    PAYMENT_REFUNDED,
    PAYMENT_FAILED,
    BILL_GENERATED,
    INVOICE_OVERDUE,
    COMPLAINT_CREATED,
];

/// An event row (kind, payload, time).
const INSERT: &str = "INSERT INTO events (type, payload, created_at) VALUES (?1, ?2, ?3)";

/// Appends an event; returns its id.
pub fn append(
    tx: &Transaction<'_>,
    kind: &str,
    payload: &Value,
    now: &str,
) -> Result<i64, StoreError> {
    let id: i64 = rows::value(
        tx,
        &format!("{INSERT} RETURNING id"),
        params![kind, payload.to_string(), now],
    )?;
    Ok(id)
}

/// [`append`] when the event's id is not needed: on PostgreSQL it goes out
/// with the write's next statement ([`Transaction::exec_later`]).
pub fn record(
    tx: &Transaction<'_>,
    kind: &str,
    payload: &Value,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec_later(INSERT, params![kind, payload.to_string(), now])?;
    Ok(())
}

record! {
    /// A stored event.
    #[derive(Debug, Clone, PartialEq)]
    pub struct EventRow {
        pub id: i64,
        pub kind: String = "type",
        pub payload: Value => rows::json_or_null,
        pub created_at: String,
    }
}

/// Events after `after_id`, oldest first, at most `limit`.
pub fn after(conn: &Connection, after_id: i64, limit: i64) -> Result<Vec<EventRow>, StoreError> {
    rows::all(
        conn,
        "FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
        params![after_id, limit],
    )
}

/// How far the outbox reader `reader` has read (0 when it has not started).
pub fn cursor(conn: &Connection, reader: &str) -> Result<i64, StoreError> {
    use super::sql::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT last_event_id FROM outbox_cursors WHERE name = ?1",
            [reader],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Moves the reader's cursor (in the transaction that acted on the events).
/// Marks every event so far as read by `reader`: a demo's made-up past is
/// not news to send (no SMS, no webhook for it).
pub fn mark_all_read(tx: &Transaction<'_>, reader: &str) -> Result<(), StoreError> {
    let last: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))?;
    set_cursor(tx, reader, last)
}

pub fn set_cursor(tx: &Transaction<'_>, reader: &str, last: i64) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO outbox_cursors (name, last_event_id) VALUES (?1, ?2) \
         ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id",
        params![reader, last],
    )?;
    Ok(())
}
