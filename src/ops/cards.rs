//! Recharge cards: list, generate a batch, issue a batch to an operator, and
//! redeem a card (a payment: it takes the one path of `ops::payments`).
//!
//! The reseller boundary: only the ISP (scope `cards:write`, which resellers'
//! staff never have) makes and issues cards; a reseller's staff see and redeem
//! only the cards issued to their operator, and only for their own customers.

use crate::{
    auth::keys::JwtKey,
    cards::{self, BatchSpec, NewCard},
    clock::format_timestamp,
    store::{
        payments::Recorded,
        prepaid::RenewedBy,
        recharge_cards::{self, CardFilter, CardRow},
    },
};

use super::{
    payments::{pay, Paid},
    Caller, Ctx, Error, Once, OpResult,
};

/// A page of the cards the caller may see (never their PINs), newest first.
pub async fn list(
    ctx: &Ctx,
    caller: &Caller,
    status: Option<&'static str>,
    batch: Option<String>,
    operator_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<CardRow>, u64)> {
    let filter = CardFilter {
        vis: caller.visibility,
        status: status.map(str::to_string),
        batch,
        operator_id,
    };
    let now = format_timestamp(ctx.clock.now());
    let (mut rows, total) = ctx
        .db
        .read_async(move |c| recharge_cards::list(c, &filter, limit, offset))
        .await?;
    // An activated voucher is expired once its time has run out.
    for row in &mut rows {
        if row.voucher_state.as_deref() == Some("active")
            && row.expires_at.as_deref().is_some_and(|e| e <= now.as_str())
        {
            row.voucher_state = Some("expired".into());
        }
    }
    Ok((rows, total))
}

/// A generated batch: its name, its holder and the cards with their PINs.
pub struct Generated {
    pub batch: String,
    pub operator_id: Option<i64>,
    pub cards: Vec<NewCard>,
}

/// Generates a batch (named from the clock when no name is given); the PINs
/// exist in clear only in the answer.
pub async fn generate(
    ctx: &Ctx,
    _caller: &Caller,
    pin_key: &std::sync::Arc<JwtKey>,
    batch: Option<String>,
    spec: BatchSpec,
) -> OpResult<Generated> {
    let now = ctx.clock.now();
    let batch = batch.unwrap_or_else(|| format!("B{}", now.unix_timestamp()));
    let (db, key, stamp, name) = (
        ctx.db.clone(),
        pin_key.clone(),
        format_timestamp(now),
        batch.clone(),
    );
    let cards =
        tokio::task::spawn_blocking(move || cards::generate(&db, &key, &name, spec, &stamp))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??;
    Ok(Generated {
        batch,
        operator_id: spec.operator_id,
        cards,
    })
}

/// Issues a batch's unused cards to an operator (or back to the ISP); answers
/// how many moved.
pub async fn assign_batch(
    ctx: &Ctx,
    _caller: &Caller,
    batch: String,
    operator_id: Option<i64>,
) -> OpResult<u64> {
    Ok(ctx
        .db
        .write_async(move |tx| recharge_cards::assign_batch(tx, &batch, operator_id))
        .await?)
}

/// Redeems a card for a customer: a `recharge_card` payment through the one
/// path of every payment. The renewal it may make is paid by the card, never
/// by an operator's funds. The replay key of an `Idempotency-Key` is the PIN's
/// hash, never the PIN.
pub async fn redeem(
    ctx: &Ctx,
    caller: &Caller,
    pin_key: &JwtKey,
    customer_id: i64,
    pin: &str,
    once: Once<Recorded>,
) -> OpResult<String> {
    let pin_hash = cards::pin_hash(pin_key, pin);
    let request = (customer_id, pin_hash.clone());
    let paid = Paid::Card {
        pin_hash,
        customer_id,
    };
    pay(ctx, caller, RenewedBy::Isp, &request, once, paid).await
}
