//! Invoices (`invoices`): one per customer and month, numbered per year
//! (`INV-2026-000123`), grouping the month's bills and their payments.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{
    rows::{self, record},
    StoreError,
};
use crate::domain::money::Money;
use crate::domain::visibility::Visibility;

/// The invoice for `customer_id` and `period` (`YYYY-MM`), created on first use.
pub fn for_period(
    tx: &Transaction<'_>,
    customer_id: i64,
    period: &str,
    now: &str,
) -> Result<i64, StoreError> {
    if let Some(id) = tx
        .query_row(
            "SELECT id FROM invoices WHERE customer_id = ?1 AND period = ?2",
            params![customer_id, period],
            |r| r.get(0),
        )
        .optional()?
    {
        return Ok(id);
    }
    let year = period.get(..4).unwrap_or("0000");
    let prefix = format!("INV-{year}-");
    let last: Option<i64> = rows::value(
        tx,
        "SELECT MAX(CAST(substr(number, 10) AS INTEGER)) FROM invoices WHERE number LIKE ?1",
        [format!("{prefix}%")],
    )?;
    let number = format!("{prefix}{:06}", last.unwrap_or(0) + 1);
    tx.execute(
        "INSERT INTO invoices (number, customer_id, period, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![number, customer_id, period, now],
    )?;
    Ok(tx.last_insert_rowid())
}

record! {
    /// An invoice with its totals.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct InvoiceRow in i {
        pub id: i64,
        pub number: String,
        pub customer_id: i64,
        pub period: String,
        pub total: Money = "COALESCE((SELECT SUM(amount_minor) FROM bills \
            WHERE invoice_id = i.id AND status <> 'cancelled'), 0)",
        pub paid: Money = "COALESCE((SELECT SUM(paid_minor) FROM bills WHERE invoice_id = i.id), 0)",
        pub bill_ids: Vec<i64> = "(SELECT group_concat(id) FROM bills WHERE invoice_id = i.id)"
            => rows::id_list,
        pub payment_ids: Vec<i64> = "(SELECT group_concat(DISTINCT a.payment_id) \
            FROM payment_allocations a JOIN bills b ON b.id = a.bill_id WHERE b.invoice_id = i.id)"
            => rows::id_list,
        pub created_at: String,
    }
}

/// One page of invoices, newest first, optionally of one customer, and the total.
pub fn list(
    conn: &Connection,
    customer_id: Option<i64>,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<InvoiceRow>, u64), StoreError> {
    rows::page(
        conn,
        "FROM invoices i JOIN customers c ON c.id = i.customer_id",
        "(?1 IS NULL OR c.operator_id = ?1) AND (?2 IS NULL OR i.customer_id = ?2)",
        "i.created_at DESC, i.id DESC",
        params![vis.operator_id, customer_id],
        limit,
        offset,
    )
}
