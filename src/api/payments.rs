//! Payments in the API: the response shape and the create body with its rules.

use poem_openapi::{Enum, Object};

use crate::contract::text::SingleLine;
use crate::contract::{
    body::{Fields, FromJsonObject},
    money::Amount,
};
use crate::{
    schema_as,
    store::{
        billing_run,
        payments::{NewPayment, PaymentRow, Recorded},
        prepaid::RenewedBy,
        StoreError,
    },
};

pub const METHODS: [&str; 7] = [
    "cash",
    "bkash",
    "nagad",
    "rocket",
    "bank",
    "card",
    "recharge_card",
];

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

/// What follows every payment in its transaction (prepaid renewal, lifting an
/// auto-suspension), with the clock readings and settings it needs taken from
/// the state before the write.
#[derive(Debug, Clone, Copy)]
pub struct AfterPayment {
    pub now: time::OffsetDateTime,
    today: time::Date,
    grace_days: i64,
    by: RenewedBy,
}

impl AfterPayment {
    pub fn new(state: &crate::state::AppState, by: RenewedBy) -> Self {
        Self {
            now: state.clock.now(),
            today: crate::jobs::billing::local_today(state.clock.as_ref(), &state.config),
            grace_days: i64::from(state.config.billing.grace_days),
            by,
        }
    }

    /// Who renews when a caller pays: a reseller's staff renew for their operator.
    pub fn by_caller(caller: &crate::auth::principal::Principal) -> RenewedBy {
        if caller.role == Some(crate::domain::staff::Role::OperatorStaff) {
            RenewedBy::Operator
        } else {
            RenewedBy::Isp
        }
    }

    pub fn apply(
        &self,
        tx: &rusqlite::Transaction<'_>,
        customer_id: i64,
    ) -> Result<(), StoreError> {
        billing_run::after_payment(
            tx,
            customer_id,
            self.by,
            self.today,
            self.grace_days,
            self.now,
        )
    }
}
