//! Subscriptions (`subscriptions`): a customer's package over time. At most one
//! is active per customer; changing package ends it and opens the next.

use rusqlite::{params, Connection, Row, Transaction};

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    pub id: i64,
    pub customer_id: i64,
    pub package_id: i64,
    pub package_name: String,
    pub starts_at: String,
    pub expires_at: Option<String>,
    pub ended_at: Option<String>,
    pub status: String,
    pub auto_renew: bool,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<SubscriptionRow> {
    Ok(SubscriptionRow {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        package_id: r.get(2)?,
        package_name: r.get(3)?,
        starts_at: r.get(4)?,
        expires_at: r.get(5)?,
        ended_at: r.get(6)?,
        status: r.get(7)?,
        auto_renew: r.get(8)?,
    })
}

const SELECT: &str = "SELECT s.id, s.customer_id, s.package_id, p.name, s.starts_at, s.expires_at,
                             s.ended_at, s.status, s.auto_renew
                      FROM subscriptions s JOIN packages p ON p.id = s.package_id";

/// Opens an active subscription.
pub fn open(
    tx: &Transaction<'_>,
    customer_id: i64,
    package_id: i64,
    starts_at: &str,
    expires_at: &str,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO subscriptions (customer_id, package_id, starts_at, expires_at, status)
         VALUES (?1, ?2, ?3, ?4, 'active')",
        params![customer_id, package_id, starts_at, expires_at],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Ends the customer's active subscription, if any.
pub fn end_active(tx: &Transaction<'_>, customer_id: i64, now: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE subscriptions SET status = 'ended', ended_at = ?2
         WHERE customer_id = ?1 AND status = 'active'",
        params![customer_id, now],
    )?;
    Ok(())
}

/// One customer's subscriptions, newest first, and the total.
pub fn for_customer(
    conn: &Connection,
    customer_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SubscriptionRow>, u64), StoreError> {
    let total: i64 = conn.query_row(
        "SELECT COUNT(*) FROM subscriptions WHERE customer_id = ?1",
        [customer_id],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE s.customer_id = ?1 ORDER BY s.id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let rows = stmt
        .query_map(params![customer_id, limit, offset], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// All subscriptions, newest first (optionally of customers of one operator), and the total.
pub fn list(
    conn: &Connection,
    operator: Option<i64>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SubscriptionRow>, u64), StoreError> {
    let filter =
        "(?1 IS NULL OR s.customer_id IN (SELECT id FROM customers WHERE operator_id = ?1))
                  AND (?2 IS NULL OR s.status = ?2)";
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM subscriptions s WHERE {filter}"),
        params![operator, status],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE {filter} ORDER BY s.id DESC LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = stmt
        .query_map(params![operator, status, limit, offset], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}
