//! The customer API's bodies (`/api/v2/me/...`): logins by password and by
//! one-time code, a new portal password, a complaint, an online payment.
//!
//! At the end, the answers: the customer's token, their own profile, an
//! online payment.

use super::{
    body::{Fields, FromJsonObject},
    field::{normalisers, Contract, ContractKind, Ex, Field, Mode, Normaliser, Text},
};

/// A mobile number as customers' numbers are kept (the schema states the
/// pattern, so a number the API refuses is never "valid").
const CUSTOMER_PHONE: Normaliser = Normaliser {
    message: "is not a mobile number: use 01XXXXXXXXX or +<country code><number>.",
    ..normalisers::PHONE
};
use crate::contract_type;

/// A customer's credentials: the login name (PPPoE / hotspot) and password.
#[derive(Debug)]
pub struct CustomerLogin {
    pub username: String,
    pub password: String,
}

pub static CUSTOMER_LOGIN: Contract = Contract {
    name: "CustomerLoginRequest",
    description: Some(
        "A customer's login name (PPPoE / hotspot) and password: the portal password \
         once they set one, else the login's own.",
    ),
    kind: ContractKind::Create,
    fields: &[
        Field::text("username")
            .required()
            .max(64)
            .example(Ex::Str("rahim.pppoe")),
        Field::secret("password")
            .required()
            .max(128)
            .example(Ex::Str("s3cret-pass")),
    ],
    example: None,
};

contract_type!(CustomerLogin, CUSTOMER_LOGIN);

impl FromJsonObject for CustomerLogin {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&CUSTOMER_LOGIN, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            username: f.take("username").text_or_empty(),
            password: f.take("password").text_or_empty(),
        }
    }
}

/// A number to send a one-time login code to.
#[derive(Debug)]
pub struct OtpRequest {
    pub phone: String,
}

pub static OTP_REQUEST: Contract = Contract {
    name: "CustomerOtpRequest",
    description: Some("The customer's mobile number, to send a one-time login code to."),
    kind: ContractKind::Create,
    fields: &[
        Field::with("phone", Text::line().max(32).normalised(CUSTOMER_PHONE))
            .required()
            .example(Ex::Str("01712345678")),
    ],
    example: None,
};

contract_type!(OtpRequest, OTP_REQUEST);

impl FromJsonObject for OtpRequest {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&OTP_REQUEST, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            phone: f.take("phone").text_or_empty(),
        }
    }
}

/// The code sent by SMS.
#[derive(Debug)]
pub struct OtpVerify {
    pub phone: String,
    pub code: String,
    pub username: Option<String>,
}

pub static OTP_VERIFY: Contract = Contract {
    name: "CustomerOtpVerifyRequest",
    description: Some(
        "The number and the 6-digit code sent to it; `username` only when the number \
         belongs to several accounts.",
    ),
    kind: ContractKind::Create,
    fields: &[
        Field::with("phone", Text::line().max(32).normalised(CUSTOMER_PHONE))
            .required()
            .example(Ex::Str("01712345678")),
        Field::with("code", Text::line().pattern("^[0-9]{6}$"))
            .message("must be the 6 digits sent by SMS.")
            .required()
            .example(Ex::Str("482913")),
        Field::text("username")
            .nullable()
            .max(64)
            .example(Ex::Str("rahim.pppoe")),
    ],
    example: None,
};

contract_type!(OtpVerify, OTP_VERIFY);

impl FromJsonObject for OtpVerify {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&OTP_VERIFY, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            phone: f.take("phone").text_or_empty(),
            code: f.take("code").text_or_empty(),
            username: f.take("username").text(),
        }
    }
}

/// A new portal password.
#[derive(Debug)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

pub static PASSWORD_CHANGE: Contract = Contract {
    name: "CustomerPasswordChange",
    description: Some(
        "The current password and a new portal password (8 to 128 characters). The \
         router login's password does not change.",
    ),
    kind: ContractKind::Create,
    fields: &[
        Field::secret("current_password")
            .required()
            .max(128)
            .example(Ex::Str("s3cret-pass")),
        Field::secret_line("new_password")
            .required()
            .range(8, 128)
            .example(Ex::Str("a longer passphrase")),
    ],
    example: None,
};

