//! bKash Tokenized Checkout (API v1.2.0-beta), as bKash's merchant
//! documentation describes it:
//!
//! - `POST {base}/tokenized/checkout/token/grant` (headers `username`,
//!   `password`; body `app_key`, `app_secret`) gives an `id_token` (an hour)
//!   and a `refresh_token`; `.../token/refresh` renews it.
//! - `POST .../create` (headers `Authorization: <id_token>`, `X-APP-Key`;
//!   body `mode` "0011", `payerReference`, `callbackURL`, `amount` as text,
//!   `currency`, `intent` "sale", `merchantInvoiceNumber`) gives a
//!   `paymentID` and the `bkashURL` the customer is sent to.
//! - bKash sends the customer back to `callbackURL?paymentID=..&status=
//!   success|failure|cancel`. The status in the browser proves nothing: only
//!   `POST .../execute {paymentID}` moves the money and gives the `trxID`.
//! - `POST .../payment/status {paymentID}` says what became of a payment
//!   (`transactionStatus` Initiated, Completed, ...); `.../payment/refund`
//!   refunds all or part of it.
//!
//! Every answer carries `statusCode` ("0000" is success) and
//! `statusMessage`; some errors come as `errorCode` / `errorMessage`.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use ureq::Agent;

use super::{
    amount_text,
    config::{BkashConfig, BkashCredentials},
    http, parse_amount, GatewayError, Outcome, RefundOutcome, RefundRequest, StartRequest, Started,
};

/// bKash's codes for "this payment was executed already" (the answer to a
/// second execute): the payment's state is then asked for.
const ALREADY_EXECUTED: &[&str] = &["2062", "2116", "2117", "2056"];
/// Codes that are bKash's final "no" to an execute: the customer's wallet
/// refused the money (insufficient balance, over a limit, blocked).
const DECLINED: &[&str] = &["2023"];
/// Codes that mean the id_token is no longer good: grant a new one and retry.
const TOKEN_INVALID: &[&str] = &["2079", "9999-token"];

struct Token {
    id_token: String,
    refresh_token: String,
    valid_until: Instant,
}

pub struct Bkash {
    base: String,
    credentials: BkashCredentials,
    agent: Agent,
    token: Mutex<Option<Token>>,
}

