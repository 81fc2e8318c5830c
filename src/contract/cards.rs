//! Recharge cards' request contracts: a batch to generate, a batch to issue,
//! a card to redeem, and the list's status filter.

use poem_openapi::{Enum, Object};

use crate::contract::body::{Fields, FromJsonObject};
use crate::contract::text::SingleLine;
use crate::{cards::MAX_BATCH, domain::money::Money, schema_as};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum CardStatus {
    Unused,
    Used,
    Void,
}

impl CardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CardStatus::Unused => "unused",
            CardStatus::Used => "used",
            CardStatus::Void => "void",
        }
    }
}

/// A batch to generate.
#[derive(Debug, Object)]
pub struct BatchInput {
    #[oai(validator(minimum(value = "1"), maximum(value = "5000")))]
    pub count: i64,
    /// Each card's value in major units.
    #[oai(validator(minimum(value = "0.01"), multiple_of = "0.01"))]
    pub value: f64,
    /// A name for the batch (letters, digits, `-`); default from the date.
    #[oai(nullable, validator(pattern = "^[A-Za-z0-9-]{1,32}$"))]
    pub batch: Option<String>,
    /// Issue the batch to this operator (a distributor): its staff can then see
    /// and redeem these cards for its own customers. Null: the ISP keeps it.
    #[oai(nullable, validator(minimum(value = "1")))]
    pub operator_id: Option<i64>,
}

/// A validated batch.
pub struct NewBatch {
    pub count: usize,
    pub value: Money,
    pub batch: Option<String>,
    pub operator_id: Option<i64>,
}
schema_as!(NewBatch, BatchInput);

impl FromJsonObject for NewBatch {
    fn from_fields(f: &mut Fields) -> Self {
        let count = f.required_integer_in("count", 1, MAX_BATCH as i64);
        let value = f.required_money("value");
        if !f.has_error("value") && value.minor() == 0 {
            f.error("value", "The value must be greater than 0.");
        }
        let batch = f.optional_nonblank("batch");
        if batch.as_ref().is_some_and(|b| {
            b.len() > 32 || !b.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }) {
            f.error(
                "batch",
                "The batch may contain letters, digits and - (32 at most).",
            );
        }
        let operator_id = f.optional_reference("operator_id");
        Self {
            count: usize::try_from(count).unwrap_or(1),
            value,
            batch,
            operator_id,
        }
    }
}

/// Who holds a batch.
#[derive(Debug, Object)]
pub struct BatchAssignInput {
    /// The operator to issue the batch's unused cards to; null gives them back
    /// to the ISP.
    #[oai(validator(minimum(value = "1")))]
    pub operator_id: Option<i64>,
}

/// A validated batch assignment.
pub struct BatchAssign {
    pub operator_id: Option<i64>,
}
schema_as!(BatchAssign, BatchAssignInput);

impl FromJsonObject for BatchAssign {
    fn from_fields(f: &mut Fields) -> Self {
        if !f.present("operator_id") {
            f.error("operator_id", "The operator id field is required.");
        }
        Self {
            operator_id: f.optional_reference("operator_id"),
        }
    }
}

/// A card to redeem for a customer.
#[derive(Debug, Object)]
pub struct RedeemInput {
    #[oai(validator(minimum(value = "1")))]
    pub customer_id: i64,
    #[oai(validator(min_length = 1, max_length = 32))]
    pub pin: SingleLine,
}

/// A validated redemption.
pub struct Redeem {
    pub customer_id: i64,
    pub pin: String,
}
schema_as!(Redeem, RedeemInput);

impl FromJsonObject for Redeem {
    fn from_fields(f: &mut Fields) -> Self {
        let customer_id = f.required_integer("customer_id");
        let pin = f.required_string("pin");
        Self { customer_id, pin }
    }
}