contract_type!(PasswordChange, PASSWORD_CHANGE);

impl FromJsonObject for PasswordChange {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&PASSWORD_CHANGE, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            current_password: f.take("current_password").text_or_empty(),
            new_password: f.take("new_password").text_or_empty(),
        }
    }
}

/// A complaint the customer files.
#[derive(Debug)]
pub struct MyComplaint {
    pub subject: String,
    pub body: Option<String>,
}

pub static MY_COMPLAINT: Contract = Contract {
    name: "CustomerComplaint",
    description: Some("A complaint about the customer's own connection."),
    kind: ContractKind::Create,
    fields: &[
        Field::text("subject")
            .required()
            .max(200)
            .example(Ex::Str("No internet since morning")),
        Field::multi_line("body")
            .max(5000)
            .nullable()
            .example(Ex::Str("The router's light is red.")),
    ],
    example: None,
};

contract_type!(MyComplaint, MY_COMPLAINT);

impl FromJsonObject for MyComplaint {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&MY_COMPLAINT, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            subject: f.take("subject").text_or_empty(),
            body: f.take("body").text(),
        }
    }
}

/// An online payment to start.
#[derive(Debug)]
pub struct StartPayment {
    pub gateway: String,
    pub bill_id: Option<i64>,
    pub amount: Option<crate::domain::money::Money>,
    /// Manual send-money: how, from which number, and the transaction id.
    pub method: Option<String>,
    pub sender: Option<String>,
    pub trx_id: Option<String>,
}

pub static START_PAYMENT: Contract = Contract {
    name: "CustomerPaymentStart",
    description: Some(
        "The gateway, and what to pay: a bill (its open amount unless `amount` is \
         given), an amount, or neither (everything due). `manual`: the customer sent \
         the money themself (bKash, Nagad or Rocket send-money to the ISP's number) \
         and gives `method`, `sender` and `trx_id`; it counts once staff approve it.",
    ),
    kind: ContractKind::Create,
    fields: &[
        Field::choice("gateway", &["bkash", "sslcommerz", "manual"])
            .required()
            .message("must be bkash, sslcommerz or manual.")
            .example(Ex::Str("bkash")),
        Field::reference("bill_id").nullable().example(Ex::Int(41)),
        Field::positive_money("amount")
            .nullable()
            .example(Ex::Num("500")),
        Field::choice("method", &["bkash", "nagad", "rocket"])
            .nullable()
            .message("must be bkash, nagad or rocket.")
            .describe("Manual payments: the service the money was sent with.")
            .example(Ex::Str("nagad")),
        Field::text("sender")
            .nullable()
            .max(32)
            .describe("Manual payments: the number the money was sent from.")
            .example(Ex::Str("01812345678")),
        Field::text("trx_id")
            .nullable()
            .min(4)
            .max(40)
            .describe("Manual payments: the transaction id the service's SMS gave.")
            .example(Ex::Str("8N7A6D5C4B")),
    ],
    example: None,
};

contract_type!(StartPayment, START_PAYMENT);

impl FromJsonObject for StartPayment {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&START_PAYMENT, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            gateway: f.take("gateway").text_or_empty(),
            bill_id: f.take("bill_id").int(),
            amount: f.take("amount").money(),
            method: f.take("method").text(),
            sender: f.take("sender").text(),
            trx_id: f.take("trx_id").text(),
        }
    }
}

/// A payment link's code (from `/portal/l/<code>`).
#[derive(Debug)]
pub struct OpenLink {
    pub code: String,
}

pub static OPEN_LINK: Contract = Contract {
    name: "CustomerPaymentLinkOpen",
    description: Some("The code of a payment link (`/portal/l/<code>`)."),
    kind: ContractKind::Create,
    fields: &[Field::with(
        "code",
        Text::line().pattern("^[0-9]{1,19}-[0-9]{1,19}-[0-9]{8}-[0-9a-f]{20}$"),
    )
    .message("is not a payment link's code.")
    .required()
    .example(Ex::Str("12-345-20261231-0a1b2c3d4e5f60718293"))],
    example: None,
};

