//! What a day's billing run would do, read without writing: the bills it
//! would make, the prepaid customers it would renew from credit or suspend,
//! and the customers it would suspend for an overdue bill. The same
//! conditions as the run ([`super::billing_run`]), step by step, so a
//! customer the prepaid step suspends is not counted again as overdue.

use rusqlite::params;

use super::{
    billing_run::{bills_due, offset_modifier, overdue_cutoff, prepaid_ended, RunSettings},
    sql::Connection,
    StoreError,
};
use crate::{clock::format_timestamp, domain::money::Money};

/// A bill the run would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewBill {
    pub customer_id: i64,
    pub customer_name: String,
    pub package_name: String,
    pub amount: Money,
    pub currency: String,
}

/// A prepaid customer the run would renew from their credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRenewal {
    pub customer_id: i64,
    pub customer_name: String,
    pub package_name: String,
    /// The credit one period takes (the run renews as many as the credit covers).
    pub amount: Money,
}

/// A customer the run would suspend, and why (the words the run logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewSuspension {
    pub customer_id: i64,
    pub customer_name: String,
    /// The overdue bill, for an overdue suspension.
    pub bill_id: Option<i64>,
    /// Its due date (`YYYY-MM-DD`).
    pub overdue_since: Option<String>,
    pub reason: String,
}

/// A list the preview shows: its first rows and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    pub rows: Vec<T>,
    pub total: u64,
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            total: 0,
        }
    }
}

impl<T> Listed<T> {
    fn push(&mut self, row: T, limit: usize) {
        if self.rows.len() < limit {
            self.rows.push(row);
        }
        self.total += 1;
    }
}

/// What the run for `settings.date` would do now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunPreview {
    pub bills: Listed<PreviewBill>,
    /// The bills' amounts added up, per currency.
    pub bills_amount: Vec<(String, Money)>,
    pub renewals: Listed<PreviewRenewal>,
    pub suspensions: Listed<PreviewSuspension>,
}

/// The run's three steps read in turn; each list keeps its first `limit` rows.
pub fn preview(
    conn: &Connection,
    settings: &RunSettings,
    limit: usize,
) -> Result<RunPreview, StoreError> {
    let mut out = RunPreview::default();
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT c.id, c.name, p.name, p.price_minor, p.currency {} ORDER BY c.id",
            bills_due(conn.engine())
        ))?;
        let rows = stmt.query_map(
            params![
                offset_modifier(settings),
                i64::from(settings.date.day()),
                settings.date.to_string()
            ],
            |r| {
                Ok(PreviewBill {
                    customer_id: r.get(0)?,
                    customer_name: r.get(1)?,
                    package_name: r.get(2)?,
                    amount: Money(r.get(3)?),
                    currency: r.get(4)?,
                })
            },
        )?;
        for bill in rows {
            let bill = bill?;
            match out
                .bills_amount
                .iter_mut()
                .find(|(c, _)| *c == bill.currency)
            {
                Some((_, sum)) => sum.0 += bill.amount.0,
                None => out.bills_amount.push((bill.currency.clone(), bill.amount)),
            }
            out.bills.push(bill, limit);
        }
    }
    // Prepaid periods ended: renewed when the subscription renews itself and
    // the credit covers a period (a free package never renews), else suspended.
    let mut suspended = std::collections::HashSet::new();
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT c.id, c.name, p.name, p.price_minor, c.balance_minor,
                    COALESCE((SELECT s.auto_renew FROM subscriptions s
                              WHERE s.customer_id = c.id AND s.status = 'active'), 0)
             {} ORDER BY c.id",
            prepaid_ended(conn.engine())
        ))?;
        let rows = stmt.query_map(params![format_timestamp(settings.now)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })?;
        for row in rows {
            let (customer_id, customer_name, package_name, price, credit, auto_renew) = row?;
            if auto_renew && price > 0 && credit >= price {
                out.renewals.push(
                    PreviewRenewal {
                        customer_id,
                        customer_name,
                        package_name,
                        amount: Money(price),
                    },
                    limit,
                );
            } else {
                suspended.insert(customer_id);
                out.suspensions.push(
                    PreviewSuspension {
                        customer_id,
                        customer_name,
                        bill_id: None,
                        overdue_since: None,
                        reason: "prepaid period ended".into(),
                    },
                    limit,
                );
            }
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, MIN(b.id), MIN(b.due_date)
         FROM customers c JOIN bills b ON b.customer_id = c.id
         WHERE c.status = 'active' AND b.status IN ('unpaid', 'partial') AND b.due_date < ?1
         GROUP BY c.id, c.name ORDER BY c.id",
    )?;
    let rows = stmt.query_map(params![overdue_cutoff(settings)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (customer_id, customer_name, bill_id, due) = row?;
        if suspended.contains(&customer_id) {
            continue;
        }
        out.suspensions.push(
            PreviewSuspension {
                customer_id,
                customer_name,
                bill_id: Some(bill_id),
                reason: format!("bill #{bill_id} overdue since {due}"),
                overdue_since: Some(due),
            },
            limit,
        );
    }
    Ok(out)
}
