//! The billing run from the API (an addition): what today's run would do
//! (`GET /api/v2/billing/run/preview`) and running it now
//! (`POST /api/v2/billing/run`).

use poem_openapi::Object;

use crate::{
    contract::money::Amount,
    one,
    store::billing_preview::{Listed, PreviewBill, PreviewRenewal, PreviewSuspension, RunPreview},
};

/// A bill the run would make.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct RunBill {
    pub customer_id: i64,
    pub customer_name: String,
    pub package_name: String,
    pub amount: Amount,
    pub currency: String,
}

/// A prepaid customer the run would renew from credit (one period's price shown).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct RunRenewal {
    pub customer_id: i64,
    pub customer_name: String,
    pub package_name: String,
    pub amount: Amount,
}

/// A customer the run would suspend, with the reason it would log.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct RunSuspension {
    pub customer_id: i64,
    pub customer_name: String,
    /// The overdue bill; null for a prepaid period that ended.
    #[oai(nullable)]
    pub bill_id: Option<i64>,
    /// The overdue bill's due date (`YYYY-MM-DD`); null for a prepaid period.
    #[oai(nullable)]
    pub overdue_since: Option<String>,
    pub reason: String,
}

/// An amount per currency.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct CurrencyAmount {
    pub currency: String,
    pub amount: Amount,
}

/// What the day's run would do, written nowhere. Each list holds its first
/// 200 rows; `*_total` counts them all.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct BillingRunPreview {
    /// The local date of the run (`YYYY-MM-DD`).
    pub date: String,
    /// The due date its bills would carry.
    pub due_date: String,
    pub bills: Vec<RunBill>,
    pub bills_total: u64,
    /// The bills' amounts added up, per currency.
    pub bills_amount: Vec<CurrencyAmount>,
    pub renewals: Vec<RunRenewal>,
    pub renewals_total: u64,
    pub suspensions: Vec<RunSuspension>,
    pub suspensions_total: u64,
}

fn rows<T, U: From<T>>(listed: Listed<T>) -> (Vec<U>, u64) {
    (listed.rows.into_iter().map(U::from).collect(), listed.total)
}

impl From<PreviewBill> for RunBill {
    fn from(b: PreviewBill) -> Self {
        Self {
            customer_id: b.customer_id,
            customer_name: b.customer_name,
            package_name: b.package_name,
            amount: Amount(b.amount),
            currency: b.currency,
        }
    }
}

impl From<PreviewRenewal> for RunRenewal {
    fn from(r: PreviewRenewal) -> Self {
        Self {
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            package_name: r.package_name,
            amount: Amount(r.amount),
        }
    }
}

impl From<PreviewSuspension> for RunSuspension {
    fn from(s: PreviewSuspension) -> Self {
        Self {
            customer_id: s.customer_id,
            customer_name: s.customer_name,
            bill_id: s.bill_id,
            overdue_since: s.overdue_since,
            reason: s.reason,
        }
    }
}

impl BillingRunPreview {
    pub fn of(date: time::Date, due_date: time::Date, p: RunPreview) -> Self {
        let (bills, bills_total) = rows(p.bills);
        let (renewals, renewals_total) = rows(p.renewals);
        let (suspensions, suspensions_total) = rows(p.suspensions);
        Self {
            date: date.to_string(),
            due_date: due_date.to_string(),
            bills,
            bills_total,
            bills_amount: p
                .bills_amount
                .into_iter()
                .map(|(currency, amount)| CurrencyAmount {
                    currency,
                    amount: Amount(amount),
                })
                .collect(),
            renewals,
            renewals_total,
            suspensions,
            suspensions_total,
        }
    }
}

one!(BillingRunPreviewOne, BillingRunPreview);

/// What a run did.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct BillingRunResult {
    /// The local date it ran for.
    pub date: String,
    pub bills_created: u64,
    /// Suspended by the run: overdue bills and prepaid periods ended without credit.
    pub customers_suspended: u64,
    /// Write transactions it took (one per chunk of customers).
    pub chunks: u64,
}

one!(BillingRunResultOne, BillingRunResult);
