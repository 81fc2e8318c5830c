//! Payments: the one path every payment takes (recorded by hand or paid by a
//! recharge card), and the lists.
//!
//! A payment is one transaction: the money in (bills settled oldest first, the
//! rest as credit, `payment.received`), then what follows every payment: a
//! prepaid customer's credit renews it, an auto-suspended customer whose dues
//! are cleared is activated again; and the answer stored under its
//! `Idempotency-Key`. Nothing outside this module records a payment.

use time::{Date, OffsetDateTime};

use crate::{
    clock::format_timestamp,
    domain::staff::Role,
    store::{
        audit_rows,
        audited::PAYMENT,
        billing_run, idempotency, online_payments,
        payments::{self, NewPayment, PaymentRow, Recorded},
        prepaid::RenewedBy,
        recharge_cards, StoreError,
    },
};

use super::{customers::ensure_visible, Caller, Ctx, Once, OpResult};

/// Records a payment for a customer the caller sees; answers once per
/// `Idempotency-Key`. A reseller's staff renew prepaid customers with their
/// operator's funds.
pub async fn record(
    ctx: &Ctx,
    caller: &Caller,
    new: NewPayment,
    once: Once<Recorded>,
) -> OpResult<String> {
    let by = if caller.role == Some(Role::OperatorStaff) {
        RenewedBy::Operator
    } else {
        RenewedBy::Isp
    };
    let request = new.clone();
    pay(ctx, caller, by, &request, once, Paid::ByHand(new)).await
}

/// How the money came in.
pub(super) enum Paid {
    /// A payment recorded by hand.
    ByHand(NewPayment),
    /// A recharge card, by the keyed hash of its PIN.
    Card { pin_hash: String, customer_id: i64 },
    /// An online payment the gateway confirmed: booked together with its
    /// `online_payments` row turning `paid` (refused when it is no longer
    /// pending, so it is booked once).
    Online {
        online_payment_id: i64,
        new: NewPayment,
        /// The gateway's transaction id as the online payment keeps it.
        trx: String,
        detail: String,
        /// The staff user who approved a manual payment.
        decided_by: Option<i64>,
    },
}

/// The one path of every payment (see the module's text). `request` is what a
/// replay of the key must match.
pub(super) async fn pay(
    ctx: &Ctx,
    caller: &Caller,
    by: RenewedBy,
    request: &impl std::fmt::Debug,
    once: Once<Recorded>,
    paid: Paid,
) -> OpResult<String> {
    let key = once.key(caller, request);
    let answer = once.answer();
    let vis = caller.visibility;
    let after = After::now(ctx, by);
    let stamp = format_timestamp(after.now);
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            idempotency::once(
                tx,
                key.as_ref(),
                &stamp,
                |tx| {
                    let recorded = match paid {
                        Paid::ByHand(new) => payments::record(tx, &new, vis, &stamp)?,
                        Paid::Card {
                            pin_hash,
                            customer_id,
                        } => recharge_cards::redeem(tx, &pin_hash, customer_id, vis, &stamp)?,
                        Paid::Online {
                            online_payment_id,
                            new,
                            trx,
                            detail,
                            decided_by,
                        } => {
                            let recorded = payments::record(tx, &new, vis, &stamp)?;
                            if !online_payments::mark_paid(
                                tx,
                                online_payment_id,
                                &trx,
                                recorded.payment.id,
                                &detail,
                                decided_by,
                                &stamp,
                            )? {
                                return Err(StoreError::Conflict(
                                    "This online payment was settled already.".into(),
                                ));
                            }
                            recorded
                        }
                    };
                    let id = recorded.payment.id;
                    audit_rows::record_change(tx, &who, &PAYMENT, "received", id, None, &stamp)?;
                    billing_run::after_payment(
                        tx,
                        recorded.payment.customer_id,
                        after.by,
                        after.today,
                        after.grace_days,
                        after.now,
                    )?;
                    Ok(recorded)
                },
                answer,
            )
        })
        .await?)
}

/// What follows a payment needs: the clock's reading, the ISP's local day, the
/// grace days of `[billing]`, and who pays a renewal.
#[derive(Debug, Clone, Copy)]
struct After {
    now: OffsetDateTime,
    today: Date,
    grace_days: i64,
    by: RenewedBy,
}

impl After {
    fn now(ctx: &Ctx, by: RenewedBy) -> Self {
        let now = ctx.clock.now();
        Self {
            now,
            today: now.to_offset(ctx.config.isp.offset()).date(),
            grace_days: i64::from(ctx.config.billing.grace_days),
            by,
        }
    }
}

/// A page of the payments the caller may see, newest first.
pub async fn list(
    ctx: &Ctx,
    caller: &Caller,
    customer_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<PaymentRow>, u64)> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| payments::list(c, customer_id, vis, limit, offset))
        .await?)
}

/// A page of one customer's payments (not found unless the caller sees it).
pub async fn of_customer(
    ctx: &Ctx,
    caller: &Caller,
    customer_id: i64,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<PaymentRow>, u64)> {
    ensure_visible(ctx, caller.visibility, customer_id).await?;
    list(ctx, caller, Some(customer_id), limit, offset).await
}
