//! Bills' request contracts: the create and update bodies with their rules,
//! and the list's status filter with the store filter it makes.

use poem_openapi::{Enum, Object};

use crate::contract::text::SingleLine;
use crate::contract::{
    body::{Fields, FromJsonObject},
    filters::DateText,
};
use crate::{
    domain::money::Money,
    schema_as,
    store::bills::{BillChanges, NewBill},
};

/// The body of a bill create (the guide's example).
#[derive(Debug, Object)]
pub struct BillCreateInput {
    #[oai(validator(minimum(value = "1")))]
    pub customer_id: i64,
    /// In major units, more than 0, at most 2 decimals.
    #[oai(validator(minimum(value = "0.01"), multiple_of = "0.01"))]
    pub amount: f64,
    /// ISO 4217 code; default BDT.
    #[oai(nullable, validator(pattern = "^[A-Z]{3}$"))]
    pub currency: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_date: DateText,
    #[oai(nullable, validator(max_length = 500))]
    pub description: Option<SingleLine>,
    #[oai(nullable)]
    pub period_start: Option<DateText>,
    #[oai(nullable)]
    pub period_end: Option<DateText>,
}

/// The body of a bill update: each field optional.
#[derive(Debug, Object)]
pub struct BillUpdateInput {
    #[oai(nullable, validator(minimum(value = "0.01"), multiple_of = "0.01"))]
    pub amount: Option<f64>,
    #[oai(nullable)]
    pub due_date: Option<DateText>,
    #[oai(nullable, validator(max_length = 500))]
    pub description: Option<SingleLine>,
    /// Only `cancelled` can be set by hand; payments set the rest.
    #[oai(nullable)]
    pub status: Option<BillStatusInput>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum BillStatusInput {
    Cancelled,
}

pub struct CreateBill(pub NewBill);
pub struct UpdateBill(pub BillChanges);
schema_as!(CreateBill, BillCreateInput);
schema_as!(UpdateBill, BillUpdateInput);

/// A calendar date `YYYY-MM-DD`, checked.
fn read_date(f: &mut Fields, name: &str, required: bool) -> Option<String> {
    let value = if required {
        Some(f.required_string(name))
    } else {
        f.optional_nonblank(name)
    }?;
    if f.has_error(name) {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(&value, &format) {
        Ok(d) => Some(d.to_string()),
        Err(_) => {
            f.error(
                name,
                format!(
                    "The {} must be a date (YYYY-MM-DD).",
                    name.replace('_', " ")
                ),
            );
            None
        }
    }
}

fn read_amount(f: &mut Fields) -> Money {
    let amount = f.required_money("amount");
    if !f.has_error("amount") && amount == Money::ZERO {
        f.error("amount", "The amount must be greater than 0.");
    }
    amount
}

fn read_description(f: &mut Fields) -> Option<Option<String>> {
    let d = f.nullable_string("description")?;
    if d.as_ref().is_some_and(|d| d.chars().count() > 500) {
        f.error(
            "description",
            "The description may not be longer than 500 characters.",
        );
    }
    Some(d)
}

impl FromJsonObject for CreateBill {
    fn from_fields(f: &mut Fields) -> Self {
        let customer_id = f.required_reference("customer_id");
        let amount = read_amount(f);
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
        let due_date = read_date(f, "due_date", true).unwrap_or_default();
        let period_start = read_date(f, "period_start", false);
        let period_end = read_date(f, "period_end", false);
        if let (Some(s), Some(e)) = (&period_start, &period_end) {
            if s > e {
                f.error(
                    "period_end",
                    "The period end must not be before the period start.",
                );
            }
        }
        Self(NewBill {
            customer_id,
            amount,
            currency,
            due_date,
            description: read_description(f).flatten(),
            period_start,
            period_end,
        })
    }
}

impl FromJsonObject for UpdateBill {
    fn from_fields(f: &mut Fields) -> Self {
        let amount = f.present("amount").then(|| read_amount(f));
        let due_date = read_date(f, "due_date", false);
        let cancel = match f.optional_nonblank("status").as_deref() {
            None => false,
            Some("cancelled") => true,
            Some(_) => {
                f.error(
                    "status",
                    "Only cancelled can be set; payments set the other statuses.",
                );
                false
            }
        };
        Self(BillChanges {
            amount,
            due_date,
            description: read_description(f),
            cancel,
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

/// Status filter of bill lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum BillStatusFilter {
    Unpaid,
    Partial,
    Paid,
    Cancelled,
}

impl BillStatusFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            BillStatusFilter::Unpaid => "unpaid",
            BillStatusFilter::Partial => "partial",
            BillStatusFilter::Paid => "paid",
            BillStatusFilter::Cancelled => "cancelled",
        }
    }
}
