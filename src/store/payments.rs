//! Payments (`payments`): recorded once per gateway transaction, settling the
//! customer's oldest open bills first (a named bill before them), the rest
//! becoming credit through the customer ledger; `payment.received` in the same
//! transaction.

use super::sql::{Connection, OptionalExtension, Transaction};
use rusqlite::params;
use serde_json::json;

use super::{
    events,
    rows::{self, record},
    Problems, StoreError,
};
use crate::domain::money::Money;
use crate::domain::visibility::Visibility;

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PaymentRow in p {
        pub id: i64,
        pub customer_id: i64,
        pub bill_id: Option<i64>,
        pub amount: Money = "p.amount_minor",
        pub currency: String,
        pub method: String,
        pub transaction_id: Option<String>,
        pub received_at: String,
    }
}

/// A settled part of a bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    pub bill_id: i64,
    pub amount: Money,
}

/// A recorded payment and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub payment: PaymentRow,
    pub allocations: Vec<Allocation>,
    pub credit: Money,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPayment {
    pub customer_id: i64,
    pub bill_id: Option<i64>,
    pub amount: Money,
    pub currency: String,
    pub method: String,
    pub transaction_id: Option<String>,
}

const FROM: &str = "FROM payments p JOIN customers c ON c.id = p.customer_id";

