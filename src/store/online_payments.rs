//! Online payments (`online_payments`): one row per attempt to pay through a
//! gateway, from `pending` to `paid` (booked once, as a payment, when the
//! gateway confirmed it) or to `failed`, `cancelled` or `expired`. The
//! gateway's transaction id is unique per gateway, so a repeated callback
//! cannot book twice; only a pending row moves on.

use rusqlite::params;

use super::{
    rows::{self, record, Conditions},
    sql::{Connection, Transaction},
    StoreError,
};
use crate::domain::{money::Money, visibility::Visibility};

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct OnlinePaymentRow in o {
        pub id: i64,
        pub reference: String,
        pub customer_id: i64,
        pub bill_id: Option<i64>,
        pub gateway: String,
        pub amount: Money = "o.amount_minor",
        pub currency: String,
        pub state: String,
        pub origin: String,
        pub gateway_payment_id: Option<String>,
        pub gateway_trx_id: Option<String>,
        pub manual_method: Option<String>,
        pub manual_sender: Option<String>,
        pub payment_id: Option<i64>,
        pub refunded: Money = "o.refunded_minor",
        pub detail: Option<String>,
        pub created_at: String,
        pub updated_at: String,
        pub expires_at: String,
    }
}

/// A payment the customer starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOnlinePayment {
    pub reference: String,
    pub customer_id: i64,
    pub bill_id: Option<i64>,
    pub gateway: String,
    pub amount: Money,
    pub currency: String,
    pub origin: String,
    pub manual_method: Option<String>,
    pub manual_sender: Option<String>,
    pub gateway_trx_id: Option<String>,
    pub expires_at: String,
}

const FROM: &str = "FROM online_payments o";

