//! Request bodies of the operators (resellers): create, update, fund, and the
//! status filter of the list. One field table per body drives its reader and
//! its schema.
//!
//! At the end, the answers: an operator and its wrappers.

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        common::AMOUNT,
        field::{
            normalisers::{EMAIL, PHONE},
            Contract, ContractKind, Ex, Field, Mode, Text,
        },
    },
    contract_type,
    domain::money::Money,
    store::operators::OperatorFields,
    wire_enum,
};

/// An operator's fields, for the create and the update contract.
const OPERATOR_FIELDS: [Field; 3] = [
    Field::text("name")
        .required()
        .max(255)
        .example(Ex::Str("Badda Broadband")),
    Field::with("email", Text::line().chars(3, 254).normalised(EMAIL))
        .nullable()
        .example(Ex::Str("sales@badda-broadband.example")),
    Field::with("phone", Text::line().normalised(PHONE))
        .nullable()
        .example(Ex::Str("01712-345678")),
];

/// `POST /api/v1/operators`.
pub static OPERATOR_CREATE: Contract = Contract {
    name: "OperatorCreateInput",
    description: Some("The create body: as [`OperatorInput`] with `name` required."),
    kind: ContractKind::Create,
    fields: &OPERATOR_FIELDS,
    example: None,
};

/// `PUT /api/v1/operators/{id}`: only the fields sent change; the name cannot
/// be cleared (null leaves it as it is).
pub static OPERATOR_UPDATE: Contract = Contract {
    name: "OperatorInput",
    description: Some(
        "An operator's fields (name required on create; on update only what is sent changes).",
    ),
    kind: ContractKind::Patch,
    fields: &OPERATOR_FIELDS,
    example: None,
};

/// A new operator, read.
pub struct NewOperator(pub OperatorFields);
/// Changes to an operator, read (absent: unchanged).
pub struct OperatorChanges(pub OperatorFields);
contract_type!(NewOperator, OPERATOR_CREATE);
contract_type!(OperatorChanges, OPERATOR_UPDATE);

fn read(f: &mut Fields) -> OperatorFields {
    OperatorFields {
        name: f.take("name").text(),
        email: f.take("email").text(),
        phone: f.take("phone").text(),
    }
}

impl FromJsonObject for NewOperator {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&OPERATOR_CREATE, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self(read(f))
    }
}

impl FromJsonObject for OperatorChanges {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&OPERATOR_UPDATE, Mode::Update));

    fn from_fields(f: &mut Fields) -> Self {
        Self(read(f))
    }
}

// The list's `status` filter.
wire_enum! {
    pub enum OperatorStatus {
        Active = "active",
        Suspended = "suspended",
    }
}

/// `POST /api/v1/operators/{id}/fund`.
pub static FUND: Contract = Contract {
    name: "FundInput",
    description: Some("Funds for an operator."),
    kind: ContractKind::Create,
    fields: &[
        AMOUNT.example(Ex::Num("5000")),
        Field::text("note")
            .nullable()
            .max(500)
            .example(Ex::Str("Cash at the office")),
    ],
    example: None,
};

/// Funds for an operator, read.
pub struct Fund {
    pub amount: Money,
    pub note: Option<String>,
}
contract_type!(Fund, FUND);

impl FromJsonObject for Fund {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&FUND, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            amount: f.take("amount").money().unwrap_or(Money(0)),
            note: f.take("note").text(),
        }
    }
}

// ---- The answers: how an operator is shown (row → JSON) ----

use poem_openapi::Object;

use crate::{contract::money::Amount, one, paginated, store::operators::OperatorRow};

/// A reseller.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Operator {
    pub id: i64,
    pub name: String,
    #[oai(nullable)]
    pub email: Option<String>,
    #[oai(nullable)]
    pub phone: Option<String>,
    /// Funds the operator holds, in major units.
    pub balance: Amount,
    /// active or suspended.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<OperatorRow> for Operator {
    fn from(o: OperatorRow) -> Self {
        Self {
            id: o.id,
            name: o.name,
            email: o.email,
            phone: o.phone,
            balance: Amount(o.balance),
            status: o.status,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

paginated!(OperatorList, Operator);

/// A movement of an operator's funds.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct LedgerEntry {
    pub id: i64,
    /// `fund` (money in), `renewal` (a prepaid customer renewed at the
    /// wholesale price) or `adjustment`.
    pub kind: String,
    /// `in` (adds to the balance) or `out` (takes from it).
    pub direction: String,
    /// How much moved, in major units (the direction says which way).
    pub amount: Amount,
    #[oai(nullable)]
    pub note: Option<String>,
    /// The customer a renewal was for.
    #[oai(nullable)]
    pub customer_id: Option<i64>,
    pub created_at: String,
}

impl From<crate::store::operators::LedgerRow> for LedgerEntry {
    fn from(r: crate::store::operators::LedgerRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            direction: if r.amount.minor() < 0 { "out" } else { "in" }.into(),
            amount: Amount(Money(r.amount.minor().abs())),
            note: r.note,
            customer_id: r.customer_id,
            created_at: r.created_at,
        }
    }
}

paginated!(LedgerList, LedgerEntry);

one!(OperatorOne, Operator);
