//! SSLCommerz API v4, as its developer documentation and SSLCommerz's own
//! libraries (SSLCommerz-PHP, `sslcommerz-lts`, `sslcommerz-lib`) describe it:
//!
//! - `POST {host}/gwprocess/v4/api.php`, a urlencoded form with `store_id`,
//!   `store_passwd`, `total_amount`, `currency`, `tran_id` (ours), the
//!   browser's `success_url`/`fail_url`/`cancel_url`, the server-to-server
//!   `ipn_url` and the customer and product fields it requires, opens a
//!   session: `status` SUCCESS with `sessionkey` and the `GatewayPageURL` the
//!   customer is sent to, or FAILED with `failedreason`.
//! - The customer's browser comes back with a form POST, and SSLCommerz sends
//!   the same fields as the IPN: `tran_id`, `val_id`, `amount`, `status`
//!   (VALID, FAILED, CANCELLED, UNATTEMPTED, EXPIRED), `bank_tran_id`, ...,
//!   signed: `verify_sign` = md5 of the fields named in `verify_key` plus
//!   `store_passwd` = md5(store password), sorted by name, `k=v&k=v`.
//! - Neither proves a payment: only `GET /validator/api/validationserverAPI.php
//!   ?val_id=` (status VALID or VALIDATED, our `tran_id`, the amount) does.
//! - `GET /validator/api/merchantTransIDvalidationAPI.php?tran_id=` lists what
//!   became of a session's attempts; with `bank_tran_id` + `refund_amount` it
//!   refunds, with `refund_ref_id` it says how a refund stands.
//!
//! Every GET carries `store_id`, `store_passwd`, `v=1`, `format=json`.

use std::time::Duration;

use md5::{Digest, Md5};
use serde_json::Value;
use ureq::Agent;

use super::{
    amount_text, config::SslCommerzConfig, http, parse_amount, GatewayError, Outcome,
    RefundOutcome, RefundRequest, StartRequest, Started,
};

const SESSION: &str = "/gwprocess/v4/api.php";
const VALIDATOR: &str = "/validator/api/validationserverAPI.php";
const MERCHANT_API: &str = "/validator/api/merchantTransIDvalidationAPI.php";

pub struct SslCommerz {
    base: String,
    store_id: String,
    store_passwd: String,
    city: String,
    country: String,
    agent: Agent,
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `verify_sign` of `fields` as SSLCommerz computes it.
fn signature(fields: &[(String, String)], verify_key: &str, store_passwd: &str) -> String {
    let mut pairs: Vec<(String, String)> = verify_key
        .split(',')
        .filter_map(|k| {
            let v = fields.iter().find(|(n, _)| n == k)?;
            Some((k.to_string(), v.1.clone()))
        })
        .collect();
    pairs.push(("store_passwd".into(), md5_hex(store_passwd)));
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    md5_hex(&joined.join("&"))
}

/// What a notice (the browser's POST or the IPN) says, once its signature
/// was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub tran_id: String,
    pub val_id: String,
    pub status: String,
    pub error: String,
}

impl SslCommerz {
    pub fn new(
        config: &SslCommerzConfig,
        policy: crate::net_policy::Policy,
    ) -> Result<Self, String> {
        Ok(Self {
            base: config.base_url.trim_end_matches('/').to_string(),
            store_id: config.store_id.clone(),
            store_passwd: config.password()?,
            city: config.city.clone(),
            country: config.country.clone(),
            agent: http::agent(Duration::from_secs(config.timeout_secs.max(1)), policy),
        })
    }

    fn credentials(&self) -> Vec<(&'static str, String)> {
        vec![
            ("store_id", self.store_id.clone()),
            ("store_passwd", self.store_passwd.clone()),
            ("v", "1".into()),
            ("format", "json".into()),
        ]
    }

