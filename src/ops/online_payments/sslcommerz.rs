//! SSLCommerz's notices: the customer's browser posting back to the return
//! address, and the IPN SSLCommerz's server sends to the same effect (either
//! can come first, both can come twice). Neither is believed: a notice saying
//! VALID is validated with SSLCommerz's validation API for our transaction
//! and amount before anything is booked; one that is not signed with the
//! store password only makes the appliance ask SSLCommerz what became of the
//! payment.

use std::sync::Arc;

use crate::{
    drivers::payments::{Gateways, Outcome},
    store::online_payments::{self, OnlinePaymentRow},
};

use super::{settle, Ctx, Error, OpResult};

/// Handles a notice (`fields` as posted; `ipn` when SSLCommerz's server sent
/// it). Answers the payment as it then stands. An IPN that is not signed
/// with the store password is refused (`Unauthenticated`).
pub async fn sslcommerz_notice(
    ctx: &Ctx,
    gateways: &Arc<Gateways>,
    fields: Vec<(String, String)>,
    ipn: bool,
) -> OpResult<OnlinePaymentRow> {
    let Some(driver) = gateways.sslcommerz.as_ref() else {
        return Err(Error::NotFound);
    };
    let notice = driver.check_notice(&fields);
    if ipn && notice.is_none() {
        tracing::warn!("SSLCommerz IPN refused: not signed with the store password");
        return Err(Error::Unauthenticated(
            "the notice is not signed with the store password".into(),
        ));
    }
    let tran_id = match &notice {
        Some(n) => n.tran_id.clone(),
        None => fields
            .iter()
            .find(|(k, _)| k == "tran_id")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    };
    if tran_id.is_empty() || tran_id.len() > 64 {
        return Err(Error::NotFound);
    }
    let row = ctx
        .db
        .read_async(move |c| online_payments::by_reference(c, &tran_id))
        .await?
        .filter(|r| r.gateway == "sslcommerz")
        .ok_or(Error::NotFound)?;
    if row.state == "paid" {
        return Ok(row);
    }
    let reference = row.reference.clone();
    let gw = gateways.clone();
    let told = notice.clone();
    // What SSLCommerz itself says: the val_id of a notice saying VALID is
    // validated; otherwise the session's attempts are looked up.
    let answer = crate::outbound::blocking(move || {
        let Some(s) = gw.sslcommerz.as_ref() else {
            return Err(crate::drivers::payments::GatewayError::Refused(
                "SSLCommerz is not set up".into(),
            ));
        };
        match &told {
            Some(n) if n.status == "VALID" && !n.val_id.is_empty() => {
                s.validate(&n.val_id, &reference)
            }
            _ => s.status(&reference),
        }
    })
    .await
    .map_err(Error::Internal)?;
    let outcome = match answer {
        // SSLCommerz signed that the customer failed or cancelled and its
        // own records show nothing paid: the payment ends here (were it paid
        // after all, that payment is still booked when reported).
        Ok(Outcome::Pending(still)) => match &notice {
            Some(n)
                if matches!(
                    n.status.as_str(),
                    "FAILED" | "CANCELLED" | "UNATTEMPTED" | "EXPIRED"
                ) =>
            {
                Outcome::Failed {
                    cancelled: n.status == "CANCELLED",
                    reason: format!("SSLCommerz: {} {}", n.status, n.error)
                        .trim()
                        .to_string(),
                }
            }
            _ => Outcome::Pending(still),
        },
        Ok(o) => o,
        // No answer: it stays pending and the status check asks again.
        Err(e) => Outcome::Pending(e.to_string()),
    };
    if row.state != "pending" && !matches!(outcome, Outcome::Paid { .. }) {
        return Ok(row);
    }
    settle(ctx, row, outcome).await
}
