//! Online payment gateways, each written from its provider's public API
//! documentation: bKash Tokenized Checkout and SSLCommerz. A gateway starts a
//! payment (the customer is sent to its page), confirms it when the customer
//! comes back or the gateway calls (bKash: execute; SSLCommerz: the
//! validation API), and answers what became of a payment whose callback
//! never came. They know nothing of HTTP routes or SQL; the caller decides
//! what a confirmed payment books.

pub mod bkash;
pub mod config;
mod http;
pub mod sslcommerz;

use crate::domain::money::Money;

/// What a payment is started with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRequest {
    /// Our reference (the gateway's merchant invoice / transaction id).
    pub reference: String,
    pub amount: Money,
    pub currency: String,
    /// Where the customer's browser is sent back to.
    pub return_url: String,
    /// Where the gateway's server calls us (SSLCommerz IPN).
    pub notify_url: String,
    /// Who pays, as the gateway shows it (the login name or phone).
    pub payer_reference: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub customer_email: Option<String>,
    pub customer_address: Option<String>,
}

/// A started payment: the gateway's id for it and the page to send the
/// customer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub gateway_payment_id: String,
    pub redirect_url: String,
}

/// What the gateway says of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The money moved: the gateway's transaction id and what it says was paid.
    Paid {
        trx_id: String,
        amount: Money,
        currency: String,
        detail: String,
    },
    /// Not decided yet (the customer is still on the gateway's page).
    Pending(String),
    /// It will not be paid: refused, cancelled by the customer, expired.
    Failed { cancelled: bool, reason: String },
}

/// A refund asked of a gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// bKash's paymentID (SSLCommerz: its session key).
    pub gateway_payment_id: String,
    /// The paid transaction (bKash trxID; SSLCommerz bank_tran_id).
    pub trx_id: String,
    pub amount: Money,
    pub reason: String,
    /// Ours for this refund.
    pub reference: String,
}

/// What the gateway says of a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    /// The money went back to the customer.
    Refunded { refund_id: String, detail: String },
    /// Accepted; the gateway will say later whether it went through.
    Processing { refund_id: String, detail: String },
    /// Refused; nothing was refunded.
    Failed(String),
}

/// Why a call to a gateway gave no answer about the payment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// No connection, a timeout, or an answer that is not the gateway's.
    #[error("the payment gateway is unreachable: {0}")]
    Unreachable(String),
    /// The gateway refused our credentials.
    #[error("the payment gateway refused the merchant credentials: {0}")]
    Refused(String),
    /// The gateway answered with an error for this request.
    #[error("the payment gateway refused the request: {0}")]
    Api(String),
}

/// Amounts as gateways write them: `500.00`.
pub fn amount_text(amount: Money) -> String {
    amount.to_string()
}

/// An amount a gateway wrote (`"500"`, `"500.00"`, `500.5`).
pub fn parse_amount(value: &serde_json::Value) -> Option<Money> {
    match value {
        serde_json::Value::String(s) => Money::parse_major(s).ok(),
        serde_json::Value::Number(n) => Money::parse_major(&n.to_string()).ok(),
        _ => None,
    }
}

/// The gateways this appliance is configured for.
#[derive(Default)]
pub struct Gateways {
    pub bkash: Option<bkash::Bkash>,
    pub sslcommerz: Option<sslcommerz::SslCommerz>,
}

fn not_set_up(gateway: &str) -> GatewayError {
    GatewayError::Refused(format!("{gateway} is not set up on this appliance"))
}

impl Gateways {
    /// The enabled gateways of `[payments]` (one whose credentials cannot be
    /// read is left out, and said so in the log).
    pub fn from_config(config: &config::PaymentsConfig, policy: crate::net_policy::Policy) -> Self {
        let bkash = if config.bkash.enabled {
            match bkash::Bkash::new(&config.bkash, policy) {
                Ok(b) => Some(b),
                Err(e) => {
                    tracing::error!(error = %e, "bKash is enabled but cannot be used");
                    None
                }
            }
        } else {
            None
        };
        let sslcommerz = if config.sslcommerz.enabled {
            match sslcommerz::SslCommerz::new(&config.sslcommerz, policy) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::error!(error = %e, "SSLCommerz is enabled but cannot be used");
                    None
                }
            }
        } else {
            None
        };
        Self { bkash, sslcommerz }
    }

    /// Whether `gateway` can take payments here.
    pub fn has(&self, gateway: &str) -> bool {
        self.available().contains(&gateway)
    }

    /// Starts a payment with `gateway`.
    pub fn create(&self, gateway: &str, r: &StartRequest) -> Result<Started, GatewayError> {
        match (gateway, &self.bkash, &self.sslcommerz) {
            ("bkash", Some(b), _) => b.create(r),
            ("sslcommerz", _, Some(s)) => s.create(r),
            _ => Err(not_set_up(gateway)),
        }
    }

    /// What became of a payment: bKash by its paymentID, SSLCommerz by our
    /// reference.
    pub fn status(
        &self,
        gateway: &str,
        gateway_payment_id: &str,
        reference: &str,
    ) -> Result<Outcome, GatewayError> {
        match (gateway, &self.bkash, &self.sslcommerz) {
            ("bkash", Some(b), _) => b.status(gateway_payment_id),
            ("sslcommerz", _, Some(s)) => s.status(reference),
            _ => Err(not_set_up(gateway)),
        }
    }

    /// Refunds through `gateway`'s refund API.
    pub fn refund(&self, gateway: &str, r: &RefundRequest) -> Result<RefundOutcome, GatewayError> {
        match (gateway, &self.bkash, &self.sslcommerz) {
            ("bkash", Some(b), _) => b.refund(r),
            ("sslcommerz", _, Some(s)) => s.refund(r),
            _ => Err(not_set_up(gateway)),
        }
    }

    /// How a refund stands that is processing at the gateway (`refund_id`,
    /// SSLCommerz) or got no answer (`None`): SSLCommerz is asked by its
    /// refund id, or sent the same refund again (its `refund_trans_id`
    /// makes it the same refund); bKash says what its latest refund of the
    /// payment was.
    pub fn refund_status(
        &self,
        gateway: &str,
        refund_id: Option<&str>,
        r: &RefundRequest,
    ) -> Result<RefundOutcome, GatewayError> {
        match (gateway, &self.bkash, &self.sslcommerz, refund_id) {
            ("bkash", Some(b), _, _) => b.refund_status(&r.gateway_payment_id, &r.trx_id),
            ("sslcommerz", _, Some(s), Some(id)) => s.refund_status(id),
            ("sslcommerz", _, Some(s), None) => s.refund(r),
            _ => Err(not_set_up(gateway)),
        }
    }

    /// The names of the gateways customers can pay with (the manual
    /// send-money claim is always there).
    pub fn available(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.bkash.is_some() {
            names.push("bkash");
        }
        if self.sslcommerz.is_some() {
            names.push("sslcommerz");
        }
        names
    }
}