    /// A GET to the validation host; credentials refused are an error.
    fn query(&self, path: &str, extra: Vec<(&'static str, String)>) -> Result<Value, GatewayError> {
        let mut q = extra;
        q.extend(self.credentials());
        let (status, answer) = http::get(&self.agent, &format!("{}{path}", self.base), &q)?;
        if status >= 500 {
            return Err(GatewayError::Unreachable(format!(
                "HTTP {status} from SSLCommerz {path}"
            )));
        }
        match text(&answer, "APIConnect").as_str() {
            "FAILED" | "INACTIVE" => Err(GatewayError::Refused(format!(
                "SSLCommerz {path}: APIConnect {}",
                text(&answer, "APIConnect")
            ))),
            "INVALID_REQUEST" => Err(GatewayError::Api(format!(
                "SSLCommerz {path}: invalid request"
            ))),
            _ => Ok(answer),
        }
    }

    /// Opens a session; the customer is to be sent to `redirect_url`. The
    /// browser comes back to `return_url` whatever happened (the posted
    /// `status` says what), the IPN goes to `notify_url`.
    pub fn create(&self, r: &StartRequest) -> Result<Started, GatewayError> {
        let email = r
            .customer_email
            .clone()
            .filter(|e| e.contains('@'))
            .unwrap_or_else(|| "no-email@customer.invalid".into());
        let address = r
            .customer_address
            .clone()
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| self.city.clone());
        let mut form: Vec<(&str, String)> = vec![
            ("store_id", self.store_id.clone()),
            ("store_passwd", self.store_passwd.clone()),
            ("total_amount", amount_text(r.amount)),
            ("currency", r.currency.clone()),
            ("tran_id", r.reference.clone()),
            ("success_url", r.return_url.clone()),
            ("fail_url", r.return_url.clone()),
            ("cancel_url", r.return_url.clone()),
            ("ipn_url", r.notify_url.clone()),
            ("cus_name", r.customer_name.clone()),
            ("cus_email", email),
            ("cus_add1", address),
            ("cus_city", self.city.clone()),
            ("cus_country", self.country.clone()),
            ("cus_phone", r.customer_phone.clone()),
            ("shipping_method", "NO".into()),
            ("num_of_item", "1".into()),
            ("product_name", "Internet service".into()),
            ("product_category", "Internet".into()),
            ("product_profile", "non-physical-goods".into()),
            ("value_a", r.reference.clone()),
            ("value_b", r.payer_reference.clone()),
        ];
        form.retain(|(_, v)| !v.is_empty());
        let url = format!("{}{SESSION}", self.base);
        let (status, answer) = http::post_form(&self.agent, &url, &form)?;
        if status >= 500 {
            return Err(GatewayError::Unreachable(format!(
                "HTTP {status} from SSLCommerz session"
            )));
        }
        let (state, reason) = (text(&answer, "status"), text(&answer, "failedreason"));
        let (key, page) = (text(&answer, "sessionkey"), text(&answer, "GatewayPageURL"));
        match state.as_str() {
            "SUCCESS" if !key.is_empty() && !page.is_empty() => Ok(Started {
                gateway_payment_id: key,
                redirect_url: page,
            }),
            _ if reason.contains("Credential") => Err(GatewayError::Refused(reason)),
            _ => Err(GatewayError::Api(format!("session: {state} {reason}"))),
        }
    }

    /// Checks a notice's `verify_sign`; answers what it says, or `None` when
    /// it is not signed with our store password (or signs too little).
    pub fn check_notice(&self, fields: &[(String, String)]) -> Option<Notice> {
        let get = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let (key, sign) = (get("verify_key"), get("verify_sign"));
        let named: Vec<&str> = key.split(',').collect();
        if sign.is_empty() || !["tran_id", "status"].iter().all(|k| named.contains(k)) {
            return None;
        }
        let expected = signature(fields, &key, &self.store_passwd);
        let same = crate::auth::secrets::constant_time_eq(
            expected.as_bytes(),
            sign.to_ascii_lowercase().as_bytes(),
        );
        same.then(|| Notice {
            tran_id: get("tran_id"),
            val_id: get("val_id"),
            status: get("status"),
            error: get("error"),
        })
    }

