//! Manual send-money claims: the customer says they sent the money to the
//! ISP's bKash, Nagad or Rocket number and gives the transaction id; the
//! claim waits until staff compare it with the wallet's statement and
//! approve it (booked on the one payment path) or reject it.

use time::Duration;

use crate::{
    clock::format_timestamp,
    domain::money::Money,
    store::{
        online_payments::{self, Filter, NewOnlinePayment, OnlinePaymentRow},
        payments::NewPayment,
        prepaid::RenewedBy,
        StoreError,
    },
};

use super::{book_as, list, new_reference, Caller, Ctx, Error, ManualClaim, OpResult, Origin};

/// A manual send-money claim: pending until staff approve or reject it.
/// The same transaction of the same service is claimed once.
pub(super) async fn claim(
    ctx: &Ctx,
    customer_id: i64,
    bill_id: Option<i64>,
    amount: Money,
    origin: Origin,
    c: ManualClaim,
) -> OpResult<OnlinePaymentRow> {
    let mut missing = Vec::new();
    let method = c.method.unwrap_or_default();
    let trx = c.trx_id.unwrap_or_default().trim().to_ascii_uppercase();
    let sender = c.sender.unwrap_or_default();
    if method.is_empty() {
        missing.push((
            "method".to_string(),
            "Say how the money was sent: bkash, nagad or rocket.".to_string(),
        ));
    }
    if trx.is_empty() || !trx.bytes().all(|b| b.is_ascii_alphanumeric()) {
        missing.push((
            "trx_id".to_string(),
            "Give the transaction id from the payment SMS (letters and digits).".to_string(),
        ));
    }
    let sender = match crate::domain::customer::normalise_phone(&sender) {
        Some(p) => p,
        None => {
            missing.push((
                "sender".to_string(),
                "Give the mobile number the money was sent from.".to_string(),
            ));
            String::new()
        }
    };
    if !missing.is_empty() {
        return Err(Error::Invalid(missing));
    }
    let key = format!("{method}:{trx}");
    let now = ctx.clock.now();
    let stamp = format_timestamp(now);
    let new = NewOnlinePayment {
        reference: new_reference()?,
        customer_id,
        bill_id,
        gateway: "manual".into(),
        amount,
        currency: ctx.config.payments.currency.clone(),
        origin: origin.as_str().into(),
        manual_method: Some(method.clone()),
        manual_sender: Some(sender),
        gateway_trx_id: Some(key.clone()),
        // Staff decide; it does not expire by itself.
        expires_at: format_timestamp(now + Duration::days(3650)),
    };
    Ok(ctx
        .db
        .write_async(move |tx| {
            if online_payments::trx_taken(tx, "manual", &key)?
                || crate::store::payments::transaction_taken(tx, &method, &trx)?
            {
                return Err(StoreError::Conflict(
                    "This transaction id was submitted already.".into(),
                ));
            }
            online_payments::create(tx, &new, &stamp)
        })
        .await?)
}

/// A page of manual payments waiting for (or past) staff's decision.
pub async fn verifications(
    ctx: &Ctx,
    caller: &Caller,
    state: Option<String>,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<OnlinePaymentRow>, u64)> {
    let filter = Filter {
        gateway: Some("manual".into()),
        state: Some(state.unwrap_or_else(|| "pending".into())),
        ..Filter::default()
    };
    list(ctx, caller, filter, limit, offset).await
}

/// Staff approve a manual payment: booked on the one payment path, by the
/// service the customer named and their transaction id.
pub async fn approve(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<OnlinePaymentRow> {
    let row = decidable(ctx, caller, id).await?;
    let method = row.manual_method.clone().unwrap_or_default();
    let key = row.gateway_trx_id.clone().unwrap_or_default();
    let trx = key
        .split_once(':')
        .map(|(_, t)| t.to_string())
        .unwrap_or_default();
    let new = NewPayment {
        customer_id: row.customer_id,
        bill_id: row.bill_id,
        amount: row.amount,
        currency: row.currency.clone(),
        method,
        transaction_id: Some(trx),
    };
    let detail = format!("approved by {}", caller.label());
    // A reseller's staff renew prepaid customers with their operator's funds,
    // as when they record a payment by hand.
    let by = if caller.role == Some(crate::domain::staff::Role::OperatorStaff) {
        RenewedBy::Operator
    } else {
        RenewedBy::Isp
    };
    book_as(ctx, &row, new, key, detail, caller.user_id(), by).await?;
    ctx.db
        .read_async(move |c| online_payments::get(c, id))
        .await?
        .ok_or(Error::NotFound)
}

/// Staff reject a manual payment, saying why.
pub async fn reject(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    reason: String,
) -> OpResult<OnlinePaymentRow> {
    decidable(ctx, caller, id).await?;
    let (now, by) = (ctx.now_text(), caller.user_id());
    let done = ctx
        .db
        .write_async(move |tx| online_payments::mark_ended(tx, id, "rejected", &reason, by, &now))
        .await?;
    if !done {
        return Err(Error::Conflict("This payment was decided already.".into()));
    }
    ctx.db
        .read_async(move |c| online_payments::get(c, id))
        .await?
        .ok_or(Error::NotFound)
}

/// A manual payment the caller sees that is still to be decided.
async fn decidable(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<OnlinePaymentRow> {
    let vis = caller.visibility;
    let row = ctx
        .db
        .read_async(move |c| online_payments::get_visible(c, id, vis))
        .await?
        .ok_or(Error::NotFound)?;
    if row.gateway != "manual" {
        return Err(Error::Conflict(
            "Only manual payments are verified by staff; gateway payments are confirmed with the gateway.".into(),
        ));
    }
    if row.state != "pending" {
        return Err(Error::Conflict(format!(
            "This payment is {} already.",
            row.state
        )));
    }
    Ok(row)
}
