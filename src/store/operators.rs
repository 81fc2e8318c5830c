//! Operators (resellers, `operators`).

use super::sql::{Connection, Transaction};
use rusqlite::params;

use super::{
    rows::{self, record},
    StoreError,
};
use crate::domain::money::Money;

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct OperatorRow {
        pub id: i64,
        pub name: String,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub balance: Money = "balance_minor",
        pub status: String,
        pub created_at: String,
        pub updated_at: String,
    }
}

/// Fields set on create; on update, `None` keeps the stored value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperatorFields {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

fn email_taken(conn: &Connection, email: &str, except: Option<i64>) -> Result<bool, StoreError> {
    rows::exists(
        conn,
        "FROM operators WHERE email = ?1 AND id IS DISTINCT FROM ?2",
        params![email, except],
    )
}

pub fn create(
    tx: &Transaction<'_>,
    f: &OperatorFields,
    now: &str,
) -> Result<OperatorRow, StoreError> {
    if let Some(email) = &f.email {
        if email_taken(tx, email, None)? {
            return Err(StoreError::invalid(
                "email",
                "The email has already been taken.",
            ));
        }
    }
    let id: i64 = rows::value(
        tx,
        "INSERT INTO operators (name, email, phone, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id",
        params![f.name, f.email, f.phone, now],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    f: &OperatorFields,
    now: &str,
) -> Result<OperatorRow, StoreError> {
    if get(tx, id)?.is_none() {
        return Err(StoreError::NotFound);
    }
    if let Some(email) = &f.email {
        if email_taken(tx, email, Some(id))? {
            return Err(StoreError::invalid(
                "email",
                "The email has already been taken.",
            ));
        }
    }
    tx.exec(
        "UPDATE operators SET name = COALESCE(?2, name), email = COALESCE(?3, email),
                phone = COALESCE(?4, phone), updated_at = ?5
         WHERE id = ?1",
        params![id, f.name, f.email, f.phone, now],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn set_status(
    tx: &Transaction<'_>,
    id: i64,
    status: &str,
    now: &str,
) -> Result<OperatorRow, StoreError> {
    rows::execute_one(
        tx,
        "UPDATE operators SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status, now],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<OperatorRow>, StoreError> {
    rows::one(conn, "FROM operators WHERE id = ?1", [id])
}

/// One page, oldest first; `only` restricts to one operator (an operator's own view).
pub fn list(
    conn: &Connection,
    status: Option<&str>,
    only: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OperatorRow>, u64), StoreError> {
    rows::page(
        conn,
        "FROM operators",
        "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR id = ?2)",
        "id",
        params![status, only],
        limit,
        offset,
    )
}

/// Adds funds to an operator: a ledger row and the balance, together.
pub fn fund(
    tx: &Transaction<'_>,
    id: i64,
    amount: Money,
    note: Option<&str>,
    now: &str,
) -> Result<OperatorRow, StoreError> {
    if get(tx, id)?.is_none() {
        return Err(StoreError::NotFound);
    }
    tx.exec(
        "INSERT INTO operator_ledger (operator_id, amount_minor, kind, note, created_at)
         VALUES (?1, ?2, 'fund', ?3, ?4)",
        params![id, amount.minor(), note, now],
    )?;
    tx.exec(
        "UPDATE operators SET balance_minor = balance_minor + ?2, updated_at = ?3 WHERE id = ?1",
        params![id, amount.minor(), now],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

record! {
    /// A movement of an operator's funds: `fund` (money in), `renewal` (a
    /// prepaid customer renewed at the wholesale price, negative) or
    /// `adjustment`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct LedgerRow {
        pub id: i64,
        pub amount: Money = "amount_minor",
        pub kind: String,
        pub note: Option<String>,
        pub customer_id: Option<i64>,
        pub created_at: String,
    }
}

/// One page of operator `id`'s ledger, newest first, with the total.
pub fn ledger(
    conn: &Connection,
    id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<LedgerRow>, u64), StoreError> {
    rows::page(
        conn,
        "FROM operator_ledger",
        "operator_id = ?1",
        "id DESC",
        params![id],
        limit,
        offset,
    )
}

/// The sum of an operator's ledger (equals its balance).
pub fn ledger_sum(conn: &Connection, id: i64) -> Result<Money, StoreError> {
    Ok(Money(conn.query_row(
        "SELECT COALESCE(CAST(SUM(amount_minor) AS BIGINT), 0) FROM operator_ledger WHERE operator_id = ?1",
        [id],
        |r| r.get(0),
    )?))
}