    /// Asks the validation API about `val_id`: paid only when SSLCommerz
    /// says VALID or VALIDATED for our `reference`, with the amount written
    /// out and a bank transaction id.
    pub fn validate(&self, val_id: &str, reference: &str) -> Result<Outcome, GatewayError> {
        let answer = self.query(VALIDATOR, vec![("val_id", val_id.to_string())])?;
        let status = text(&answer, "status");
        match status.as_str() {
            "VALID" | "VALIDATED" => {}
            "FAILED" => {
                return Ok(Outcome::Failed {
                    cancelled: false,
                    reason: "SSLCommerz: the payment failed".into(),
                })
            }
            "INVALID_TRANSACTION" => {
                return Err(GatewayError::Api(
                    "SSLCommerz does not know this val_id".into(),
                ))
            }
            other => return Ok(Outcome::Pending(format!("SSLCommerz: {other}"))),
        }
        if text(&answer, "tran_id") != reference {
            return Err(GatewayError::Api(format!(
                "SSLCommerz's val_id {val_id} is for another transaction"
            )));
        }
        // The amount in the currency asked (`currency_type`/`currency_amount`);
        // `amount`/`currency` are the same in BDT.
        let (currency, amount) = match text(&answer, "currency_type") {
            c if !c.is_empty() => (c, answer.get("currency_amount")),
            _ => (text(&answer, "currency"), answer.get("amount")),
        };
        let bank = text(&answer, "bank_tran_id");
        match (amount.and_then(parse_amount), bank.is_empty()) {
            (Some(amount), false) => Ok(Outcome::Paid {
                trx_id: bank,
                amount,
                currency,
                detail: format!(
                    "SSLCommerz: {status} ({}), val_id {val_id}{}",
                    text(&answer, "card_type"),
                    if text(&answer, "risk_level") == "1" {
                        format!(", marked risky: {}", text(&answer, "risk_title"))
                    } else {
                        String::new()
                    }
                ),
            }),
            _ => Ok(Outcome::Pending(
                "SSLCommerz says valid but gave no amount or bank transaction id".into(),
            )),
        }
    }

    /// What became of our `reference` (its browser return and IPN never
    /// came): a paid attempt is validated; a session whose every attempt
    /// ended unpaid has failed; none yet is pending.
    pub fn status(&self, reference: &str) -> Result<Outcome, GatewayError> {
        let answer = self.query(MERCHANT_API, vec![("tran_id", reference.to_string())])?;
        let elements = answer
            .get("element")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let status_of = |e: &Value| text(e, "status");
        if let Some(paid) = elements
            .iter()
            .find(|e| matches!(status_of(e).as_str(), "VALID" | "VALIDATED"))
        {
            return self.validate(&text(paid, "val_id"), reference);
        }
        let ended = |s: &str| matches!(s, "FAILED" | "CANCELLED" | "UNATTEMPTED" | "EXPIRED");
        if elements.is_empty() || !elements.iter().all(|e| ended(&status_of(e))) {
            return Ok(Outcome::Pending("SSLCommerz: not paid yet".into()));
        }
        let last = elements.last().map(status_of).unwrap_or_default();
        Ok(Outcome::Failed {
            cancelled: last == "CANCELLED",
            reason: format!("SSLCommerz: {last}"),
        })
    }

    /// Refunds part or all of a paid session, by its bank transaction id.
    pub fn refund(&self, r: &RefundRequest) -> Result<RefundOutcome, GatewayError> {
        let answer = self.query(
            MERCHANT_API,
            vec![
                ("bank_tran_id", r.trx_id.clone()),
                ("refund_amount", amount_text(r.amount)),
                ("refund_remarks", r.reason.clone()),
                ("refe_id", r.reference.clone()),
                ("refund_trans_id", r.reference.clone()),
            ],
        )?;
        // "success" means the refund was initiated, not made: the refund
        // query says when it is `refunded` (or `cancelled`).
        let id = text(&answer, "refund_ref_id");
        Ok(match text(&answer, "status").as_str() {
            "success" | "processing" if !id.is_empty() => RefundOutcome::Processing {
                refund_id: id,
                detail: "SSLCommerz: refund initiated".into(),
            },
            other => RefundOutcome::Failed(format!(
                "SSLCommerz: {other} {}",
                text(&answer, "errorReason")
            )),
        })
    }

    /// How a refund SSLCommerz is processing stands.
    pub fn refund_status(&self, refund_ref_id: &str) -> Result<RefundOutcome, GatewayError> {
        let answer = self.query(
            MERCHANT_API,
            vec![("refund_ref_id", refund_ref_id.to_string())],
        )?;
        Ok(Self::refund_outcome(&answer))
    }

