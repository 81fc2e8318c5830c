//! Recharge card numbers: serials (`<batch>-00001`) and 16-digit PINs, hashed
//! with the data dir's `pin.key` before they are stored. The PINs exist in clear
//! only in the answer that creates them.

use crate::{
    auth::{
        keys::JwtKey,
        secrets::{hmac_sha256_hex, random_digits},
    },
    domain::money::Money,
    store::{recharge_cards, Db, StoreError},
};

/// Digits of a PIN (about 53 bits).
pub const PIN_DIGITS: usize = 16;
/// Cards per batch at most.
pub const MAX_BATCH: usize = 5_000;

/// The stored form of a PIN.
pub fn pin_hash(key: &JwtKey, pin: &str) -> String {
    let digits: String = pin.chars().filter(char::is_ascii_digit).collect();
    hmac_sha256_hex(key.bytes(), &format!("recharge-card-pin:{digits}"))
}

/// A new card, with its PIN shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCard {
    pub id: i64,
    pub serial: String,
    pub pin: String,
    pub value: Money,
}

/// What a batch is: how many cards of what value, issued to `operator_id`
/// (a distributor) or kept by the ISP (`None`); with `package_id`, hotspot
/// vouchers of that package too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSpec {
    pub count: usize,
    pub value: Money,
    pub operator_id: Option<i64>,
    pub package_id: Option<i64>,
}

/// Generates and stores the cards of `spec` in `batch`.
pub fn generate(
    db: &Db,
    key: &JwtKey,
    batch: &str,
    spec: BatchSpec,
    now: &str,
) -> Result<Vec<NewCard>, StoreError> {
    let BatchSpec {
        count,
        value,
        operator_id,
        package_id,
    } = spec;
    let mut pins = Vec::with_capacity(count);
    let mut rows = Vec::with_capacity(count);
    for n in 1..=count {
        let pin = random_digits(PIN_DIGITS).map_err(|e| StoreError::Task(e.to_string()))?;
        rows.push((format!("{batch}-{n:05}"), pin_hash(key, &pin)));
        pins.push(pin);
    }
    let (batch, now) = (batch.to_string(), now.to_string());
    let stored = db.write(move |tx| {
        recharge_cards::create_batch(tx, &batch, value, operator_id, package_id, &rows, &now)
    })?;
    Ok(stored
        .into_iter()
        .zip(pins)
        .map(|(card, pin)| NewCard {
            id: card.id,
            serial: card.serial,
            pin,
            value: card.value,
        })
        .collect())
}
