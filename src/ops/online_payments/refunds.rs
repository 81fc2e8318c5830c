//! Refunds of online payments, by staff: through the gateway's refund API
//! (bKash refunds at once; SSLCommerz may answer "processing" and is asked
//! again), or for a manual send-money payment, the money the ISP sent back
//! by hand, recorded. The refund is reserved in the database before the
//! gateway is asked, so two refunds at once cannot return more than was
//! paid and a crash mid-call leaves a `processing` row the refund check
//! resolves; the books follow only once the gateway said it was refunded.

use std::sync::Arc;

use time::Duration;

use crate::{
    clock::format_timestamp,
    domain::money::Money,
    drivers::payments::{GatewayError, Gateways, RefundOutcome, RefundRequest},
    store::{
        online_payments::{self, OnlinePaymentRow},
        refunds::{self, Filter, NewRefund, RefundRow},
    },
};

use super::{new_reference, Caller, Ctx, Error, OpResult};

/// A refund staff ask for.
#[derive(Debug, Clone)]
pub struct RefundInput {
    /// `None`: everything not refunded yet.
    pub amount: Option<Money>,
    pub reason: String,
}

/// Refunds part or all of a paid online payment the caller sees. Answers
/// the refund as it then stands: `refunded`, `processing` (the gateway will
/// say later) or `failed` (the gateway refused; nothing moved).
pub async fn refund(
    ctx: &Ctx,
    gateways: &Arc<Gateways>,
    caller: &Caller,
    online_payment_id: i64,
    input: RefundInput,
) -> OpResult<RefundRow> {
    // Online payments go to the ISP's own merchant account and wallets: a
    // reseller's staff see them but cannot give the ISP's money back.
    caller.isp_side_only("Refunds are made by the ISP's own staff.")?;
    let vis = caller.visibility;
    let row = ctx
        .db
        .read_async(move |c| online_payments::get_visible(c, online_payment_id, vis))
        .await?
        .ok_or(Error::NotFound)?;
    if row.state != "paid" {
        return Err(Error::Conflict(format!(
            "This payment is {}; only a paid payment can be refunded.",
            row.state
        )));
    }
    let left = Money(row.amount.minor() - row.refunded.minor());
    let amount = input.amount.unwrap_or(left);
    if amount <= Money::ZERO || amount > left {
        return Err(Error::invalid(
            "amount",
            format!("At most {left} of this payment is left to refund."),
        ));
    }
    if row.gateway != "manual" && !gateways.has(&row.gateway) {
        return Err(Error::Unavailable(format!(
            "{} is not set up on this appliance now, so it cannot refund; refund it in the \
             gateway's merchant panel.",
            row.gateway
        )));
    }
    let new = NewRefund {
        reference: new_reference()?.replacen("OP", "RF", 1),
        online_payment_id,
        amount,
        reason: input.reason.trim().to_string(),
        created_by: caller.user_id(),
    };
    let stamp = ctx.now_text();
    // bKash tells a lost answer's refund only as "the payment's latest
    // refund": one bKash refund of a payment at a time, so that answer
    // always belongs to the one asked about.
    let one_at_a_time = row.gateway == "bkash";
    let reserved = ctx
        .db
        .write_async(move |tx| {
            let reserved = refunds::reserve(tx, &new, &stamp)?;
            // After the reservation's row lock: another refund reserved
            // meanwhile is seen here, and this one is undone.
            if one_at_a_time && refunds::in_flight(tx, online_payment_id)? > 1 {
                return Err(crate::store::StoreError::Conflict(
                    "A refund of this payment is still in progress at bKash; try again once it \
                     has ended."
                        .into(),
                ));
            }
            Ok(reserved)
        })
        .await?;
    if row.gateway == "manual" {
        let detail = format!(
            "returned by hand to {} (recorded by {})",
            row.manual_sender.clone().unwrap_or_default(),
            caller.label()
        );
        let outcome = RefundOutcome::Refunded {
            refund_id: String::new(),
            detail,
        };
        return conclude(ctx, &row, reserved, Ok(outcome)).await;
    }
    let request = request_of(&row, &reserved);
    let (gw, gateway) = (gateways.clone(), row.gateway.clone());
    let answer = crate::outbound::blocking(move || gw.refund(&gateway, &request))
        .await
        .map_err(Error::Internal)?;
    conclude(ctx, &row, reserved, answer).await
}