    fn refund_outcome(answer: &Value) -> RefundOutcome {
        let id = text(answer, "refund_ref_id");
        match text(answer, "status").as_str() {
            "refunded" if !id.is_empty() => RefundOutcome::Refunded {
                refund_id: id,
                detail: "SSLCommerz: refunded".into(),
            },
            "cancelled" => RefundOutcome::Failed("SSLCommerz cancelled the refund".into()),
            // No such refund at SSLCommerz: it was never made.
            "failed" => RefundOutcome::Failed(format!(
                "SSLCommerz: failed {}",
                text(answer, "errorReason")
            )),
            // Processing, or an answer not understood: not known to be over.
            other => RefundOutcome::Processing {
                refund_id: id,
                detail: format!("SSLCommerz: {other}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver() -> SslCommerz {
        let config = SslCommerzConfig {
            store_id: "store".into(),
            store_passwd: super::super::config::Secret("pass".into()),
            ..SslCommerzConfig::default()
        };
        let policy = crate::net_policy::Policy {
            allow_loopback: true,
            allow_private: true,
            section: crate::net_policy::Section::Network,
        };
        SslCommerz::new(&config, policy).unwrap()
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_notice_counts_only_signed_with_the_store_password() {
        let d = driver();
        let mut f = fields(&[
            ("amount", "500.00"),
            ("status", "VALID"),
            ("tran_id", "OP1"),
        ]);
        let key = "amount,status,tran_id";
        let sign = signature(&f, key, "pass");
        // The official libraries' rule, written out: sorted, store_passwd hashed.
        let manual = md5_hex(&format!(
            "amount=500.00&status=VALID&store_passwd={}&tran_id=OP1",
            md5_hex("pass")
        ));
        assert_eq!(sign, manual);
        f.push(("verify_key".into(), key.into()));
        f.push(("verify_sign".into(), sign.clone()));
        let notice = d.check_notice(&f).unwrap();
        assert_eq!(
            (notice.tran_id.as_str(), notice.status.as_str()),
            ("OP1", "VALID")
        );
        // Tampered, signed with another password, or signing too little.
        let mut tampered = f.clone();
        tampered[0].1 = "5.00".into();
        assert!(d.check_notice(&tampered).is_none());
        let mut other = fields(&[("status", "VALID"), ("tran_id", "OP1")]);
        let s = signature(&other, "status,tran_id", "other");
        other.push(("verify_key".into(), "status,tran_id".into()));
        other.push(("verify_sign".into(), s));
        assert!(d.check_notice(&other).is_none());
        let mut little = fields(&[("amount", "500.00"), ("status", "VALID")]);
        let s = signature(&little, "amount", "pass");
        little.push(("verify_key".into(), "amount".into()));
        little.push(("verify_sign".into(), s));
        assert!(d.check_notice(&little).is_none());
    }

    #[test]
    fn refund_answers() {
        // The refund query's answers ("success" is only the initiation's).
        let ok = serde_json::json!({"status": "refunded", "refund_ref_id": "59bd"});
        assert!(
            matches!(SslCommerz::refund_outcome(&ok), RefundOutcome::Refunded { refund_id, .. } if refund_id == "59bd")
        );
        let odd = serde_json::json!({"status": "on hold", "refund_ref_id": "59bf"});
        assert!(matches!(
            SslCommerz::refund_outcome(&odd),
            RefundOutcome::Processing { .. }
        ));
        let gone = serde_json::json!({"status": "cancelled", "refund_ref_id": "59bf"});
        assert!(matches!(
            SslCommerz::refund_outcome(&gone),
            RefundOutcome::Failed(_)
        ));
        let wait = serde_json::json!({"status": "processing", "refund_ref_id": "59be"});
        assert!(matches!(
            SslCommerz::refund_outcome(&wait),
            RefundOutcome::Processing { .. }
        ));
        let no = serde_json::json!({"status": "failed", "errorReason": "too much"});
        assert!(
            matches!(SslCommerz::refund_outcome(&no), RefundOutcome::Failed(r) if r.contains("too much"))
        );
    }
}
