//! Refunds of online payments (`refunds`). A refund is reserved before the
//! gateway is asked (`processing`, the online payment's `refunded_minor`
//! raised in the same statement that checks it stays within what was paid),
//! then either applied to the books (`refunded`) or released (`failed`).
//!
//! Applying takes the money back where it went, in this order: the credit
//! this payment left that the customer still has (a `refund` row in the
//! customer ledger), then the bills it settled, newest first (each reopened
//! as `partial` or `unpaid`); what is left after both (credit already spent
//! on a renewal) is a `refund` ledger row the customer now owes.
//! `payment.refunded` is written in the same transaction.

use rusqlite::params;
use serde_json::json;

use super::{
    events,
    rows::{self, record, Conditions},
    sql::{Connection, Transaction},
    StoreError,
};
use crate::domain::{money::Money, visibility::Visibility};

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RefundRow in r {
        pub id: i64,
        pub reference: String,
        pub online_payment_id: i64,
        pub payment_id: i64,
        pub customer_id: i64,
        pub amount: Money = "r.amount_minor",
        pub currency: String,
        pub state: String,
        pub gateway_refund_id: Option<String>,
        pub reason: String,
        pub detail: Option<String>,
        pub created_by: Option<i64>,
        pub created_at: String,
        pub updated_at: String,
    }
}

const FROM: &str = "FROM refunds r";

/// A refund to reserve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub reference: String,
    pub online_payment_id: i64,
    pub amount: Money,
    pub reason: String,
    pub created_by: Option<i64>,
}