/// `statusCode`/`statusMessage` of an answer, or `errorCode`/`errorMessage`.
fn status_of(v: &Value) -> (String, String) {
    let code = v
        .get("statusCode")
        .or_else(|| v.get("errorCode"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let message = v
        .get("statusMessage")
        .or_else(|| v.get("errorMessage"))
        .or_else(|| v.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    (code, message)
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Bkash {
    pub fn new(config: &BkashConfig, policy: crate::net_policy::Policy) -> Result<Self, String> {
        Ok(Self {
            base: config.base_url.trim_end_matches('/').to_string(),
            credentials: config.credentials()?,
            agent: http::agent(Duration::from_secs(config.timeout_secs.max(1)), policy),
            token: Mutex::new(None),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/tokenized/checkout/{path}", self.base)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Token>> {
        self.token.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Grant (or, with a refresh token, refresh) an id_token.
    fn grant(&self, refresh: Option<&str>) -> Result<Token, GatewayError> {
        let c = &self.credentials;
        let (path, body) = match refresh {
            Some(r) => (
                "token/refresh",
                json!({"app_key": c.app_key, "app_secret": c.app_secret, "refresh_token": r}),
            ),
            None => (
                "token/grant",
                json!({"app_key": c.app_key, "app_secret": c.app_secret}),
            ),
        };
        let headers = [
            ("username", c.username.as_str()),
            ("password", c.password.as_str()),
        ];
        let (status, answer) = http::post_json(&self.agent, &self.url(path), &headers, &body)?;
        let (code, message) = status_of(&answer);
        match (text(&answer, "id_token"), code.as_str()) {
            (Some(id_token), "0000" | "") if status < 300 => {
                let secs = answer
                    .get("expires_in")
                    .and_then(|e| e.as_u64().or_else(|| e.as_str()?.parse().ok()))
                    .unwrap_or(3600);
                Ok(Token {
                    id_token,
                    refresh_token: text(&answer, "refresh_token").unwrap_or_default(),
                    // Renewed a minute early.
                    valid_until: Instant::now() + Duration::from_secs(secs.saturating_sub(60)),
                })
            }
            _ => Err(GatewayError::Refused(format!(
                "token {}: HTTP {status} {code} {message}",
                if refresh.is_some() {
                    "refresh"
                } else {
                    "grant"
                }
            ))),
        }
    }

    /// A valid id_token: the one held, refreshed, or granted anew.
    fn id_token(&self, fresh: bool) -> Result<String, GatewayError> {
        let mut held = self.lock();
        if let Some(t) = held.as_ref() {
            if !fresh && t.valid_until > Instant::now() {
                return Ok(t.id_token.clone());
            }
        }
        let refreshed = match held.as_ref() {
            Some(t) if !t.refresh_token.is_empty() && !fresh => {
                self.grant(Some(&t.refresh_token)).ok()
            }
            _ => None,
        };
        let token = match refreshed {
            Some(t) => t,
            None => self.grant(None)?,
        };
        let id = token.id_token.clone();
        *held = Some(token);
        Ok(id)
    }

    /// One authorised call; a refused token is granted anew once.
    fn call(&self, path: &str, body: &Value) -> Result<Value, GatewayError> {
        let mut fresh = false;
        loop {
            let token = self.id_token(fresh)?;
            let headers = [
                ("authorization", token.as_str()),
                ("x-app-key", self.credentials.app_key.as_str()),
            ];
            let (status, answer) = http::post_json(&self.agent, &self.url(path), &headers, body)?;
            let (code, message) = status_of(&answer);
            let token_refused =
                status == 401 || status == 403 || TOKEN_INVALID.contains(&code.as_str());
            if token_refused && !fresh {
                fresh = true;
                continue;
            }
            if token_refused {
                return Err(GatewayError::Refused(format!(
                    "HTTP {status} {code} {message}"
                )));
            }
            if status >= 500 {
                return Err(GatewayError::Unreachable(format!(
                    "HTTP {status} from bKash {path}: {code} {message}"
                )));
            }
            return Ok(answer);
        }
    }

    /// Creates a payment; the customer is to be sent to `redirect_url`.
    pub fn create(&self, r: &StartRequest) -> Result<Started, GatewayError> {
        let body = json!({
            "mode": "0011",
            "payerReference": r.payer_reference,
            "callbackURL": r.return_url,
            "amount": amount_text(r.amount),
            "currency": r.currency,
            "intent": "sale",
            "merchantInvoiceNumber": r.reference,
        });
        let answer = self.call("create", &body)?;
        let (code, message) = status_of(&answer);
        match (text(&answer, "paymentID"), text(&answer, "bkashURL")) {
            (Some(id), Some(url)) if code == "0000" => Ok(Started {
                gateway_payment_id: id,
                redirect_url: url,
            }),
            _ => Err(GatewayError::Api(format!("create: {code} {message}"))),
        }
    }

    /// What an execute or status answer says of the payment: paid only with
    /// a trxID, "Completed", and the amount and currency written out.
    ///
    /// Only a definite answer ends a payment: a decline code, or a
    /// `transactionStatus` of Failed, Cancelled or Expired. Any other error
    /// or state leaves it pending, to be asked about again (bKash may have
    /// completed it).
    fn outcome(answer: &Value) -> Outcome {
        let (code, message) = status_of(answer);
        let state = text(answer, "transactionStatus").unwrap_or_default();
        if DECLINED.contains(&code.as_str()) {
            return Outcome::Failed {
                cancelled: false,
                reason: format!("bKash {code}: {message}"),
            };
        }
        if code != "0000" {
            return Outcome::Pending(format!("bKash {code}: {message}"));
        }
        match state.as_str() {
            "Completed" => match (
                text(answer, "trxID"),
                answer.get("amount").and_then(parse_amount),
                text(answer, "currency"),
            ) {
                (Some(trx_id), Some(amount), Some(currency)) => Outcome::Paid {
                    trx_id,
                    amount,
                    currency,
                    detail: format!(
                        "bKash: completed{}",
                        text(answer, "customerMsisdn")
                            .map(|m| format!(" from {m}"))
                            .unwrap_or_default()
                    ),
                },
                _ => Outcome::Pending("bKash says completed but gave no trxID or amount".into()),
            },
            "Initiated" | "Inprogress" | "Pending Authorized" | "Authorized" => {
                Outcome::Pending(format!("bKash: {state}"))
            }
            "Cancelled" => Outcome::Failed {
                cancelled: true,
                reason: "bKash: cancelled".into(),
            },
            "Failed" | "Expired" | "Declined" => Outcome::Failed {
                cancelled: false,
                reason: format!("bKash: {state}"),
            },
            other => Outcome::Pending(format!("bKash: {other}")),
        }
    }

    /// Executes a payment the customer authorised (called once the customer
    /// is back): the money moves now or never. An execute that was made
    /// before (a second callback) asks the payment's state instead.
    pub fn execute(&self, payment_id: &str) -> Result<Outcome, GatewayError> {
        let answer = self.call("execute", &json!({"paymentID": payment_id}))?;
        let (code, _) = status_of(&answer);
        if ALREADY_EXECUTED.contains(&code.as_str()) {
            return self.status(payment_id);
        }
        match Self::outcome(&answer) {
            // Not a definite answer: what does bKash say of the payment now?
            Outcome::Pending(_) => self.status(payment_id),
            o => Ok(o),
        }
    }

    /// What became of a payment (its callback never came, or to confirm).
    pub fn status(&self, payment_id: &str) -> Result<Outcome, GatewayError> {
        let answer = self.call("payment/status", &json!({"paymentID": payment_id}))?;
        Ok(Self::outcome(&answer))
    }

    /// Refunds part or all of a completed payment. bKash refunds at once:
    /// `transactionStatus` Completed with a `refundTrxID`; any other answer
    /// refunded nothing.
    pub fn refund(&self, r: &RefundRequest) -> Result<RefundOutcome, GatewayError> {
        let body = json!({
            "paymentID": r.gateway_payment_id,
            "amount": amount_text(r.amount),
            "trxID": r.trx_id,
            "sku": "internet",
            "reason": r.reason,
        });
        let answer = self.call("payment/refund", &body)?;
        let (code, message) = status_of(&answer);
        Ok(
            match (
                code.as_str(),
                text(&answer, "transactionStatus").as_deref(),
                text(&answer, "refundTrxID"),
            ) {
                ("0000", Some("Completed"), Some(refund_id)) => RefundOutcome::Refunded {
                    refund_id,
                    detail: "bKash: refunded".into(),
                },
                // Anything else does not say that no refund was made: it
                // stays processing, so the money is never returned twice.
                _ => RefundOutcome::Processing {
                    refund_id: String::new(),
                    detail: format!("bKash {code}: {message}"),
                },
            },
        )
    }
}

impl Bkash {
    /// The latest refund of a payment, as bKash's refund status says (the
    /// refund call without an amount): asked when a refund got no answer.
    pub fn refund_status(
        &self,
        payment_id: &str,
        trx_id: &str,
    ) -> Result<RefundOutcome, GatewayError> {
        let body = json!({"paymentID": payment_id, "trxID": trx_id});
        let answer = self.call("payment/refund", &body)?;
        let (code, message) = status_of(&answer);
        Ok(
            match (
                code.as_str(),
                text(&answer, "transactionStatus").as_deref(),
                text(&answer, "refundTrxID"),
            ) {
                ("0000", Some("Completed"), Some(refund_id)) => RefundOutcome::Refunded {
                    refund_id,
                    detail: "bKash: refunded".into(),
                },
                _ => RefundOutcome::Failed(format!("bKash {code}: {message}")),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Money;

    #[test]
    fn only_a_completed_answer_with_trx_and_amount_is_paid() {
        let paid = Bkash::outcome(&json!({
            "statusCode": "0000", "statusMessage": "Successful", "paymentID": "P1",
            "trxID": "9A1B2C3D", "transactionStatus": "Completed", "amount": "500",
            "currency": "BDT", "customerMsisdn": "01770618575"
        }));
        assert!(
            matches!(&paid, Outcome::Paid { trx_id, amount, currency, .. }
                if trx_id == "9A1B2C3D" && *amount == Money(50_000) && currency == "BDT"),
            "{paid:?}"
        );
        assert!(matches!(
            Bkash::outcome(
                &json!({"statusCode": "0000", "transactionStatus": "Completed", "amount": "500"})
            ),
            Outcome::Pending(_)
        ));
        assert!(matches!(
            Bkash::outcome(&json!({"statusCode": "0000", "transactionStatus": "Initiated"})),
            Outcome::Pending(_)
        ));
        assert!(matches!(
            Bkash::outcome(&json!({"statusCode": "2023", "statusMessage": "Insufficient Balance"})),
            Outcome::Failed { cancelled: false, reason } if reason.contains("Insufficient")
        ));
        assert!(matches!(
            Bkash::outcome(&json!({"errorCode": "2023", "errorMessage": "Insufficient Balance"})),
            Outcome::Failed { .. }
        ));
        // Anything not definite leaves the payment to be asked about again.
        for unsure in [
            json!({"statusCode": "9999", "statusMessage": "System Error"}),
            json!({"message": "Too Many Requests"}),
            json!({"statusCode": "0000", "transactionStatus": "Something New"}),
        ] {
            assert!(
                matches!(Bkash::outcome(&unsure), Outcome::Pending(_)),
                "{unsure}"
            );
        }
    }
}