pub fn create(
    tx: &Transaction<'_>,
    n: &NewOnlinePayment,
    now: &str,
) -> Result<OnlinePaymentRow, StoreError> {
    let id: i64 = rows::value(
        tx,
        "INSERT INTO online_payments (reference, customer_id, bill_id, gateway, amount_minor, \
         currency, state, origin, manual_method, manual_sender, gateway_trx_id, created_at, \
         updated_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9, ?10, ?11, ?11, ?12) RETURNING id",
        params![
            n.reference,
            n.customer_id,
            n.bill_id,
            n.gateway,
            n.amount.minor(),
            n.currency,
            n.origin,
            n.manual_method,
            n.manual_sender,
            n.gateway_trx_id,
            now,
            n.expires_at
        ],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<OnlinePaymentRow>, StoreError> {
    rows::one(conn, &format!("{FROM} WHERE o.id = ?1"), [id])
}

/// One the caller may see (a reseller's staff: their customers').
pub fn get_visible(
    conn: &Connection,
    id: i64,
    vis: Visibility,
) -> Result<Option<OnlinePaymentRow>, StoreError> {
    rows::one(
        conn,
        &format!(
            "{FROM} JOIN customers c ON c.id = o.customer_id \
             WHERE o.id = ?1 AND (?2 IS NULL OR c.operator_id = ?2)"
        ),
        params![id, vis.operator_id],
    )
}

pub fn by_reference(
    conn: &Connection,
    reference: &str,
) -> Result<Option<OnlinePaymentRow>, StoreError> {
    rows::one(conn, &format!("{FROM} WHERE o.reference = ?1"), [reference])
}

pub fn by_gateway_payment(
    conn: &Connection,
    gateway: &str,
    gateway_payment_id: &str,
) -> Result<Option<OnlinePaymentRow>, StoreError> {
    rows::one(
        conn,
        &format!("{FROM} WHERE o.gateway = ?1 AND o.gateway_payment_id = ?2"),
        params![gateway, gateway_payment_id],
    )
}

/// Whether this gateway transaction was booked already (by any row).
pub fn trx_taken(conn: &Connection, gateway: &str, trx_id: &str) -> Result<bool, StoreError> {
    rows::exists(
        conn,
        "FROM online_payments WHERE gateway = ?1 AND gateway_trx_id = ?2",
        params![gateway, trx_id],
    )
}

/// Notes the gateway's id for a payment it created.
pub fn set_gateway_payment(
    tx: &Transaction<'_>,
    id: i64,
    gateway_payment_id: &str,
    now: &str,
) -> Result<(), StoreError> {
    rows::execute_one(
        tx,
        "UPDATE online_payments SET gateway_payment_id = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, gateway_payment_id, now],
    )
}

/// A payment the gateway confirmed, booked; false when it was booked before
/// (another node or callback got there first) or staff rejected it. A
/// payment already ended as failed, cancelled or expired is still booked:
/// the gateway's word that the money moved wins.
pub fn mark_paid(
    tx: &Transaction<'_>,
    id: i64,
    trx_id: &str,
    payment_id: i64,
    detail: &str,
    decided_by: Option<i64>,
    now: &str,
) -> Result<bool, StoreError> {
    Ok(rows::execute(
        tx,
        "UPDATE online_payments SET state = 'paid', gateway_trx_id = ?2, payment_id = ?3, \
         detail = ?4, updated_at = ?5, decided_by = ?6 \
         WHERE id = ?1 AND payment_id IS NULL AND state <> 'rejected'",
        params![id, trx_id, payment_id, detail, now, decided_by],
    )? == 1)
}

/// A pending payment ended without money (`failed`, `cancelled`, `expired`,
/// `rejected`), with its `payment.failed` event; false when it was no
/// longer pending.
pub fn mark_ended(
    tx: &Transaction<'_>,
    id: i64,
    state: &str,
    detail: &str,
    decided_by: Option<i64>,
    now: &str,
) -> Result<bool, StoreError> {
    let ended = rows::execute(
        tx,
        "UPDATE online_payments SET state = ?2, detail = ?3, decided_by = ?4, updated_at = ?5 \
         WHERE id = ?1 AND state = 'pending'",
        params![id, state, detail, decided_by, now],
    )? == 1;
    if ended {
        let row = get(tx, id)?.ok_or(StoreError::NotFound)?;
        let payload = serde_json::json!({
            "online_payment_id": row.id,
            "reference": row.reference,
            "customer_id": row.customer_id,
            "bill_id": row.bill_id,
            "gateway": row.gateway,
            "amount": row.amount.to_json(),
            "currency": row.currency,
            "state": row.state,
            "reason": row.detail,
        });
        super::events::record(tx, super::events::PAYMENT_FAILED, &payload, now)?;
    }
    Ok(ended)
}

/// Notes what the gateway said last about a payment still pending.
pub fn note(tx: &Transaction<'_>, id: i64, detail: &str, now: &str) -> Result<(), StoreError> {
    rows::execute(
        tx,
        "UPDATE online_payments SET detail = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, detail, now],
    )?;
    Ok(())
}

/// Pending gateway payments to ask the gateway about: those past their time,
/// and those last looked at before `stale_before` (a callback that never
/// came), oldest first.
pub fn to_check(
    conn: &Connection,
    stale_before: &str,
    limit: i64,
) -> Result<Vec<OnlinePaymentRow>, StoreError> {
    rows::all(
        conn,
        &format!(
            "{FROM} WHERE o.state = 'pending' AND o.gateway <> 'manual' \
             AND o.updated_at < ?1 ORDER BY o.id LIMIT ?2"
        ),
        params![stale_before, limit],
    )
}

/// Pending payments whose time is up.
pub fn expired(
    conn: &Connection,
    now: &str,
    limit: i64,
) -> Result<Vec<OnlinePaymentRow>, StoreError> {
    rows::all(
        conn,
        &format!(
            "{FROM} WHERE o.state = 'pending' AND o.gateway <> 'manual' \
             AND o.expires_at <= ?1 ORDER BY o.id LIMIT ?2"
        ),
        params![now, limit],
    )
}

/// What a list of online payments is filtered by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub customer_id: Option<i64>,
    pub gateway: Option<String>,
    pub state: Option<String>,
}

/// A page of online payments, newest first, and how many match.
pub fn list(
    conn: &Connection,
    f: &Filter,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OnlinePaymentRow>, u64), StoreError> {
    let mut cond = Conditions::default();
    if let Some(id) = f.customer_id {
        cond.add("o.customer_id = ?", id);
    }
    if let Some(g) = &f.gateway {
        cond.add("o.gateway = ?", g.clone());
    }
    if let Some(s) = &f.state {
        cond.add("o.state = ?", s.clone());
    }
    if let Some(op) = vis.operator_id {
        cond.add("c.operator_id = ?", op);
    }
    rows::page(
        conn,
        "FROM online_payments o JOIN customers c ON c.id = o.customer_id",
        &cond.sql(),
        "o.id DESC",
        &cond.args(),
        limit,
        offset,
    )
}