fn request_of(row: &OnlinePaymentRow, r: &RefundRow) -> RefundRequest {
    RefundRequest {
        gateway_payment_id: row.gateway_payment_id.clone().unwrap_or_default(),
        trx_id: row.gateway_trx_id.clone().unwrap_or_default(),
        amount: r.amount,
        reason: r.reason.clone(),
        reference: r.reference.clone(),
    }
}

/// Writes what the gateway answered about a refund.
async fn conclude(
    ctx: &Ctx,
    row: &OnlinePaymentRow,
    refund: RefundRow,
    answer: Result<RefundOutcome, GatewayError>,
) -> OpResult<RefundRow> {
    let (id, now, gateway) = (refund.id, ctx.now_text(), row.gateway.clone());
    match answer {
        Ok(RefundOutcome::Refunded { refund_id, detail }) => {
            let taken = !refund_id.is_empty() && {
                let rid = refund_id.clone();
                ctx.db
                    .read_async(move |c| refunds::gateway_refund_taken(c, &rid))
                    .await?
            };
            if taken {
                // bKash's latest refund is one booked already: this one
                // never reached bKash.
                let why = format!("{gateway}: no refund of this request was made");
                ctx.db
                    .write_async(move |tx| refunds::fail(tx, id, &why, &now))
                    .await?;
            } else {
                let rid = (!refund_id.is_empty()).then_some(refund_id);
                ctx.db
                    .write_async(move |tx| {
                        refunds::apply(tx, id, rid.as_deref(), &detail, &gateway, &now)
                    })
                    .await?;
                tracing::info!(reference = %refund.reference, amount = %refund.amount, "refunded");
            }
        }
        Ok(RefundOutcome::Processing { refund_id, detail }) => {
            let rid = (!refund_id.is_empty()).then_some(refund_id);
            ctx.db
                .write_async(move |tx| refunds::note(tx, id, rid.as_deref(), &detail, &now))
                .await?;
        }
        Ok(RefundOutcome::Failed(why)) | Err(GatewayError::Api(why)) => {
            tracing::warn!(reference = %refund.reference, %why, "refund refused");
            ctx.db
                .write_async(move |tx| refunds::fail(tx, id, &why, &now))
                .await?;
        }
        // No answer, or our credentials refused: whether it was refunded is
        // not known; it stays processing and the refund check asks again.
        Err(e) => {
            let why = format!("no answer yet, asked again shortly: {e}");
            tracing::warn!(reference = %refund.reference, %why, "refund");
            ctx.db
                .write_async(move |tx| refunds::note(tx, id, None, &why, &now))
                .await?;
        }
    }
    ctx.db
        .read_async(move |c| refunds::get(c, id))
        .await?
        .ok_or(Error::NotFound)
}

/// One pass of the refund check: refunds still processing (SSLCommerz's, or
/// ones that got no answer) are asked about. Answers how many ended.
pub async fn check_refunds(ctx: &Ctx, gateways: &Arc<Gateways>) -> OpResult<usize> {
    // Not before a call still waiting for its answer could have had it.
    let p = &ctx.config.payments;
    let call = p.bkash.timeout_secs.max(p.sslcommerz.timeout_secs) * 2;
    let secs = i64::try_from(p.status_check_secs.max(call)).unwrap_or(120);
    let stale = format_timestamp(ctx.clock.now() - Duration::seconds(secs));
    let due = ctx
        .db
        .read_async(move |c| refunds::processing(c, &stale, 20))
        .await?;
    let mut ended = 0;
    for refund in due {
        let opid = refund.online_payment_id;
        let Some(row) = ctx
            .db
            .read_async(move |c| online_payments::get(c, opid))
            .await?
        else {
            continue;
        };
        let request = request_of(&row, &refund);
        let (gw, gateway) = (gateways.clone(), row.gateway.clone());
        let known = refund.gateway_refund_id.clone();
        let answer = crate::outbound::blocking(move || {
            gw.refund_status(&gateway, known.as_deref(), &request)
        })
        .await
        .map_err(Error::Internal)?;
        let after = conclude(ctx, &row, refund, answer).await?;
        if after.state != "processing" {
            ended += 1;
        }
    }
    Ok(ended)
}

/// A page of refunds the caller sees, newest first.
pub async fn list_refunds(
    ctx: &Ctx,
    caller: &Caller,
    filter: Filter,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<RefundRow>, u64)> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| refunds::list(c, &filter, vis, limit, offset))
        .await?)
}
