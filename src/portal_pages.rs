//! The customer portal's server-side pages: where a gateway sends the
//! customer back to. The portal itself is static files (`web/portal/`,
//! served by [`crate::web`]) calling the customer API.
//!
//! `GET /portal/pay/bkash?paymentID=..&status=..` is bKash's `callbackURL`:
//! the payment is executed with bKash (the status in the address proves
//! nothing) and the customer is sent on to the portal's result page,
//! `/portal/result.html?ref=<reference>`, which shows what became of it.

use poem::{
    http::{header, StatusCode},
    web::{Data, Query},
    Response,
};
use serde::Deserialize;

use crate::{ops, state::AppState};

#[derive(Debug, Deserialize)]
pub struct BkashReturn {
    #[serde(rename = "paymentID", default)]
    payment_id: String,
    #[serde(default)]
    status: String,
}

fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

/// bKash's return address.
#[poem::handler]
pub async fn bkash_return(state: Data<&AppState>, q: Query<BkashReturn>) -> Response {
    let BkashReturn { payment_id, status } = q.0;
    if payment_id.is_empty() || payment_id.len() > 100 {
        return see_other("/portal/result.html?error=unknown");
    }
    match ops::online_payments::bkash_return(&state.ctx(), &state.gateways, payment_id, status)
        .await
    {
        Ok(row) => see_other(&format!("/portal/result.html?ref={}", row.reference)),
        Err(ops::Error::NotFound) => see_other("/portal/result.html?error=unknown"),
        Err(e) => {
            tracing::warn!(error = %e, "bKash return");
            see_other("/portal/result.html?error=later")
        }
    }
}
