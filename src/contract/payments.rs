//! Payments' request contract: the body of a payment with its rules.

use poem_openapi::{Enum, Object};

use crate::contract::body::{Fields, FromJsonObject};
use crate::contract::text::SingleLine;
use crate::{schema_as, store::payments::NewPayment};

pub const METHODS: [&str; 7] = [
    "cash",
    "bkash",
    "nagad",
    "rocket",
    "bank",
    "card",
    "recharge_card",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Bkash,
    Nagad,
    Rocket,
    Bank,
    Card,
    RechargeCard,
}

/// The body of a payment.
#[derive(Debug, Object)]
pub struct PaymentCreateInput {
    #[oai(validator(minimum(value = "1")))]
    pub customer_id: i64,
    /// In major units, more than 0, at most 2 decimals.
    #[oai(validator(minimum(value = "0.01"), multiple_of = "0.01"))]
    pub amount: f64,
    /// ISO 4217 code; default BDT.
    #[oai(nullable, validator(pattern = "^[A-Z]{3}$"))]
    pub currency: Option<String>,
    pub method: PaymentMethod,
    /// The gateway's id; a second payment with the same method and id is refused (409).
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub transaction_id: Option<SingleLine>,
    /// Settle this bill first.
    #[oai(nullable, validator(minimum(value = "1")))]
    pub bill_id: Option<i64>,
}

pub struct CreatePayment(pub NewPayment);
schema_as!(CreatePayment, PaymentCreateInput);

impl FromJsonObject for CreatePayment {
    fn from_fields(f: &mut Fields) -> Self {
        let customer_id = f.required_reference("customer_id");
        let amount = f.required_money("amount");
        if !f.has_error("amount") && amount.minor() == 0 {
            f.error("amount", "The amount must be greater than 0.");
        }
        let currency = match f.optional_nonblank("currency") {
            Some(c) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) => c,
            Some(_) => {
                f.error(
                    "currency",
                    "The currency must be a three-letter code such as BDT.",
                );
                String::new()
            }
            None => "BDT".into(),
        };
        let method = f.required_string("method");
        if !f.has_error("method") && !METHODS.contains(&method.as_str()) {
            f.error(
                "method",
                format!(
                    "The selected method is invalid (one of: {}).",
                    METHODS.join(", ")
                ),
            );
        }
        let transaction_id = f.optional_nonblank("transaction_id");
        if transaction_id
            .as_ref()
            .is_some_and(|t| t.chars().count() > 100)
        {
            f.error(
                "transaction_id",
                "The transaction id may not be longer than 100 characters.",
            );
        }
        let bill_id = f.optional_integer("bill_id");
        if bill_id.is_some_and(|b| b < 1) {
            f.error("bill_id", "The selected bill is invalid.");
        }
        Self(NewPayment {
            customer_id,
            bill_id,
            amount,
            currency,
            method,
            transaction_id,
        })
    }
}
