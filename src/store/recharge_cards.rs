//! Recharge cards (`recharge_cards`): generated in batches (PINs arrive here
//! already hashed), redeemed once into a `recharge_card` payment.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::{
    customers::Visibility,
    payments::{self, NewPayment, Recorded},
    StoreError,
};
use crate::domain::money::Money;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRow {
    pub id: i64,
    pub serial: String,
    pub value: Money,
    pub currency: String,
    pub batch: String,
    pub status: String,
    pub used_by: Option<i64>,
    pub used_at: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str =
    "id, serial, value_minor, currency, batch, status, used_by, used_at, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<CardRow> {
    Ok(CardRow {
        id: r.get(0)?,
        serial: r.get(1)?,
        value: Money(r.get(2)?),
        currency: r.get(3)?,
        batch: r.get(4)?,
        status: r.get(5)?,
        used_by: r.get(6)?,
        used_at: r.get(7)?,
        created_at: r.get(8)?,
    })
}

/// Inserts a batch of cards: `(serial, pin_hash)` each.
pub fn create_batch(
    tx: &Transaction<'_>,
    batch: &str,
    value: Money,
    cards: &[(String, String)],
    now: &str,
) -> Result<Vec<CardRow>, StoreError> {
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM recharge_cards WHERE batch = ?1)",
        [batch],
        |r| r.get(0),
    )?;
    if taken {
        return Err(StoreError::invalid(
            "batch",
            "The batch has already been taken.",
        ));
    }
    let mut out = Vec::with_capacity(cards.len());
    for (serial, pin_hash) in cards {
        tx.execute(
            "INSERT INTO recharge_cards (serial, pin_hash, value_minor, batch, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![serial, pin_hash, value.minor(), batch, now],
        )?;
        let id = tx.last_insert_rowid();
        out.push(tx.query_row(
            &format!("SELECT {COLUMNS} FROM recharge_cards WHERE id = ?1"),
            [id],
            from_row,
        )?);
    }
    Ok(out)
}

/// Redeems the card with this PIN hash for `customer_id`: marks it used and
/// records a `recharge_card` payment of its value (settling bills, then credit).
/// An unknown, used or void card is a 422 on `pin`.
pub fn redeem(
    tx: &Transaction<'_>,
    pin_hash: &str,
    customer_id: i64,
    vis: Visibility,
    now: &str,
) -> Result<Recorded, StoreError> {
    if super::customers::get(tx, customer_id, vis)?.is_none() {
        return Err(StoreError::invalid(
            "customer_id",
            "The selected customer is invalid.",
        ));
    }
    let card: Option<(i64, String, i64, String)> = tx
        .query_row(
            "SELECT id, serial, value_minor, currency FROM recharge_cards
             WHERE pin_hash = ?1 AND status = 'unused'",
            [pin_hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((id, serial, value, currency)) = card else {
        return Err(StoreError::invalid(
            "pin",
            "The PIN is invalid or the card was already used.",
        ));
    };
    let recorded = payments::record(
        tx,
        &NewPayment {
            customer_id,
            bill_id: None,
            amount: Money(value),
            currency,
            method: "recharge_card".into(),
            transaction_id: Some(serial),
        },
        vis,
        now,
    )?;
    let changed = tx.execute(
        "UPDATE recharge_cards SET status = 'used', used_by = ?2, used_at = ?3, payment_id = ?4
         WHERE id = ?1 AND status = 'unused'",
        params![id, customer_id, now, recorded.payment.id],
    )?;
    if changed != 1 {
        return Err(StoreError::Conflict(
            "The card was redeemed at the same moment.".into(),
        ));
    }
    Ok(recorded)
}

/// One page of cards, newest first, and the total.
pub fn list(
    conn: &Connection,
    status: Option<&str>,
    batch: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CardRow>, u64), StoreError> {
    let filter = "WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR batch = ?2)";
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM recharge_cards {filter}"),
        params![status, batch],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM recharge_cards {filter} ORDER BY id DESC LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = stmt
        .query_map(params![status, batch, limit, offset], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}
