//! Subscriptions (`subscriptions`): a customer's package over time. At most one
//! is active per customer; changing package ends it and opens the next.

use super::sql::{Connection, Transaction};
use rusqlite::params;

use super::{
    rows::{self, record},
    StoreError,
};

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct SubscriptionRow in s {
        pub id: i64,
        pub customer_id: i64,
        pub package_id: i64,
        pub package_name: String = "p.name",
        pub starts_at: String,
        pub expires_at: Option<String>,
        pub ended_at: Option<String>,
        pub status: String,
        pub auto_renew: bool,
    }
}

/// Subscriptions with their package's name; every subscription has its
/// package (a foreign key), so the join drops none.
const FROM: &str = "FROM subscriptions s JOIN packages p ON p.id = s.package_id";

/// Opens an active subscription (on PostgreSQL sent with the write's next
/// statement: [`Transaction::exec_later`]).
pub fn open(
    tx: &Transaction<'_>,
    customer_id: i64,
    package_id: i64,
    starts_at: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    tx.exec_later(
        "INSERT INTO subscriptions (customer_id, package_id, starts_at, expires_at, status)
         VALUES (?1, ?2, ?3, ?4, 'active')",
        params![customer_id, package_id, starts_at, expires_at],
    )?;
    Ok(())
}

/// Ends the customer's active subscription, if any.
pub fn end_active(tx: &Transaction<'_>, customer_id: i64, now: &str) -> Result<(), StoreError> {
    tx.exec(
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
    rows::page(
        conn,
        FROM,
        "s.customer_id = ?1",
        "s.id DESC",
        params![customer_id],
        limit,
        offset,
    )
}

/// All subscriptions, newest first (optionally of customers of one operator), and the total.
pub fn list(
    conn: &Connection,
    operator: Option<i64>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SubscriptionRow>, u64), StoreError> {
    rows::page(
        conn,
        FROM,
        "(?1 IS NULL OR s.customer_id IN (SELECT id FROM customers WHERE operator_id = ?1)) \
         AND (?2 IS NULL OR s.status = ?2)",
        "s.id DESC",
        params![operator, status],
        limit,
        offset,
    )
}
