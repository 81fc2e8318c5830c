//! Payment links: a signed, expiring address that lets its holder pay a
//! customer's dues (or one bill) without logging in — sent in reminder SMS
//! (`{payment_link}`) or made by staff to send by hand. Opening one gives
//! what the suspension page shows and a pay-only token.

use time::{Date, Duration};

use crate::{
    auth::payment_links::{self, PaymentLink},
    domain::visibility::Visibility,
    store::{bills, customers, portal::KnownBy},
};

use super::{
    portal::{recognised, PortalKeys, Recognised},
    Caller, Ctx, Error, OpResult,
};

/// A link made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeLink {
    pub code: String,
    pub url: String,
    pub customer_id: i64,
    pub bill_id: Option<i64>,
    pub valid_until: Date,
}

/// The link for `customer_id` (and `bill_id`), good for `[payments]
/// link_days` from `today`. `base` is the appliance's public address.
pub fn link_for(
    ctx: &Ctx,
    keys: &PortalKeys,
    base: &str,
    customer_id: i64,
    bill_id: Option<i64>,
    today: Date,
) -> MadeLink {
    let link = PaymentLink {
        customer_id,
        bill_id,
        valid_until: today + Duration::days(i64::from(ctx.config.payments.link_days)),
    };
    let code = payment_links::sign(keys.pin.bytes(), &link);
    MadeLink {
        url: format!("{}/portal/l/{code}", base.trim_end_matches('/')),
        code,
        customer_id,
        bill_id,
        valid_until: link.valid_until,
    }
}

/// Staff make a link for a customer they see (for one of its open bills,
/// or everything due).
pub async fn make(
    ctx: &Ctx,
    keys: &PortalKeys,
    caller: &Caller,
    base: &str,
    customer_id: i64,
    bill_id: Option<i64>,
) -> OpResult<MadeLink> {
    let vis = caller.visibility;
    let (customer, bill) = ctx
        .db
        .read_async(move |c| {
            let customer = customers::get(c, customer_id, vis)?;
            let bill = match bill_id {
                Some(b) => bills::get(c, b, Visibility::ALL)?,
                None => None,
            };
            Ok((customer, bill))
        })
        .await?;
    if customer.is_none() {
        return Err(Error::NotFound);
    }
    match bill {
        // Another customer's bill is no bill of this one's.
        Some(b) if b.customer_id != customer_id => return Err(Error::NotFound),
        Some(b) if !matches!(b.status.as_str(), "unpaid" | "partial") => {
            return Err(Error::Conflict(format!(
                "Bill {} is {}: there is nothing to pay on it.",
                b.id, b.status
            )))
        }
        None if bill_id.is_some() => return Err(Error::NotFound),
        _ => {}
    }
    Ok(link_for(ctx, keys, base, customer_id, bill_id, ctx.today()))
}

/// Opens a link: what the suspension page shows, with a pay-only token; not
/// found when the link is unknown, tampered with or expired.
pub async fn open(ctx: &Ctx, keys: &PortalKeys, code: &str) -> OpResult<Recognised> {
    let link =
        payment_links::verify(keys.pin.bytes(), code.trim(), ctx.today()).ok_or(Error::NotFound)?;
    recognised(
        ctx,
        keys,
        link.customer_id,
        KnownBy::PaymentLink,
        link.bill_id,
    )
    .await
}