contract_type!(OpenLink, OPEN_LINK);

impl FromJsonObject for OpenLink {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&OPEN_LINK, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            code: f.take("code").text_or_empty(),
        }
    }
}

/// A payment link staff made.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct PaymentLinkMade {
    /// Send this to the customer (SMS, WhatsApp): it pays without a login.
    pub url: String,
    pub code: String,
    pub customer_id: i64,
    #[oai(nullable)]
    pub bill_id: Option<i64>,
    /// The last day it can be used (the ISP's local date).
    pub valid_until: String,
}

crate::one!(PaymentLinkOne, PaymentLinkMade);
crate::created!(
    /// The link.
    PaymentLinkCreated,
    poem_openapi::payload::Json<PaymentLinkOne>
);

/// Why staff refuse a manual payment.
#[derive(Debug)]
pub struct RejectPayment {
    pub reason: String,
}

pub static REJECT_PAYMENT: Contract = Contract {
    name: "PaymentVerificationReject",
    description: Some("Why the claimed payment is refused (the customer sees it)."),
    kind: ContractKind::Create,
    fields: &[Field::text("reason")
        .required()
        .max(500)
        .example(Ex::Str("No such transaction in the merchant statement"))],
    example: None,
};

contract_type!(RejectPayment, REJECT_PAYMENT);

impl FromJsonObject for RejectPayment {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&REJECT_PAYMENT, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            reason: f.take("reason").text_or_empty(),
        }
    }
}

// ---- The answers ----

use poem_openapi::Object;

use super::money::Amount;
use crate::store::online_payments::OnlinePaymentRow;

/// A customer's access token (send it as `Authorization: Bearer c_...`).
#[derive(Debug, Clone, Object)]
pub struct CustomerTokenResponse {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until it expires (3600; 1800 for a payment-only token).
    pub expires_in: i64,
    pub customer_id: i64,
    /// `full` (a login) or `pay` (what is due, and paying it).
    pub scope: String,
}

/// A code was sent if the number is a customer's (the answer is the same
/// either way).
#[derive(Debug, Clone, Object)]
pub struct OtpSentResponse {
    /// Always `sent`.
    pub status: String,
    /// Seconds the code is valid for (300).
    pub expires_in: i64,
}

/// The customer's package.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct MyPackage {
    pub id: i64,
    pub name: String,
    pub price: Amount,
    pub currency: String,
    pub speed_down_kbps: i64,
    pub speed_up_kbps: i64,
    /// `monthly` or `prepaid`.
    pub billing_cycle: String,
    pub validity_days: i64,
}

/// What the customer sees of themself.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub phone: String,
    #[oai(nullable)]
    pub email: Option<String>,
    #[oai(nullable)]
    pub address: Option<String>,
    /// The PPPoE / hotspot login name.
    #[oai(nullable)]
    pub username: Option<String>,
    pub connection_type: String,
    /// active, suspended, inactive or expired.
    pub status: String,
    #[oai(nullable)]
    pub package: Option<MyPackage>,
    /// When a prepaid package runs out.
    #[oai(nullable)]
    pub expires_at: Option<String>,
    /// Credit held (major units).
    pub balance: Amount,
    /// What the open bills still ask.
    pub due: Amount,
    pub open_bills: i64,
    #[oai(nullable)]
    pub router: Option<String>,
    #[oai(nullable)]
    pub static_ip: Option<String>,
    /// Whether the customer has set a portal password of their own.
    pub has_portal_password: bool,
}

crate::one!(MeOne, Me);

