//! Invoices (`invoices`): one per customer and month, numbered per year
//! (`INV-2026-000123`), grouping the month's bills and their payments.

use super::sql::{Connection, OptionalExtension, Transaction};
use rusqlite::params;

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
        .prepare_cached("SELECT id FROM invoices WHERE customer_id = ?1 AND period = ?2")?
        .query_row(params![customer_id, period], |r| r.get(0))
        .optional()?
    {
        return Ok(id);
    }
    let year = period.get(..4).unwrap_or("0000");
    // The year's next number from its counter row (never a scan of the year).
    let next: i64 = rows::value(
        tx,
        "INSERT INTO invoice_counters (year, last) VALUES (?1, 1)
         ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1
         RETURNING last",
        [year],
    )?;
    let number = format!("INV-{year}-{next:06}");
    let id: i64 = rows::value(
        tx,
        "INSERT INTO invoices (number, customer_id, period, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        params![number, customer_id, period, now],
    )?;
    Ok(id)
}

record! {
    /// An invoice with its totals.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct InvoiceRow in i {
        pub id: i64,
        pub number: String,
        pub customer_id: i64,
        pub period: String,
        pub total: Money = "COALESCE((SELECT CAST(SUM(amount_minor) AS BIGINT) FROM bills \
            WHERE invoice_id = i.id AND status <> 'cancelled'), 0)",
        pub paid: Money = "COALESCE((SELECT CAST(SUM(paid_minor) AS BIGINT) FROM bills WHERE invoice_id = i.id), 0)",
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

/// One invoice of one customer.
pub fn of_customer(
    conn: &Connection,
    customer_id: i64,
    id: i64,
) -> Result<Option<InvoiceRow>, StoreError> {
    rows::one(
        conn,
        "FROM invoices i WHERE i.id = ?1 AND i.customer_id = ?2",
        params![id, customer_id],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{vm_steps::vm_steps as steps, Db};

    /// Numbering the next invoice costs the same with 5,000 invoices in the
    /// year as with 50 (it scanned them all before the per-year counter),
    /// and numbers stay consecutive per year.
    #[test]
    fn numbering_an_invoice_does_not_grow_with_the_invoices() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), 1).unwrap();
        let mut conn = db.conn().unwrap();
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5002)
             INSERT INTO customers (id, name, phone, connection_type, created_at, updated_at)
             SELECT i, 'c' || i, '017' || i, 'static', 'x', 'x' FROM n",
        )
        .unwrap();
        let raw = conn.transaction().unwrap();
        let tx = Transaction::on(crate::store::sql::Connection::sqlite(&raw));
        for c in 1..=50 {
            for_period(&tx, c, "2026-01", "x").unwrap();
        }
        let few = steps(&tx, || {
            for_period(&tx, 5001, "2026-01", "x").unwrap();
        });
        for c in 51..=5000 {
            for_period(&tx, c, "2026-01", "x").unwrap();
        }
        let many = steps(&tx, || {
            for_period(&tx, 5002, "2026-01", "x").unwrap();
        });
        assert!(few > 0);
        assert!(
            many <= few + few / 2,
            "{few} steps at 50 invoices, {many} at 5,000"
        );
        let numbers: (String, String) = tx
            .query_row(
                "SELECT (SELECT number FROM invoices WHERE customer_id = 5001),
                        (SELECT number FROM invoices WHERE customer_id = 5002)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            numbers,
            ("INV-2026-000051".into(), "INV-2026-005002".into())
        );
        // Another year starts at 1; an existing invoice keeps its number.
        let next_year = for_period(&tx, 1, "2027-01", "x").unwrap();
        let again = for_period(&tx, 1, "2026-01", "x").unwrap();
        let (n27, n26): (String, String) = tx
            .query_row(
                "SELECT (SELECT number FROM invoices WHERE id = ?1),
                        (SELECT number FROM invoices WHERE id = ?2)",
                [next_year, again],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (n27.as_str(), n26.as_str()),
            ("INV-2027-000001", "INV-2026-000001")
        );
    }

    /// The migration seeds each year's counter from the invoices numbered
    /// before it existed.
    #[test]
    fn the_counters_start_after_the_invoices_already_numbered() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), 1).unwrap();
        let conn = db.conn().unwrap();
        let seed: String = crate::store::migrations::all()
            .unwrap()
            .into_iter()
            .find(|m| m.version == 19)
            .map(|m| m.sql)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO customers (id, name, phone, connection_type, created_at, updated_at)
             VALUES (1, 'a', '1', 'static', 'x', 'x'), (2, 'b', '2', 'static', 'x', 'x');
             DROP TABLE invoice_counters;
             INSERT INTO invoices (number, customer_id, period, created_at) VALUES
               ('INV-2025-000007', 1, '2025-12', 'x'), ('INV-2026-000041', 1, '2026-01', 'x');",
        )
        .unwrap();
        conn.execute_batch(&seed).unwrap();
        let raw =
            rusqlite::Transaction::new_unchecked(&conn, rusqlite::TransactionBehavior::Deferred)
                .unwrap();
        let tx = Transaction::on(crate::store::sql::Connection::sqlite(&raw));
        let id = for_period(&tx, 2, "2026-01", "x").unwrap();
        let number: String = tx
            .query_row("SELECT number FROM invoices WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(number, "INV-2026-000042");
    }
}
