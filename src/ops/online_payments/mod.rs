//! Online payments: a customer starts one (the portal, the suspension page,
//! a payment link), pays on the gateway's page, and comes back; the payment
//! counts only once the appliance itself has executed or validated it with
//! the gateway, for the amount and currency it asked, once per gateway
//! transaction. It is then booked on the one path every payment takes
//! (`ops::payments`): bills settled, a prepaid customer renewed, a
//! suspended customer activated again, `payment.received` and the SMS
//! receipt. A payment whose customer never came back is asked about at the
//! gateway after `[payments] status_check_secs`, and expires after
//! `pending_minutes`.

use std::sync::Arc;

use time::Duration;

use crate::{
    auth::secrets::random_token,
    clock::format_timestamp,
    domain::{money::Money, visibility::Visibility},
    drivers::payments::{GatewayError, Gateways, Outcome, StartRequest},
    store::{
        bills, customers,
        online_payments::{self, Filter, NewOnlinePayment, OnlinePaymentRow},
        payments::{NewPayment, Recorded},
        portal,
        prepaid::RenewedBy,
        StoreError,
    },
};

use super::{
    payments::{pay, Paid},
    Caller, Ctx, Error, Once, OpResult,
};

mod manual;
mod refunds;
mod settings;
mod sslcommerz;

use manual::claim;
pub use manual::{approve, reject, verifications};
pub use refunds::{check_refunds, list_refunds, refund, RefundInput};
pub use settings::{gateway_settings, GatewayInfo};
pub use sslcommerz::sslcommerz_notice;

/// Where a payment was started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Portal,
    Suspended,
    Link,
    App,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Portal => "portal",
            Origin::Suspended => "suspended_page",
            Origin::Link => "payment_link",
            Origin::App => "customer_api",
        }
    }
}

/// A payment the customer asks to start.
#[derive(Debug, Clone)]
pub struct StartInput {
    pub customer_id: i64,
    pub gateway: String,
    pub bill_id: Option<i64>,
    pub amount: Option<Money>,
    pub origin: Origin,
    /// `https://billing.example.net`: where the customer comes back to.
    pub base_url: String,
    /// A manual send-money claim (gateway `manual`).
    pub manual: ManualClaim,
}

/// What a customer says of money they sent themself.
#[derive(Debug, Clone, Default)]
pub struct ManualClaim {
    pub method: Option<String>,
    pub sender: Option<String>,
    pub trx_id: Option<String>,
}

/// The smallest and largest amount paid online at once.
const MIN_AMOUNT: Money = Money(100);
const MAX_AMOUNT: Money = Money(100_000_000);

fn unavailable(e: GatewayError) -> Error {
    tracing::warn!(error = %e, "payment gateway");
    Error::Unavailable(format!(
        "The payment could not be started: {e}. Nothing was charged; try again in a few minutes."
    ))
}

