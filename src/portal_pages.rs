//! The customer portal's server-side pages: where a gateway sends the
//! customer back to. The portal itself is static files (`web/portal/`,
//! served by [`crate::web`]) calling the customer API.
//!
//! `GET /portal/pay/bkash?paymentID=..&status=..` is bKash's `callbackURL`:
//! the payment is executed with bKash (the status in the address proves
//! nothing) and the customer is sent on to the portal's result page,
//! `/portal/result.html?ref=<reference>`, which shows what became of it.
//!
//! `POST /portal/pay/sslcommerz` is where SSLCommerz's page posts the
//! customer's browser back (success, failure and cancel alike); `POST
//! /portal/pay/sslcommerz/ipn` is its server-to-server notice. Both carry
//! the same signed form; the payment is validated with SSLCommerz before
//! anything is booked.

use poem::{
    http::{header, StatusCode},
    web::{Data, Query},
    Body, Response,
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

/// A posted form's fields, as sent (at most 64 KiB; anything unreadable is
/// no fields).
async fn form_fields(body: Body) -> Vec<(String, String)> {
    match body.into_bytes_limit(64 * 1024).await {
        Ok(bytes) => serde_urlencoded::from_bytes(&bytes).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// SSLCommerz's return address (the customer's browser, by form POST).
#[poem::handler]
pub async fn sslcommerz_return(state: Data<&AppState>, body: Body) -> Response {
    let fields = form_fields(body).await;
    match ops::online_payments::sslcommerz_notice(&state.ctx(), &state.gateways, fields, false)
        .await
    {
        Ok(row) => see_other(&format!("/portal/result.html?ref={}", row.reference)),
        Err(ops::Error::NotFound) => see_other("/portal/result.html?error=unknown"),
        Err(e) => {
            tracing::warn!(error = %e, "SSLCommerz return");
            see_other("/portal/result.html?error=later")
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/plain; charset=utf-8")
        .body(text)
}

/// SSLCommerz's IPN: 200 once handled (SSLCommerz sends it again
/// otherwise), 403 when it is not signed with the store password, 404 for
/// a transaction that is not ours, 503 when it could not be handled now.
#[poem::handler]
pub async fn sslcommerz_ipn(state: Data<&AppState>, body: Body) -> Response {
    let fields = form_fields(body).await;
    match ops::online_payments::sslcommerz_notice(&state.ctx(), &state.gateways, fields, true).await
    {
        Ok(_) => plain(StatusCode::OK, "OK"),
        Err(ops::Error::Unauthenticated(_)) => plain(StatusCode::FORBIDDEN, "not signed"),
        Err(ops::Error::NotFound) => plain(StatusCode::NOT_FOUND, "unknown transaction"),
        Err(e) => {
            tracing::warn!(error = %e, "SSLCommerz IPN");
            plain(StatusCode::SERVICE_UNAVAILABLE, "try again later")
        }
    }
}

/// A payment link, `/portal/l/<code>`: on to the suspension page, which
/// opens it (`POST /api/v2/me/link`).
#[poem::handler]
pub async fn payment_link(poem::web::Path(code): poem::web::Path<String>) -> Response {
    let plain = !code.is_empty()
        && code.len() <= 80
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if plain {
        see_other(&format!("/portal/suspended?link={code}"))
    } else {
        see_other("/portal/suspended?link=invalid")
    }
}