/// An online payment.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct OnlinePayment {
    pub id: i64,
    /// Ours: the gateway shows it as the invoice / transaction number.
    pub reference: String,
    pub customer_id: i64,
    #[oai(nullable)]
    pub bill_id: Option<i64>,
    /// `bkash`, `sslcommerz` or `manual`.
    pub gateway: String,
    pub amount: Amount,
    pub currency: String,
    /// `pending`, `paid`, `failed`, `cancelled`, `expired` or `rejected`.
    pub state: String,
    /// Where it was started: `portal`, `suspended_page`, `payment_link`, `customer_api`.
    pub origin: String,
    /// The gateway's transaction id (for a manual payment: `<method>:<trx_id>`
    /// as the customer gave it).
    #[oai(nullable)]
    pub gateway_trx_id: Option<String>,
    /// Manual payments: the service and the number it was sent from.
    #[oai(nullable)]
    pub manual_method: Option<String>,
    #[oai(nullable)]
    pub manual_sender: Option<String>,
    /// The booked payment, once paid.
    #[oai(nullable)]
    pub payment_id: Option<i64>,
    /// What the gateway said last.
    #[oai(nullable)]
    pub detail: Option<String>,
    /// How much of it was refunded (or is being refunded).
    pub refunded: Amount,
    pub created_at: String,
    pub updated_at: String,
    /// When a pending payment expires.
    pub expires_at: String,
}

impl From<OnlinePaymentRow> for OnlinePayment {
    fn from(o: OnlinePaymentRow) -> Self {
        Self {
            id: o.id,
            reference: o.reference,
            customer_id: o.customer_id,
            bill_id: o.bill_id,
            gateway: o.gateway,
            amount: Amount(o.amount),
            currency: o.currency,
            state: o.state,
            origin: o.origin,
            gateway_trx_id: o.gateway_trx_id,
            manual_method: o.manual_method,
            manual_sender: o.manual_sender,
            payment_id: o.payment_id,
            detail: o.detail,
            refunded: Amount(o.refunded),
            created_at: o.created_at,
            updated_at: o.updated_at,
            expires_at: o.expires_at,
        }
    }
}

crate::one!(OnlinePaymentOne, OnlinePayment);
crate::paginated!(OnlinePaymentList, OnlinePayment);

/// A started payment: send the customer to `redirect_url`.
#[derive(Debug, Clone, Object)]
pub struct PaymentStarted {
    pub payment: OnlinePayment,
    /// The gateway's page.
    pub redirect_url: String,
}

/// Which gateways customers can pay with.
#[derive(Debug, Clone, Object)]
pub struct Gateways {
    pub gateways: Vec<String>,
    pub currency: String,
    /// Manual send-money: where to send it (`gateway` "manual" with the
    /// transaction id afterwards).
    pub send_money: Vec<SendMoneyNumber>,
}

/// One of the ISP's numbers for manual send-money.
#[derive(Debug, Clone, Object)]
pub struct SendMoneyNumber {
    /// `bkash`, `nagad` or `rocket`.
    pub method: String,
    pub number: String,
}

/// What the suspension page shows of the customer it recognised.
#[derive(Debug, Clone, Object)]
pub struct RecognisedResponse {
    /// How the customer was known: by address (`radius_session`,
    /// `router_active`, `static_ip`) or by a `payment_link`.
    pub known_by: String,
    pub first_name: String,
    pub status: String,
    /// Why the billing run suspended the line, while it stands.
    #[oai(nullable)]
    pub reason: Option<String>,
    pub due: Amount,
    pub open_bills: Vec<super::bills::Bill>,
    /// The bill a payment link was sent for.
    #[oai(nullable)]
    pub bill_id: Option<i64>,
    /// A payment-only token (`scope: pay`).
    pub token: CustomerTokenResponse,
}

/// An invoice as printed: the ISP, the customer, its bills and payments.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct PrintableInvoice {
    pub isp_name: String,
    pub customer_name: String,
    #[oai(nullable)]
    pub customer_address: Option<String>,
    pub customer_phone: String,
    #[oai(nullable)]
    pub username: Option<String>,
    pub invoice: super::bills::Invoice,
    pub bills: Vec<super::bills::Bill>,
    pub payments: Vec<super::payments::Payment>,
}

crate::one!(PrintableInvoiceOne, PrintableInvoice);