/// Settles `amount` against one bill; returns what it took.
fn settle(
    tx: &Transaction<'_>,
    bill_id: i64,
    amount: Money,
    now: &str,
) -> Result<Money, StoreError> {
    let (total, paid): (i64, i64) = tx.query_row(
        "SELECT amount_minor, paid_minor FROM bills WHERE id = ?1",
        [bill_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let take = amount.minor().min(total - paid).max(0);
    if take > 0 {
        let paid_now = paid + take;
        let status = if paid_now >= total { "paid" } else { "partial" };
        tx.exec(
            "UPDATE bills SET paid_minor = ?2, status = ?3, updated_at = ?4 WHERE id = ?1",
            params![bill_id, paid_now, status, now],
        )?;
    }
    Ok(Money(take))
}

/// Records a payment. A (method, transaction_id) seen before is a conflict and
/// pays nothing.
pub fn record(
    tx: &Transaction<'_>,
    new: &NewPayment,
    vis: Visibility,
    now: &str,
) -> Result<Recorded, StoreError> {
    let mut problems = Problems::default();
    problems.check(
        super::customers::get(tx, new.customer_id, vis)?.is_none(),
        "customer_id",
        "The selected customer is invalid.",
    );
    if let Some(bill_id) = new.bill_id {
        let open: Option<String> = tx
            .query_row(
                "SELECT status FROM bills WHERE id = ?1 AND customer_id = ?2",
                params![bill_id, new.customer_id],
                |r| r.get(0),
            )
            .optional()?;
        problems.check(open.is_none(), "bill_id", "The selected bill is invalid.");
        problems.check(
            open.as_deref()
                .is_some_and(|s| s != "unpaid" && s != "partial"),
            "bill_id",
            "The selected bill is already paid or cancelled.",
        );
    }
    problems.into_result()?;
    if let Some(txn) = &new.transaction_id {
        let seen: bool = rows::exists(
            tx,
            "FROM payments WHERE method = ?1 AND transaction_id = ?2",
            params![new.method, txn],
        )?;
        if seen {
            return Err(StoreError::Conflict(format!(
                "A {} payment with transaction id {txn} is already recorded.",
                new.method
            )));
        }
    }
    let payment_id: i64 = rows::value(
        tx,
        "INSERT INTO payments (customer_id, bill_id, amount_minor, currency, method, transaction_id, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        params![
            new.customer_id,
            new.bill_id,
            new.amount.minor(),
            new.currency,
            new.method,
            new.transaction_id,
            now
        ],
    )?;
    // The named bill first, then the oldest open bills.
    let mut order: Vec<i64> = new.bill_id.into_iter().collect();
    let mut stmt = tx.prepare_cached(
        "SELECT id FROM bills WHERE customer_id = ?1 AND status IN ('unpaid', 'partial')
         ORDER BY due_date, id",
    )?;
    for id in stmt.query_map([new.customer_id], |r| r.get::<_, i64>(0))? {
        let id = id?;
        if Some(id) != new.bill_id {
            order.push(id);
        }
    }
    let mut left = new.amount;
    let mut allocations = Vec::new();
    for bill_id in order {
        if left == Money::ZERO {
            break;
        }
        let took = settle(tx, bill_id, left, now)?;
        if took > Money::ZERO {
            tx.exec(
                "INSERT INTO payment_allocations (payment_id, bill_id, amount_minor) VALUES (?1, ?2, ?3)",
                params![payment_id, bill_id, took.minor()],
            )?;
            allocations.push(Allocation {
                bill_id,
                amount: took,
            });
            left = Money(left.minor() - took.minor());
        }
    }
    if left > Money::ZERO {
        tx.exec(
            "INSERT INTO customer_ledger (customer_id, amount_minor, kind, payment_id, created_at)
             VALUES (?1, ?2, 'credit', ?3, ?4)",
            params![new.customer_id, left.minor(), payment_id, now],
        )?;
        tx.exec(
            "UPDATE customers SET balance_minor = balance_minor + ?2 WHERE id = ?1",
            params![new.customer_id, left.minor()],
        )?;
    }
    let payment = get(tx, payment_id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
    events::record(
        tx,
        events::PAYMENT_RECEIVED,
        &json!({
            "payment_id": payment.id,
            "customer_id": payment.customer_id,
            "amount": payment.amount.to_json(),
            "currency": payment.currency,
            "method": payment.method,
            "transaction_id": payment.transaction_id,
            "bill_id": payment.bill_id,
        }),
        now,
    )?;
    Ok(Recorded {
        payment,
        allocations,
        credit: left,
    })
}

pub fn get(conn: &Connection, id: i64, vis: Visibility) -> Result<Option<PaymentRow>, StoreError> {
    rows::one(
        conn,
        &format!("{FROM} WHERE p.id = ?1 AND (?2 IS NULL OR c.operator_id = ?2)"),
        params![id, vis.operator_id],
    )
}

/// The payments after id `after_id` (of one customer, received within
/// `from`..=`to` when given), in id order, at most `limit`: one chunk of an
/// export (no count, no offset).
pub fn export_chunk(
    conn: &Connection,
    customer_id: Option<i64>,
    (from, to): (Option<&str>, Option<&str>),
    vis: Visibility,
    after_id: i64,
    limit: i64,
) -> Result<Vec<PaymentRow>, StoreError> {
    rows::all(
        conn,
        &format!(
            "{FROM} WHERE p.id > ?5 AND (?1 IS NULL OR c.operator_id = ?1) \
             AND (?2 IS NULL OR p.customer_id = ?2) AND (?3 IS NULL OR p.received_at >= ?3) \
             AND (?4 IS NULL OR p.received_at <= ?4) ORDER BY p.id LIMIT ?6"
        ),
        params![vis.operator_id, customer_id, from, to, after_id, limit],
    )
}

/// One page of payments, newest first, optionally of one customer, and the total.
pub fn list(
    conn: &Connection,
    customer_id: Option<i64>,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PaymentRow>, u64), StoreError> {
    rows::page(
        conn,
        FROM,
        "(?1 IS NULL OR c.operator_id = ?1) AND (?2 IS NULL OR p.customer_id = ?2)",
        "p.received_at DESC, p.id DESC",
        params![vis.operator_id, customer_id],
        limit,
        offset,
    )
}

/// Money figures for the dashboard, within the caller's visibility: payments
/// received since `month_start` and since `day_start`, and what open bills still
/// owe.
pub fn dashboard_figures(
    conn: &Connection,
    vis: Visibility,
    month_start: &str,
    day_start: &str,
) -> Result<(Money, Money, Money), StoreError> {
    let (month, today): (i64, i64) = conn.query_row(
        "SELECT COALESCE(CAST(SUM(CASE WHEN p.received_at >= ?2 THEN p.amount_minor END) AS BIGINT), 0),
                COALESCE(CAST(SUM(CASE WHEN p.received_at >= ?3 THEN p.amount_minor END) AS BIGINT), 0)
         FROM payments p JOIN customers c ON c.id = p.customer_id
         WHERE p.received_at >= CASE WHEN ?2 < ?3 THEN ?2 ELSE ?3 END AND (?1 IS NULL OR c.operator_id = ?1)",
        params![vis.operator_id, month_start, day_start],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let unpaid: i64 = rows::value(
        conn,
        "SELECT COALESCE(CAST(SUM(b.amount_minor - b.paid_minor) AS BIGINT), 0)
         FROM bills b JOIN customers c ON c.id = b.customer_id
         WHERE b.status IN ('unpaid', 'partial') AND (?1 IS NULL OR c.operator_id = ?1)",
        [vis.operator_id],
    )?;
    Ok((Money(month), Money(today), Money(unpaid)))
}

/// Payments received per local day since `since` (an RFC 3339 instant), the
/// day taken at `offset_secs` from UTC, within the caller's visibility; days
/// without payments are absent.
pub fn daily_collections(
    conn: &Connection,
    vis: Visibility,
    since: &str,
    offset_secs: i32,
) -> Result<Vec<(String, Money)>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} AS day, CAST(SUM(p.amount_minor) AS BIGINT)
         FROM payments p JOIN customers c ON c.id = p.customer_id
         WHERE p.received_at >= ?2 AND (?1 IS NULL OR c.operator_id = ?1)
         GROUP BY day ORDER BY day",
        conn.engine().shifted_date("p.received_at", "?3")
    ))?;
    let rows = stmt.query_map(
        params![vis.operator_id, since, format!("{offset_secs:+} seconds")],
        |r| Ok((r.get::<_, String>(0)?, Money(r.get(1)?))),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}
/// Whether a payment with this method and transaction id is booked.
pub fn transaction_taken(conn: &Connection, method: &str, trx: &str) -> Result<bool, StoreError> {
    rows::exists(
        conn,
        "FROM payments WHERE method = ?1 AND transaction_id = ?2",
        params![method, trx],
    )
}
