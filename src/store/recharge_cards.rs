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
        /// A hotspot voucher of this package (None: a plain recharge card).
        pub package_id: Option<i64>,
        pub activated_at: Option<String>,
        pub expires_at: Option<String>,
        /// A voucher's state as the database knows it: `unused`, `active`
        /// (activated: `ops::cards` tells `expired` by the clock), or
        /// `used`/`void` when it went as a payment or was voided.
        pub voucher_state: Option<String> = "CASE WHEN package_id IS NULL THEN NULL \
            WHEN activated_at IS NOT NULL THEN 'active' ELSE status END",
    }
}

record! {
    /// A voucher login: the card and what its package gives.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct VoucherRow in v {
        pub id: i64 = "v.id",
        pub pin_hash: String = "v.pin_hash",
        pub status: String = "v.status",
        pub activated_at: Option<String> = "v.activated_at",
        pub expires_at: Option<String> = "v.expires_at",
        pub validity_days: i64 = "p.validity_days",
        pub speed_down_kbps: i64 = "p.speed_down_kbps",
        pub speed_up_kbps: i64 = "p.speed_up_kbps",
        pub address_pool: Option<String> = "p.address_pool",
        pub burst_down_kbps: Option<i64> = "p.burst_down_kbps",
        pub burst_up_kbps: Option<i64> = "p.burst_up_kbps",
        pub burst_threshold_down_kbps: Option<i64> = "p.burst_threshold_down_kbps",
        pub burst_threshold_up_kbps: Option<i64> = "p.burst_threshold_up_kbps",
        pub burst_time_secs: Option<i64> = "p.burst_time_secs",
    }
}

/// The voucher whose serial is `serial` (a card with a package), if any.
pub fn voucher(conn: &Connection, serial: &str) -> Result<Option<VoucherRow>, StoreError> {
    rows::one(
        conn,
        "FROM recharge_cards v JOIN packages p ON p.id = v.package_id WHERE v.serial = ?1",
        [serial],
    )
}

/// Activates an unused voucher at `now` until `expires`; false when it was
/// not unused any more (another login or a payment took it first).
pub fn activate_voucher(
    tx: &Transaction<'_>,
    id: i64,
    now: &str,
    expires: &str,
) -> Result<bool, StoreError> {
    Ok(tx.exec(
        "UPDATE recharge_cards SET status = 'used', used_at = ?2, activated_at = ?2, \
         expires_at = ?3 WHERE id = ?1 AND status = 'unused' AND package_id IS NOT NULL",
        params![id, now, expires],
    )? == 1)
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
/// `operator_id` (a distributor) or kept by the ISP (`None`); with
/// `package_id` they are hotspot vouchers of that package too.
pub fn create_batch(
    tx: &Transaction<'_>,
    batch: &str,
    value: Money,
    operator_id: Option<i64>,
    package_id: Option<i64>,
    cards: &[(String, String)],
    now: &str,
) -> Result<Vec<CardRow>, StoreError> {
    check_operator(tx, operator_id)?;
    if let Some(id) = package_id {
        if !rows::exists(tx, "FROM packages WHERE id = ?1", [id])? {
            return Err(StoreError::invalid(
                "package_id",
                "The selected package is invalid.",
            ));
        }
    }
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
            "INSERT INTO recharge_cards (serial, pin_hash, value_minor, batch, operator_id, created_at,
                                         package_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
            params![serial, pin_hash, value.minor(), batch, operator_id, now, package_id],
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
