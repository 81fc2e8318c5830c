//! Request bodies of the operators (resellers): create, update, fund, and the
//! status filter of the list.

use poem_openapi::{Enum, Object};

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        text::SingleLine,
    },
    domain::{customer::normalise_phone, money::Money, staff::normalise_email},
    schema_as,
    store::operators::OperatorFields,
};

/// An operator's fields (name required on create; on update only what is sent changes).
#[derive(Debug, Object)]
pub struct OperatorInput {
    #[oai(nullable, validator(min_length = 1, max_length = 255))]
    pub name: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 3, max_length = 254))]
    pub email: Option<SingleLine>,
    #[oai(
        nullable,
        validator(pattern = r"^(\+?880|0)1[3-9][0-9]{8}$|^\+[1-9][0-9]{7,14}$")
    )]
    pub phone: Option<String>,
}

/// The create body: as [`OperatorInput`] with `name` required.
#[derive(Debug, Object)]
pub struct OperatorCreateInput {
    #[oai(validator(min_length = 1, max_length = 255))]
    pub name: SingleLine,
    #[oai(nullable, validator(min_length = 3, max_length = 254))]
    pub email: Option<SingleLine>,
    #[oai(
        nullable,
        validator(pattern = r"^(\+?880|0)1[3-9][0-9]{8}$|^\+[1-9][0-9]{7,14}$")
    )]
    pub phone: Option<String>,
}

/// A new operator, read.
pub struct NewOperator(pub OperatorFields);
/// Changes to an operator, read (absent: unchanged).
pub struct OperatorChanges(pub OperatorFields);
schema_as!(NewOperator, OperatorCreateInput);
schema_as!(OperatorChanges, OperatorInput);

fn read(f: &mut Fields, creating: bool) -> OperatorFields {
    let name = if creating || f.present("name") {
        let n = f.required_string("name");
        if n.chars().count() > 255 {
            f.error("name", "The name may not be longer than 255 characters.");
        }
        Some(n)
    } else {
        None
    };
    let email = f.optional_nonblank("email").and_then(|e| {
        let n = normalise_email(&e);
        if n.is_none() {
            f.error("email", "The email must be a valid email address.");
        }
        n
    });
    let phone = f.optional_nonblank("phone").and_then(|p| {
        let n = normalise_phone(&p);
        if n.is_none() {
            f.error("phone", "The phone must be a valid mobile number (01XXXXXXXXX or +8801XXXXXXXXX, or E.164).");
        }
        n
    });
    OperatorFields { name, email, phone }
}

impl FromJsonObject for NewOperator {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read(f, true))
    }
}

impl FromJsonObject for OperatorChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read(f, false))
    }
}

// The list's `status` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum OperatorStatus {
    Active,
    Suspended,
}

impl OperatorStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OperatorStatus::Active => "active",
            OperatorStatus::Suspended => "suspended",
        }
    }
}

/// Funds for an operator.
#[derive(Debug, Object)]
pub struct FundInput {
    /// In major units, more than 0, at most 2 decimals.
    #[oai(validator(minimum(value = "0.01"), multiple_of = "0.01"))]
    pub amount: f64,
    #[oai(nullable, validator(max_length = 500))]
    pub note: Option<SingleLine>,
}

/// Funds for an operator, read.
pub struct Fund {
    pub amount: Money,
    pub note: Option<String>,
}
schema_as!(Fund, FundInput);

impl FromJsonObject for Fund {
    fn from_fields(f: &mut Fields) -> Self {
        let amount = f.required_money("amount");
        if !f.has_error("amount") && amount.minor() == 0 {
            f.error("amount", "The amount must be greater than 0.");
        }
        let note = f.optional_string("note");
        if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            f.error("note", "The note may not be longer than 500 characters.");
        }
        Self { amount, note }
    }
}
