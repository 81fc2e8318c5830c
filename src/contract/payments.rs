//! Payments' request contract: the body of a payment with its rules.

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
