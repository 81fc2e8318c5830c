//! Payments' request contract: the body of a payment with its rules.
//!
//! At the end, the answers: a payment, a recorded payment with what it settled,
//! and the list.

use crate::contract::{
    body::{Fields, FromJsonObject},
    common::{AMOUNT, CURRENCY, CUSTOMER_ID},
    field::{Contract, ContractKind, EnumRef, Ex, Field, Mode},
};
use crate::{contract_type, domain::money::Money, store::payments::NewPayment, wire_enum};

wire_enum! {
    pub enum PaymentMethod {
        Cash = "cash",
        Bkash = "bkash",
        Nagad = "nagad",
        Rocket = "rocket",
        Bank = "bank",
        Card = "card",
        RechargeCard = "recharge_card",
    }
}

/// The body of a payment.
pub static PAYMENT_CREATE: Contract = Contract {
    name: "PaymentCreateInput",
    description: Some("The body of a payment."),
    kind: ContractKind::Create,
    fields: &[
        CUSTOMER_ID,
        AMOUNT.example(Ex::Num("1500")),
        CURRENCY,
        Field::enumeration(
            "method",
            PaymentMethod::VALUES,
            EnumRef::of::<PaymentMethod>(),
        )
        .required()
        .example(Ex::Str("bkash")),
        Field::text("transaction_id")
            .range(1, 100)
            .nullable()
            .nonblank()
            .describe(
                "The gateway's id; a second payment with the same method and id is refused (409).",
            )
            .example(Ex::Str("8N7A6B5C4D")),
        Field::reference("bill_id")
            .nullable()
            .describe("Settle this bill first.")
            .example(Ex::Int(1)),
    ],
    example: None,
};

pub struct CreatePayment(pub NewPayment);
contract_type!(CreatePayment, PAYMENT_CREATE);

impl FromJsonObject for CreatePayment {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&PAYMENT_CREATE, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self(NewPayment {
            customer_id: f.take("customer_id").int().unwrap_or_default(),
            bill_id: f.take("bill_id").int(),
            amount: f.take("amount").money().unwrap_or(Money::ZERO),
            currency: f.take("currency").text().unwrap_or_else(|| "BDT".into()),
            method: f.take("method").text_or_empty(),
            transaction_id: f.take("transaction_id").text(),
        })
    }
}

// ---- The answers: how a payment is shown (row → JSON) ----

use poem_openapi::Object;

use crate::{
    contract::money::Amount,
    paginated,
    store::payments::{PaymentRow, Recorded},
};

/// A payment.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Payment {
    pub id: i64,
    pub customer_id: i64,
    #[oai(nullable)]
    pub bill_id: Option<i64>,
    pub amount: Amount,
    pub currency: String,
    /// cash, bkash, nagad, rocket, bank, card or recharge_card.
    pub method: String,
    #[oai(nullable)]
    pub transaction_id: Option<String>,
    pub received_at: String,
}

impl From<PaymentRow> for Payment {
    fn from(p: PaymentRow) -> Self {
        Self {
            id: p.id,
            customer_id: p.customer_id,
            bill_id: p.bill_id,
            amount: Amount(p.amount),
            currency: p.currency,
            method: p.method,
            transaction_id: p.transaction_id,
            received_at: p.received_at,
        }
    }
}

/// How much of a bill a payment settled.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct AllocationView {
    pub bill_id: i64,
    pub amount: Amount,
}

/// A recorded payment: the payment, the bills it settled (oldest first), and
/// what was left over as the customer's credit.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct PaymentRecorded {
    pub data: Payment,
    pub allocations: Vec<AllocationView>,
    pub credit: Amount,
}

impl From<Recorded> for PaymentRecorded {
    fn from(r: Recorded) -> Self {
        Self {
            data: r.payment.into(),
            allocations: r
                .allocations
                .into_iter()
                .map(|a| AllocationView {
                    bill_id: a.bill_id,
                    amount: Amount(a.amount),
                })
                .collect(),
            credit: Amount(r.credit),
        }
    }
}
paginated!(PaymentList, Payment);