/// Starts a payment: the row (pending), then the gateway's payment; answers
/// the row and the page to send the customer to.
pub async fn start(
    ctx: &Ctx,
    gateways: &Arc<Gateways>,
    input: StartInput,
) -> OpResult<(OnlinePaymentRow, String)> {
    let manual = input.gateway == "manual";
    if !manual && !gateways.has(&input.gateway) {
        return Err(Error::invalid(
            "gateway",
            format!(
                "`{}` is not a gateway customers can pay with here.",
                input.gateway
            ),
        ));
    }
    let customer_id = input.customer_id;
    let bill_id = input.bill_id;
    let (customer, due, bill_open) = ctx
        .db
        .read_async(move |c| {
            let customer =
                customers::get(c, customer_id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
            let (due, _) = portal::due_of(c, customer_id)?;
            let bill_open = match bill_id {
                Some(b) => match bills::get(c, b, Visibility::ALL)? {
                    Some(bill)
                        if bill.customer_id == customer_id
                            && matches!(bill.status.as_str(), "unpaid" | "partial") =>
                    {
                        Some(Money(bill.amount.minor() - bill.paid.minor()))
                    }
                    _ => None,
                },
                None => None,
            };
            Ok((customer, due, bill_open))
        })
        .await?;
    if bill_id.is_some() && bill_open.is_none() {
        return Err(Error::invalid(
            "bill_id",
            "This is not an open bill of yours.",
        ));
    }
    let amount = match (input.amount, bill_open) {
        (Some(a), _) => a,
        (None, Some(open)) => open,
        (None, None) if due.minor() > 0 => due,
        (None, None) => {
            return Err(Error::invalid(
                "amount",
                "Nothing is due: give the amount to pay in advance.",
            ))
        }
    };
    if amount < MIN_AMOUNT || amount > MAX_AMOUNT {
        return Err(Error::invalid(
            "amount",
            format!("The amount must be between {MIN_AMOUNT} and {MAX_AMOUNT}."),
        ));
    }
    if manual {
        let row = claim(
            ctx,
            customer_id,
            bill_id,
            amount,
            input.origin,
            input.manual,
        )
        .await?;
        let to = format!("/portal/result.html?ref={}", row.reference);
        return Ok((row, to));
    }
    let now = ctx.clock.now();
    let stamp = format_timestamp(now);
    let expires =
        format_timestamp(now + Duration::minutes(i64::from(ctx.config.payments.pending_minutes)));
    let reference = new_reference()?;
    let new = NewOnlinePayment {
        reference: reference.clone(),
        customer_id,
        bill_id,
        gateway: input.gateway.clone(),
        amount,
        currency: ctx.config.payments.currency.clone(),
        origin: input.origin.as_str().into(),
        manual_method: None,
        manual_sender: None,
        gateway_trx_id: None,
        expires_at: expires,
    };
    let row = ctx
        .db
        .write_async(move |tx| online_payments::create(tx, &new, &stamp))
        .await?;
    let base = input.base_url.trim_end_matches('/').to_string();
    let request = StartRequest {
        reference: reference.clone(),
        amount,
        currency: row.currency.clone(),
        return_url: format!("{base}/portal/pay/{}", input.gateway),
        notify_url: format!("{base}/portal/pay/{}/ipn", input.gateway),
        payer_reference: customer.username.clone().unwrap_or(customer.phone.clone()),
        customer_name: customer.name.clone(),
        customer_phone: customer.phone.clone(),
        customer_email: customer.email.clone(),
        customer_address: customer.address.clone(),
    };
    let (gw, gateway) = (gateways.clone(), input.gateway.clone());
    let started = crate::outbound::blocking(move || gw.create(&gateway, &request))
        .await
        .map_err(Error::Internal)?;
    let id = row.id;
    let now_text = ctx.now_text();
    match started {
        Ok(s) => {
            let gpid = s.gateway_payment_id.clone();
            let row = ctx
                .db
                .write_async(move |tx| {
                    online_payments::set_gateway_payment(tx, id, &gpid, &now_text)?;
                    online_payments::get(tx, id)?.ok_or(StoreError::NotFound)
                })
                .await?;
            Ok((row, s.redirect_url))
        }
        Err(e) => {
            let detail = e.to_string();
            ctx.db
                .write_async(move |tx| {
                    online_payments::mark_ended(tx, id, "failed", &detail, None, &now_text)
                })
                .await?;
            Err(unavailable(e))
        }
    }
}

/// The customer is back from bKash (`paymentID`, `status` as bKash put them
/// in the address): the payment is executed (or, for a failure or a
/// cancellation, its state asked) and settled. A payment settled already is
/// answered as it stands.
pub async fn bkash_return(
    ctx: &Ctx,
    gateways: &Arc<Gateways>,
    payment_id: String,
    status: String,
) -> OpResult<OnlinePaymentRow> {
    let pid = payment_id.clone();
    let row = ctx
        .db
        .read_async(move |c| online_payments::by_gateway_payment(c, "bkash", &pid))
        .await?
        .ok_or(Error::NotFound)?;
    if row.state != "pending" {
        return Ok(row);
    }
    let gw = gateways.clone();
    let execute = status == "success";
    let outcome = crate::outbound::blocking(move || match &gw.bkash {
        Some(b) if execute => b.execute(&payment_id),
        Some(b) => b.status(&payment_id),
        None => Err(GatewayError::Refused("bKash is not set up".into())),
    })
    .await
    .map_err(Error::Internal)?;
    let outcome = match (execute, outcome) {
        // The browser said cancel or failure and bKash says the payment is
        // still open: the customer left bKash's page, so it ends here (were
        // it completed after all, the completion is still booked).
        (false, Ok(Outcome::Pending(_))) => Outcome::Failed {
            cancelled: status == "cancel",
            reason: format!("bKash: the customer came back with status {status}"),
        },
        (_, Ok(o)) => o,
        // No answer: the payment stays pending and is asked about again by
        // the status check; nothing is ended on a gateway error.
        (_, Err(e)) => Outcome::Pending(e.to_string()),
    };
    settle(ctx, row, outcome).await
}

/// Books or ends a pending payment by what the gateway said.
pub(super) async fn settle(
    ctx: &Ctx,
    row: OnlinePaymentRow,
    outcome: Outcome,
) -> OpResult<OnlinePaymentRow> {
    let id = row.id;
    let now = ctx.now_text();
    match outcome {
        Outcome::Paid {
            trx_id,
            amount,
            currency,
            detail,
        } => {
            if amount != row.amount || currency != row.currency {
                let why = format!(
                    "amount mismatch: the gateway says {amount} {currency} was paid (trx {trx_id}), \
                     {} {} was asked; not booked, check it with the gateway",
                    row.amount, row.currency
                );
                tracing::error!(reference = %row.reference, %why, "online payment not booked");
                ctx.db
                    .write_async(move |tx| {
                        online_payments::mark_ended(tx, id, "failed", &why, None, &now)
                    })
                    .await?;
            } else {
                book(ctx, &row, trx_id, detail).await?;
            }
        }
        Outcome::Pending(detail) => {
            ctx.db
                .write_async(move |tx| online_payments::note(tx, id, &detail, &now))
                .await?;
        }
        Outcome::Failed { cancelled, reason } => {
            let state = if cancelled { "cancelled" } else { "failed" };
            ctx.db
                .write_async(move |tx| {
                    online_payments::mark_ended(tx, id, state, &reason, None, &now)
                })
                .await?;
        }
    }
    ctx.db
        .read_async(move |c| online_payments::get(c, id))
        .await?
        .ok_or(Error::NotFound)
}

/// Books a confirmed payment on the one payment path; a second report of
/// the same transaction (a double callback, the status check racing the
/// customer's return) finds it booked and changes nothing.
pub(super) async fn book(
    ctx: &Ctx,
    row: &OnlinePaymentRow,
    trx_id: String,
    detail: String,
) -> OpResult<()> {
    // The money moved: it is booked even if the bill was settled meanwhile
    // (another tab, cash at the office) — then it settles the oldest open
    // bills and the rest is credit.
    let bill_id = match row.bill_id {
        Some(b) => ctx
            .db
            .read_async(move |c| bills::get(c, b, Visibility::ALL))
            .await?
            .filter(|bill| matches!(bill.status.as_str(), "unpaid" | "partial"))
            .map(|bill| bill.id),
        None => None,
    };
    let new = NewPayment {
        customer_id: row.customer_id,
        bill_id,
        amount: row.amount,
        currency: row.currency.clone(),
        method: payment_method(&row.gateway).into(),
        transaction_id: Some(trx_id.clone()),
    };
    match book_as(ctx, row, new, trx_id.clone(), detail, None, RenewedBy::Isp).await {
        Err(Error::Conflict(why)) => {
            // Booked before by another report of the same transaction? Then
            // all is well; anything else is money taken and not booked.
            let id = row.id;
            let now = ctx
                .db
                .read_async(move |c| online_payments::get(c, id))
                .await?;
            match now {
                Some(r) if r.state == "paid" && r.gateway_trx_id.as_deref() == Some(&trx_id) => {
                    tracing::info!(reference = %row.reference, "online payment booked before");
                    Ok(())
                }
                _ => {
                    tracing::error!(reference = %row.reference, %trx_id, %why,
                        "online payment completed at the gateway but NOT booked");
                    Err(Error::Conflict(why))
                }
            }
        }
        other => other,
    }
}

/// The payment method a gateway's payments are recorded with: SSLCommerz
/// takes cards and wallets alike and is recorded as `card`.
pub(super) fn payment_method(gateway: &str) -> &str {
    match gateway {
        "sslcommerz" => "card",
        g => g,
    }
}

/// Books `new` for the online payment `row` (see [`book`]).
pub(super) async fn book_as(
    ctx: &Ctx,
    row: &OnlinePaymentRow,
    new: NewPayment,
    trx_id: String,
    detail: String,
    decided_by: Option<i64>,
    by: RenewedBy,
) -> OpResult<()> {
    let once: Once<Recorded> = Once::new(None, 201, |r| Ok(r.payment.id.to_string()));
    let paid = Paid::Online {
        online_payment_id: row.id,
        new: new.clone(),
        trx: trx_id.clone(),
        detail,
        decided_by,
    };
    pay(ctx, &Caller::system(), by, &new, once, paid).await?;
    tracing::info!(reference = %row.reference, %trx_id, "online payment booked");
    Ok(())
}

/// One pass of the status check: pending payments whose callback has not
/// come are asked about, those past their time expire. Answers how many
/// were settled.
pub async fn check_pending(ctx: &Ctx, gateways: &Arc<Gateways>) -> OpResult<usize> {
    let now = ctx.clock.now();
    let stale = format_timestamp(
        now - Duration::seconds(
            i64::try_from(ctx.config.payments.status_check_secs).unwrap_or(120),
        ),
    );
    let rows = ctx
        .db
        .read_async(move |c| online_payments::to_check(c, &stale, 50))
        .await?;
    let mut settled = 0;
    for row in rows {
        let (id, reference) = (row.id, row.reference.clone());
        match check_one(ctx, gateways, row, now).await {
            Ok(true) => settled += 1,
            Ok(false) => {}
            Err(e) => {
                // One payment's trouble never holds up the others: it is
                // noted (and so looked at again after the interval).
                tracing::error!(%reference, error = %e, "online payment status check");
                let (why, stamp) = (format!("status check failed: {e}"), ctx.now_text());
                let _ = ctx
                    .db
                    .write_async(move |tx| online_payments::note(tx, id, &why, &stamp))
                    .await;
            }
        }
    }
    Ok(settled)
}

/// Asks the gateway about one pending payment and settles it by the
/// answer; true when it ended (paid, failed, expired). Without an answer it
/// stays pending, however late: bKash may have completed it.
async fn check_one(
    ctx: &Ctx,
    gateways: &Arc<Gateways>,
    row: OnlinePaymentRow,
    now: time::OffsetDateTime,
) -> OpResult<bool> {
    let answer: Result<Outcome, String> = match &row.gateway_payment_id {
        Some(pid) if row.gateway != "manual" => {
            let (gw, pid) = (gateways.clone(), pid.clone());
            let (gateway, reference) = (row.gateway.clone(), row.reference.clone());
            crate::outbound::blocking(move || gw.status(&gateway, &pid, &reference))
                .await
                .map_err(Error::Internal)?
                .map_err(|e| e.to_string())
        }
        // The gateway never gave the customer a page: nothing can be paid.
        _ => Ok(Outcome::Pending("never reached the gateway".into())),
    };
    let expired = row.expires_at <= format_timestamp(now);
    match answer {
        Err(e) => {
            settle(ctx, row, Outcome::Pending(e)).await?;
            Ok(false)
        }
        Ok(Outcome::Pending(d)) if expired => {
            let (id, stamp) = (row.id, ctx.now_text());
            let why = format!("expired: the customer did not finish paying ({d})");
            ctx.db
                .write_async(move |tx| {
                    online_payments::mark_ended(tx, id, "expired", &why, None, &stamp)
                })
                .await?;
            Ok(true)
        }
        Ok(Outcome::Pending(d)) => {
            settle(ctx, row, Outcome::Pending(d)).await?;
            Ok(false)
        }
        Ok(o) => {
            settle(ctx, row, o).await?;
            Ok(true)
        }
    }
}

/// One online payment of a customer, by our reference.
pub async fn of_customer_by_reference(
    ctx: &Ctx,
    customer_id: Option<i64>,
    reference: String,
) -> OpResult<OnlinePaymentRow> {
    let row = ctx
        .db
        .read_async(move |c| online_payments::by_reference(c, &reference))
        .await?
        .ok_or(Error::NotFound)?;
    match customer_id {
        Some(id) if id != row.customer_id => Err(Error::NotFound),
        _ => Ok(row),
    }
}

/// A page of online payments the caller may see (staff), newest first.
pub async fn list(
    ctx: &Ctx,
    caller: &Caller,
    filter: Filter,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<OnlinePaymentRow>, u64)> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| online_payments::list(c, &filter, vis, limit, offset))
        .await?)
}

/// Our reference for a new online payment: `OP` and 12 letters and digits.
pub(super) fn new_reference() -> OpResult<String> {
    Ok(format!(
        "OP{}",
        random_token(9)
            .map_err(|e| Error::Internal(e.to_string()))?
            .to_ascii_uppercase()
            .replace(['-', '_'], "X")
    ))
}
