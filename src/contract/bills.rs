//! Bills' request contracts: the create and update bodies with their rules,
//! and the list's status filter with the store filter it makes.
//!
//! At the end, the answers: a bill, an invoice, and their wrappers.

use crate::contract::{
    body::{Fields, FromJsonObject},
    common::{AMOUNT, CURRENCY, CUSTOMER_ID},
    field::{Contract, ContractKind, EnumRef, Ex, Field, Mode},
};
use crate::{
    contract_type,
    domain::money::Money,
    store::bills::{BillChanges, NewBill},
    wire_enum,
};

/// What the bill is for (create and update).
const DESCRIPTION: Field = Field::text("description").max(500).nullable();

/// A date that may be left out (null) but not blank.
const fn optional_date(name: &'static str) -> Field {
    Field::date(name).nullable().nonblank()
}

/// The body of a bill create.
pub static BILL_CREATE: Contract = Contract {
    name: "BillCreateInput",
    description: Some("The body of a bill create (the guide's example)."),
    kind: ContractKind::Create,
    fields: &[
        CUSTOMER_ID,
        AMOUNT.example(Ex::Num("1500.50")),
        CURRENCY,
        Field::date("due_date")
            .required()
            .describe("`YYYY-MM-DD`.")
            .example(Ex::Str("2026-05-10")),
        DESCRIPTION.example(Ex::Str("Internet, May 2026")),
        optional_date("period_start").example(Ex::Str("2026-05-01")),
        optional_date("period_end").example(Ex::Str("2026-05-31")),
    ],
    example: None,
};

/// The body of a bill update.
pub static BILL_UPDATE: Contract = Contract {
    name: "BillUpdateInput",
    description: Some("The body of a bill update: each field optional."),
    kind: ContractKind::Patch,
    fields: &[
        Field::positive_money("amount")
            .nullable()
            .example(Ex::Num("1200")),
        optional_date("due_date").example(Ex::Str("2026-05-15")),
        DESCRIPTION.example(Ex::Str("Internet, May 2026 (corrected)")),
        Field::enumeration(
            "status",
            BillStatusInput::VALUES,
            EnumRef::of::<BillStatusInput>(),
        )
        .nullable()
        .nonblank()
        .describe("Only `cancelled` can be set by hand; payments set the rest.")
        .example(Ex::Str("cancelled")),
    ],
    example: None,
};

wire_enum! {
    pub enum BillStatusInput {
        Cancelled = "cancelled",
    }
}

pub struct CreateBill(pub NewBill);
pub struct UpdateBill(pub BillChanges);
contract_type!(CreateBill, BILL_CREATE);
contract_type!(UpdateBill, BILL_UPDATE);

impl FromJsonObject for CreateBill {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&BILL_CREATE, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        let period_start = f.take("period_start").text();
        let period_end = f.take("period_end").text();
        if let (Some(s), Some(e)) = (&period_start, &period_end) {
            if s > e {
                f.error(
                    "period_end",
                    "The period end must not be before the period start.",
                );
            }
        }
        Self(NewBill {
            customer_id: f.take("customer_id").int().unwrap_or_default(),
            amount: f.take("amount").money().unwrap_or(Money::ZERO),
            currency: f.take("currency").text().unwrap_or_else(|| "BDT".into()),
            due_date: f.take("due_date").text_or_empty(),
            description: f.take("description").text(),
            period_start,
            period_end,
        })
    }
}

impl FromJsonObject for UpdateBill {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&BILL_UPDATE, Mode::Update));

    fn from_fields(f: &mut Fields) -> Self {
        Self(BillChanges {
            amount: f.take("amount").money(),
            due_date: f.take("due_date").text(),
            description: f.take("description").patch_text(),
            cancel: f.take("status").text().is_some(),
        })
    }
}

/// The store filter of a bill list's query parameters (v1 and v2 alike).
pub fn bill_filter(
    customer_id: Option<i64>,
    status: Option<BillStatusFilter>,
    from: Option<crate::contract::filters::TimeBound>,
    to: Option<crate::contract::filters::TimeBound>,
) -> crate::store::bills::BillFilter {
    crate::store::bills::BillFilter {
        customer_id,
        status: status.map(|s| s.as_str().to_string()),
        created_from: from.map(crate::contract::filters::TimeBound::start),
        created_to: to.map(crate::contract::filters::TimeBound::end),
    }
}

wire_enum! {
    /// Status filter of bill lists.
    pub enum BillStatusFilter {
        Unpaid = "unpaid",
        Partial = "partial",
        Paid = "paid",
        Cancelled = "cancelled",
    }
}

// ---- The answers: how a bill and an invoice are shown (row → JSON) ----

use poem_openapi::Object;

use crate::{
    contract::money::Amount,
    one, paginated,
    store::{bills::BillRow, invoices},
};

/// A bill.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Bill {
    pub id: i64,
    pub customer_id: i64,
    /// In major units.
    pub amount: Amount,
    /// What payments have settled so far.
    pub paid_amount: Amount,
    pub currency: String,
    /// unpaid, partial, paid or cancelled.
    pub status: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    #[oai(nullable)]
    pub description: Option<String>,
    #[oai(nullable)]
    pub period_start: Option<String>,
    #[oai(nullable)]
    pub period_end: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<BillRow> for Bill {
    fn from(b: BillRow) -> Self {
        Self {
            id: b.id,
            customer_id: b.customer_id,
            amount: Amount(b.amount),
            paid_amount: Amount(b.paid),
            currency: b.currency,
            status: b.status,
            due_date: b.due_date,
            description: b.description,
            period_start: b.period_start,
            period_end: b.period_end,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

paginated!(BillList, Bill);

one!(BillOne, Bill);

/// An invoice: a customer's bills of one month and what settled them.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Invoice {
    pub id: i64,
    /// `INV-<year>-<6 digits>`, numbered per year.
    pub number: String,
    pub customer_id: i64,
    /// `YYYY-MM`.
    pub period: String,
    /// Sum of its bills (cancelled ones left out).
    pub total: Amount,
    pub paid: Amount,
    /// What is still owed.
    pub due: Amount,
    /// `open` or `paid`.
    pub status: String,
    pub bill_ids: Vec<i64>,
    pub payment_ids: Vec<i64>,
    pub created_at: String,
}

impl From<invoices::InvoiceRow> for Invoice {
    fn from(i: invoices::InvoiceRow) -> Self {
        let due = Money((i.total.minor() - i.paid.minor()).max(0));
        Self {
            id: i.id,
            number: i.number,
            customer_id: i.customer_id,
            period: i.period,
            total: Amount(i.total),
            paid: Amount(i.paid),
            due: Amount(due),
            status: if due == Money::ZERO { "paid" } else { "open" }.into(),
            bill_ids: i.bill_ids,
            payment_ids: i.payment_ids,
            created_at: i.created_at,
        }
    }
}

paginated!(InvoiceList, Invoice);
