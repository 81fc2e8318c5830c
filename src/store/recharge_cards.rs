//! Recharge cards (`recharge_cards`): generated in batches (PINs arrive here
//! already hashed), redeemed once into a `recharge_card` payment.

use super::sql::{Connection, OptionalExtension, Transaction};
use rusqlite::params;

use super::{
    payments::{self, NewPayment, Recorded},
    rows::{self, record},
    StoreError,
};
use crate::domain::{money::Money, visibility::Visibility};

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CardRow {
        pub id: i64,
        pub serial: String,
        pub value: Money = "value_minor",
        pub currency: String,
        pub batch: String,
        /// The operator (distributor) the card was issued to; `None`: the ISP's own.
        pub operator_id: Option<i64>,
        pub status: String,
        pub used_by: Option<i64>,
        pub used_at: Option<String>,
        pub created_at: String,
    }
}

fn check_operator(tx: &Transaction<'_>, operator_id: Option<i64>) -> Result<(), StoreError> {
    if let Some(op) = operator_id {
        let found: bool = rows::exists(tx, "FROM operators WHERE id = ?1", [op])?;
        if !found {
            return Err(StoreError::invalid(
                "operator_id",
                "The selected operator is invalid.",
            ));
        }
    }
    Ok(())
}

/// Inserts a batch of cards: `(serial, pin_hash)` each, issued to
/// `operator_id` (a distributor) or kept by the ISP (`None`).
pub fn create_batch(
    tx: &Transaction<'_>,
    batch: &str,
    value: Money,
    operator_id: Option<i64>,
    cards: &[(String, String)],
    now: &str,
) -> Result<Vec<CardRow>, StoreError> {
    check_operator(tx, operator_id)?;
    let taken: bool = rows::exists(tx, "FROM recharge_cards WHERE batch = ?1", [batch])?;
    if taken {
        return Err(StoreError::invalid(
            "batch",
            "The batch has already been taken.",
        ));
    }
    let mut out = Vec::with_capacity(cards.len());
    for (serial, pin_hash) in cards {
        let id: i64 = rows::value(
            tx,
            "INSERT INTO recharge_cards (serial, pin_hash, value_minor, batch, operator_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            params![serial, pin_hash, value.minor(), batch, operator_id, now],
        )?;
        out.push(
            rows::one(tx, "FROM recharge_cards WHERE id = ?1", [id])?
                .ok_or(StoreError::NotFound)?,
        );
    }
    Ok(out)
}

/// Gives the unused cards of `batch` to `operator_id` (or back to the ISP with
/// `None`); returns how many cards moved. Used and void cards keep their owner.
pub fn assign_batch(
    tx: &Transaction<'_>,
    batch: &str,
    operator_id: Option<i64>,
) -> Result<u64, StoreError> {
    let exists: bool = rows::exists(tx, "FROM recharge_cards WHERE batch = ?1", [batch])?;
    if !exists {
        return Err(StoreError::NotFound);
    }
    check_operator(tx, operator_id)?;
    let changed = tx.exec(
        "UPDATE recharge_cards SET operator_id = ?2 WHERE batch = ?1 AND status = 'unused'",
        params![batch, operator_id],
    )?;
    Ok(u64::try_from(changed).unwrap_or(0))
}

/// Redeems the card with this PIN hash for `customer_id`: marks it used and
/// records a `recharge_card` payment of its value (settling bills, then credit).
/// The rule of the reseller boundary: a card issued to an operator pays only
/// for that operator's customers, and a reseller's staff redeem only their own
/// operator's cards (never the ISP's). An unknown, used, void or foreign card
/// is the same 422 on `pin`, so PINs of others cannot be probed.
pub fn redeem(
    tx: &Transaction<'_>,
    pin_hash: &str,
    customer_id: i64,
    vis: Visibility,
    now: &str,
) -> Result<Recorded, StoreError> {
    let Some(customer) = super::customers::get(tx, customer_id, vis)? else {
        return Err(StoreError::invalid(
            "customer_id",
            "The selected customer is invalid.",
        ));
    };
    let card: Option<(i64, String, i64, String)> = tx
        .query_row(
            "SELECT id, serial, value_minor, currency FROM recharge_cards
             WHERE pin_hash = ?1 AND status = 'unused'
               AND (operator_id IS NULL OR operator_id IS NOT DISTINCT FROM ?2)
               AND (?3 IS NULL OR operator_id = ?3)",
            params![pin_hash, customer.operator_id, vis.operator_id],
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
    let changed = tx.exec(
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

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct CardFilter {
    /// A reseller's staff see only their operator's cards.
    pub vis: Visibility,
    pub status: Option<String>,
    pub batch: Option<String>,
    pub operator_id: Option<i64>,
}

/// One page of cards, newest first, and the total.
pub fn list(
    conn: &Connection,
    f: &CardFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CardRow>, u64), StoreError> {
    rows::page(
        conn,
        "FROM recharge_cards",
        "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR batch = ?2) \
         AND (?3 IS NULL OR operator_id = ?3) AND (?4 IS NULL OR operator_id = ?4)",
        "id DESC",
        params![f.status, f.batch, f.operator_id, f.vis.operator_id],
        limit,
        offset,
    )
}
