//! Amounts in the API: JSON numbers in major units (`1500`, `250.5`), at most two
//! decimals, never negative.

use poem_openapi::{
    registry::MetaSchema,
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON},
};
use serde_json::Value;

use crate::domain::money::Money;

/// An amount as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Money);

crate::inline_type!(
    Amount,
    "amount",
    MetaSchema {
        minimum: Some(0.0),
        multiple_of: Some(0.01),
        description: Some("Major units (1500, 250.5), at most 2 decimals."),
        ..MetaSchema::new_with_format("number", "double")
    }
);

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.to_json().serialize(serializer)
    }
}

impl ParseFromJSON for Amount {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        let value = value.unwrap_or_default();
        Money::from_json(&value)
            .map(Amount)
            .map_err(|e| ParseError::custom(e.message()))
    }
}

impl ToJSON for Amount {
    fn to_json(&self) -> Option<Value> {
        Some(self.0.to_json())
    }
}