/// Reserves a refund of a paid online payment; `Conflict` when it is not
/// paid or the amount is more than what is left to refund.
pub fn reserve(tx: &Transaction<'_>, n: &NewRefund, now: &str) -> Result<RefundRow, StoreError> {
    let reserved = rows::execute(
        tx,
        "UPDATE online_payments SET refunded_minor = refunded_minor + ?2, updated_at = ?3 \
         WHERE id = ?1 AND state = 'paid' AND payment_id IS NOT NULL \
         AND refunded_minor + ?2 <= amount_minor",
        params![n.online_payment_id, n.amount.minor(), now],
    )?;
    if reserved != 1 {
        return Err(StoreError::Conflict(
            "Only a paid online payment can be refunded, and at most what is left of it.".into(),
        ));
    }
    let id: i64 = rows::value(
        tx,
        "INSERT INTO refunds (reference, online_payment_id, payment_id, customer_id, amount_minor, \
         currency, state, reason, created_by, created_at, updated_at) \
         SELECT ?1, o.id, o.payment_id, o.customer_id, ?2, o.currency, 'processing', ?3, ?4, ?5, ?5 \
         FROM online_payments o WHERE o.id = ?6 RETURNING id",
        params![
            n.reference,
            n.amount.minor(),
            n.reason,
            n.created_by,
            now,
            n.online_payment_id
        ],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

/// How many refunds of an online payment are still processing.
pub fn in_flight(conn: &Connection, online_payment_id: i64) -> Result<i64, StoreError> {
    rows::value(
        conn,
        "SELECT COUNT(*) FROM refunds WHERE online_payment_id = ?1 AND state = 'processing'",
        [online_payment_id],
    )
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<RefundRow>, StoreError> {
    rows::one(conn, &format!("{FROM} WHERE r.id = ?1"), [id])
}

/// Whether a gateway's refund id is on one of our refunds already.
pub fn gateway_refund_taken(
    conn: &Connection,
    gateway_refund_id: &str,
) -> Result<bool, StoreError> {
    rows::exists(
        conn,
        "FROM refunds WHERE gateway_refund_id = ?1 AND state = 'refunded'",
        [gateway_refund_id],
    )
}

/// Notes what the gateway said of a refund still processing.
pub fn note(
    tx: &Transaction<'_>,
    id: i64,
    gateway_refund_id: Option<&str>,
    detail: &str,
    now: &str,
) -> Result<(), StoreError> {
    rows::execute(
        tx,
        "UPDATE refunds SET gateway_refund_id = COALESCE(?2, gateway_refund_id), detail = ?3, \
         updated_at = ?4 WHERE id = ?1",
        params![id, gateway_refund_id, detail, now],
    )?;
    Ok(())
}

/// The gateway refused the refund: nothing moved; the reservation is
/// released. False when it was no longer processing.
pub fn fail(tx: &Transaction<'_>, id: i64, detail: &str, now: &str) -> Result<bool, StoreError> {
    let Some(r) = get(tx, id)?.filter(|r| r.state == "processing") else {
        return Ok(false);
    };
    rows::execute_one(
        tx,
        "UPDATE refunds SET state = 'failed', detail = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, detail, now],
    )?;
    rows::execute_one(
        tx,
        "UPDATE online_payments SET refunded_minor = refunded_minor - ?2, updated_at = ?3 \
         WHERE id = ?1",
        params![r.online_payment_id, r.amount.minor(), now],
    )?;
    Ok(true)
}

/// The money went back: the books follow (see the module's text). Answers
/// the bills reopened; false when it was no longer processing.
pub fn apply(
    tx: &Transaction<'_>,
    id: i64,
    gateway_refund_id: Option<&str>,
    detail: &str,
    gateway: &str,
    now: &str,
) -> Result<Option<Vec<i64>>, StoreError> {
    let Some(r) = get(tx, id)?.filter(|r| r.state == "processing") else {
        return Ok(None);
    };
    rows::execute_one(
        tx,
        "UPDATE refunds SET state = 'refunded', gateway_refund_id = COALESCE(?2, gateway_refund_id), \
         detail = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, gateway_refund_id, detail, now],
    )?;
    // Credit this payment left that the customer still holds.
    let left_by_payment: i64 = rows::value(
        tx,
        "SELECT COALESCE(SUM(amount_minor), 0) FROM customer_ledger \
         WHERE payment_id = ?1 AND kind IN ('credit', 'refund')",
        [r.payment_id],
    )?;
    let balance: i64 = rows::value(
        tx,
        "SELECT balance_minor FROM customers WHERE id = ?1",
        [r.customer_id],
    )?;
    let from_credit = r
        .amount
        .minor()
        .min(left_by_payment.max(0))
        .min(balance.max(0));
    let mut left = r.amount.minor() - from_credit;
    // Then the bills it settled, newest first.
    let allocations: Vec<(i64, i64)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT a.bill_id, a.amount_minor FROM payment_allocations a \
             JOIN bills b ON b.id = a.bill_id WHERE a.payment_id = ?1 \
             ORDER BY b.due_date DESC, b.id DESC",
        )?;
        let found = stmt.query_map([r.payment_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        found.collect::<Result<_, _>>()?
    };
    let mut reopened = Vec::new();
    for (bill_id, allocated) in allocations {
        if left == 0 {
            break;
        }
        let take = left.min(allocated);
        if take == allocated {
            rows::execute_one(
                tx,
                "DELETE FROM payment_allocations WHERE payment_id = ?1 AND bill_id = ?2",
                params![r.payment_id, bill_id],
            )?;
        } else {
            rows::execute_one(
                tx,
                "UPDATE payment_allocations SET amount_minor = amount_minor - ?3 \
                 WHERE payment_id = ?1 AND bill_id = ?2",
                params![r.payment_id, bill_id, take],
            )?;
        }
        rows::execute_one(
            tx,
            "UPDATE bills SET paid_minor = paid_minor - ?2, \
             status = CASE WHEN status = 'cancelled' THEN status \
                           WHEN paid_minor - ?2 <= 0 THEN 'unpaid' ELSE 'partial' END, \
             updated_at = ?3 WHERE id = ?1",
            params![bill_id, take, now],
        )?;
        reopened.push(bill_id);
        left -= take;
    }
    // Taken from credit, and whatever the customer now owes.
    let from_balance = from_credit + left;
    if from_balance > 0 {
        tx.exec(
            "INSERT INTO customer_ledger (customer_id, amount_minor, kind, payment_id, created_at) \
             VALUES (?1, ?2, 'refund', ?3, ?4)",
            params![r.customer_id, -from_balance, r.payment_id, now],
        )?;
        tx.exec(
            "UPDATE customers SET balance_minor = balance_minor - ?2 WHERE id = ?1",
            params![r.customer_id, from_balance],
        )?;
    }
    events::record(
        tx,
        events::PAYMENT_REFUNDED,
        &json!({
            "refund_id": r.id,
            "payment_id": r.payment_id,
            "online_payment_id": r.online_payment_id,
            "customer_id": r.customer_id,
            "amount": r.amount.to_json(),
            "currency": r.currency,
            "gateway": gateway,
            "gateway_refund_id": gateway_refund_id,
            "reason": r.reason,
            "reopened_bills": reopened,
            "taken_from_balance": Money(from_balance).to_json(),
        }),
        now,
    )?;
    Ok(Some(reopened))
}

/// Refunds still processing at the gateway, least recently looked at
/// first, last looked at before `stale_before`.
pub fn processing(
    conn: &Connection,
    stale_before: &str,
    limit: i64,
) -> Result<Vec<RefundRow>, StoreError> {
    rows::all(
        conn,
        &format!(
            "{FROM} WHERE r.state = 'processing' AND r.updated_at < ?1 \
             ORDER BY r.updated_at, r.id LIMIT ?2"
        ),
        params![stale_before, limit],
    )
}

/// What a list of refunds is filtered by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub online_payment_id: Option<i64>,
    pub customer_id: Option<i64>,
}

/// A page of refunds the caller may see, newest first, and how many match.
pub fn list(
    conn: &Connection,
    f: &Filter,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RefundRow>, u64), StoreError> {
    let mut cond = Conditions::default();
    if let Some(id) = f.online_payment_id {
        cond.add("r.online_payment_id = ?", id);
    }
    if let Some(id) = f.customer_id {
        cond.add("r.customer_id = ?", id);
    }
    if let Some(op) = vis.operator_id {
        cond.add("c.operator_id = ?", op);
    }
    rows::page(
        conn,
        "FROM refunds r JOIN customers c ON c.id = r.customer_id",
        &cond.sql(),
        "r.id DESC",
        &cond.args(),
        limit,
        offset,
    )
}
