//! Refunds of online payments and the gateways' settings, as staff see
//! them (`/api/v2/billing/online-payments/{id}/refund`,
//! `/api/v2/billing/refunds`, `/api/v2/billing/gateways`).

use poem_openapi::Object;

use super::{
    body::{Fields, FromJsonObject},
    field::{Contract, ContractKind, Ex, Field, Mode},
    money::Amount,
};
use crate::{contract_type, store::refunds::RefundRow};

/// A refund staff ask for.
#[derive(Debug)]
pub struct RefundRequestBody {
    pub amount: Option<crate::domain::money::Money>,
    pub reason: String,
}

pub static REFUND_REQUEST: Contract = Contract {
    name: "OnlinePaymentRefundRequest",
    description: Some(
        "How much to refund (everything not refunded yet when left out) and why. \
         bKash and SSLCommerz payments are refunded through the gateway; a manual \
         send-money payment is recorded as returned by hand.",
    ),
    kind: ContractKind::Create,
    fields: &[
        Field::positive_money("amount")
            .nullable()
            .example(Ex::Num("200")),
        Field::text("reason")
            .required()
            .max(200)
            .example(Ex::Str("Double payment")),
    ],
    example: None,
};

contract_type!(RefundRequestBody, REFUND_REQUEST);

impl FromJsonObject for RefundRequestBody {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&REFUND_REQUEST, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            amount: f.take("amount").money(),
            reason: f.take("reason").text_or_empty(),
        }
    }
}

/// A refund of an online payment.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Refund {
    pub id: i64,
    /// Ours (sent to SSLCommerz as the refund's id).
    pub reference: String,
    pub online_payment_id: i64,
    pub payment_id: i64,
    pub customer_id: i64,
    pub amount: Amount,
    pub currency: String,
    /// `processing` (the gateway will say), `refunded` or `failed` (nothing moved).
    pub state: String,
    /// bKash's refundTrxID, SSLCommerz's refund_ref_id.
    #[oai(nullable)]
    pub gateway_refund_id: Option<String>,
    pub reason: String,
    /// What the gateway said last.
    #[oai(nullable)]
    pub detail: Option<String>,
    /// The staff user who asked for it.
    #[oai(nullable)]
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<RefundRow> for Refund {
    fn from(r: RefundRow) -> Self {
        Self {
            id: r.id,
            reference: r.reference,
            online_payment_id: r.online_payment_id,
            payment_id: r.payment_id,
            customer_id: r.customer_id,
            amount: Amount(r.amount),
            currency: r.currency,
            state: r.state,
            gateway_refund_id: r.gateway_refund_id,
            reason: r.reason,
            detail: r.detail,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

crate::one!(RefundOne, Refund);
crate::paginated!(RefundList, Refund);
crate::created!(
    /// The refund, as it stands after the gateway answered.
    RefundCreated,
    poem_openapi::payload::Json<RefundOne>
);

/// One gateway as configured (no secrets).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct GatewaySetting {
    /// `bkash`, `sslcommerz` or `manual`.
    pub name: String,
    pub label: String,
    /// Switched on in the config file.
    pub configured: bool,
    /// Customers can pay with it now.
    pub enabled: bool,
    /// `sandbox`, `production` or `custom` (another address).
    #[oai(nullable)]
    pub mode: Option<String>,
    #[oai(nullable)]
    pub base_url: Option<String>,
    /// The merchant account (bKash app key, SSLCommerz store id); never a secret.
    #[oai(nullable)]
    pub account: Option<String>,
    /// Whether staff can refund through it.
    pub refunds: bool,
    /// Why a configured gateway cannot be used.
    #[oai(nullable)]
    pub problem: Option<String>,
}

/// Online payments' settings.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct GatewaySettings {
    pub currency: String,
    pub pending_minutes: u32,
    pub status_check_secs: u64,
    /// `[server] public_url`: where gateways send customers back to (empty:
    /// taken from each request's Host).
    pub public_url: String,
    pub gateways: Vec<GatewaySetting>,
}

crate::one!(GatewaySettingsOne, GatewaySettings);
