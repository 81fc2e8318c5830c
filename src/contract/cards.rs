//! Recharge cards' request contracts: a batch to generate, a batch to issue,
//! a card to redeem, and the list's status filter.
//!
//! At the end, the answers: a listed card, a generated batch with its PINs, an
//! issued batch.

use crate::contract::{
    body::{Fields, FromJsonObject},
    common::CUSTOMER_ID,
    field::{Contract, ContractKind, Ex, Field, Mode, Text},
};
use crate::{cards::MAX_BATCH, contract_type, domain::money::Money, wire_enum};

wire_enum! {
    pub enum CardStatus {
        Unused = "unused",
        Used = "used",
        Void = "void",
    }
}

/// A batch to generate.
pub static BATCH: Contract = Contract {
    name: "BatchInput",
    description: Some("A batch to generate."),
    kind: ContractKind::Create,
    fields: &[
        Field::integer("count")
            .required()
            .range(1, MAX_BATCH as i64)
            .example(Ex::Int(100)),
        Field::positive_money("value")
            .required()
            .describe("Each card's value in major units.")
            .example(Ex::Num("500")),
        Field::with("batch", Text::line().pattern("^[A-Za-z0-9-]{1,32}$"))
            .nullable()
            .nonblank()
            .message("may contain letters, digits and - (32 at most).")
            .describe("A name for the batch (letters, digits, `-`); default from the date.")
            .example(Ex::Str("MAY-2026")),
        Field::reference("operator_id")
            .nullable()
            .describe("Issue the batch to this operator (a distributor): its staff can then see\nand redeem these cards for its own customers. Null: the ISP keeps it.")
            .example(Ex::Int(1)),
        Field::reference("package_id")
            .nullable()
            .describe("Make the cards hotspot vouchers of this package too: each logs in\n(username = serial, password = PIN, PAP) through the built-in RADIUS server,\nand its first login starts the package's validity.")
            .example(Ex::Int(1)),
    ],
    example: None,
};

/// A validated batch.
pub struct NewBatch {
    pub count: usize,
    pub value: Money,
    pub batch: Option<String>,
    pub operator_id: Option<i64>,
    pub package_id: Option<i64>,
}
contract_type!(NewBatch, BATCH);

impl FromJsonObject for NewBatch {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&BATCH, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        let count = f.take("count").int().unwrap_or(1);
        Self {
            count: usize::try_from(count).unwrap_or(1),
            value: f.take("value").money().unwrap_or(Money::ZERO),
            batch: f.take("batch").text(),
            operator_id: f.take("operator_id").int(),
            package_id: f.take("package_id").int(),
        }
    }
}

/// Who holds a batch.
pub static BATCH_ASSIGN: Contract = Contract {
    name: "BatchAssignInput",
    description: Some("Who holds a batch."),
    kind: ContractKind::Patch,
    fields: &[Field::reference("operator_id")
        .nullable()
        .describe(
            "The operator to issue the batch's unused cards to; null gives them back\nto the ISP.",
        )
        .example(Ex::Int(1))],
    example: None,
};

/// A validated batch assignment.
pub struct BatchAssign {
    pub operator_id: Option<i64>,
}
contract_type!(BatchAssign, BATCH_ASSIGN);

impl FromJsonObject for BatchAssign {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&BATCH_ASSIGN, Mode::Update));

    fn from_fields(f: &mut Fields) -> Self {
        // The key must be there: an id, or null for the ISP (a patch schema
        // lists no required keys, so the schema cannot say it).
        if f.raw("operator_id").is_none() {
            f.error("operator_id", "The operator id field is required.");
        }
        Self {
            operator_id: f.take("operator_id").patch_int().flatten(),
        }
    }
}

/// A card to redeem for a customer.
pub static REDEEM: Contract = Contract {
    name: "RedeemInput",
    description: Some("A card to redeem for a customer."),
    kind: ContractKind::Create,
    fields: &[
        CUSTOMER_ID,
        Field::text("pin")
            .required()
            .range(1, 32)
            .example(Ex::Str("4821 9930 1174 6502")),
    ],
    example: None,
};

/// A validated redemption.
pub struct Redeem {
    pub customer_id: i64,
    pub pin: String,
}
contract_type!(Redeem, REDEEM);

impl FromJsonObject for Redeem {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&REDEEM, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self {
            customer_id: f.take("customer_id").int().unwrap_or_default(),
            pin: f.take("pin").text_or_empty(),
        }
    }
}

// ---- The answers: how a card and a generated or issued batch are shown (row → JSON) ----

use poem_openapi::Object;

use crate::{contract::money::Amount, one, paginated, store::recharge_cards::CardRow};

/// A card as listed (never with its PIN).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct RechargeCard {
    pub id: i64,
    pub serial: String,
    pub value: Amount,
    pub currency: String,
    pub batch: String,
    /// The operator (distributor) the card was issued to; null: the ISP's own.
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// unused, used or void.
    pub status: String,
    #[oai(nullable)]
    pub used_by: Option<i64>,
    #[oai(nullable)]
    pub used_at: Option<String>,
    pub created_at: String,
    /// A hotspot voucher of this package (null: a plain recharge card).
    #[oai(nullable)]
    pub package_id: Option<i64>,
    /// A voucher's state: unused, active (logged in once; its time runs),
    /// expired, or used/void (went as a payment, voided). Null for a card.
    #[oai(nullable)]
    pub voucher_state: Option<String>,
    /// When the voucher's first login was.
    #[oai(nullable)]
    pub activated_at: Option<String>,
    /// When the voucher's time ends.
    #[oai(nullable)]
    pub expires_at: Option<String>,
}

impl From<CardRow> for RechargeCard {
    fn from(c: CardRow) -> Self {
        Self {
            id: c.id,
            serial: c.serial,
            value: Amount(c.value),
            currency: c.currency,
            batch: c.batch,
            operator_id: c.operator_id,
            status: c.status,
            used_by: c.used_by,
            used_at: c.used_at,
            created_at: c.created_at,
            package_id: c.package_id,
            voucher_state: c.voucher_state,
            activated_at: c.activated_at,
            expires_at: c.expires_at,
        }
    }
}

paginated!(RechargeCardList, RechargeCard);

/// A generated card with its PIN (shown only in this answer).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct GeneratedCard {
    pub id: i64,
    pub serial: String,
    pub pin: String,
    pub value: Amount,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct GeneratedBatch {
    pub batch: String,
    /// The operator the batch was issued to; null: the ISP's own.
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// The PINs appear here once; only their keyed hashes are stored.
    pub cards: Vec<GeneratedCard>,
}

one!(GeneratedBatchOne, GeneratedBatch);

/// The batch after it was issued.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct BatchAssigned {
    pub batch: String,
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// Unused cards that moved (used and void cards keep their owner).
    pub cards: u64,
}

one!(BatchAssignedOne, BatchAssigned);
