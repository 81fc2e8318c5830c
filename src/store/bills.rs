//! Bills (`bills`): created by the API or the billing run, with the
//! `bill.generated` event in the same transaction.

use super::sql::{Connection, Transaction};
use rusqlite::params;
use serde_json::json;

use super::{
    events,
    rows::{self, record},
    StoreError,
};
use crate::domain::money::Money;
use crate::domain::visibility::Visibility;

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct BillRow in b {
        pub id: i64,
        pub customer_id: i64,
        pub amount: Money = "b.amount_minor",
        pub paid: Money = "b.paid_minor",
        pub currency: String,
        pub status: String,
        pub due_date: String,
        pub description: Option<String>,
        pub period_start: Option<String>,
        pub period_end: Option<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

/// A new bill (form already checked; the store checks the customer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewBill {
    pub customer_id: i64,
    pub amount: Money,
    pub currency: String,
    pub due_date: String,
    pub description: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
}

/// Changes to a bill; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillChanges {
    pub amount: Option<Money>,
    pub due_date: Option<String>,
    pub description: Option<Option<String>>,
    /// Only `cancelled` may be set by hand.
    pub cancel: bool,
}

const FROM: &str = "FROM bills b JOIN customers c ON c.id = b.customer_id";

pub fn get(conn: &Connection, id: i64, vis: Visibility) -> Result<Option<BillRow>, StoreError> {
    rows::one(
        conn,
        &format!("{FROM} WHERE b.id = ?1 AND (?2 IS NULL OR c.operator_id = ?2)"),
        params![id, vis.operator_id],
    )
}

/// Creates an unpaid bill and its `bill.generated` event.
pub fn create(
    tx: &Transaction<'_>,
    new: &NewBill,
    vis: Visibility,
    now: &str,
) -> Result<BillRow, StoreError> {
    if super::customers::get(tx, new.customer_id, vis)?.is_none() {
        return Err(StoreError::invalid(
            "customer_id",
            "The selected customer is invalid.",
        ));
    }
    if let Some(start) = &new.period_start {
        let billed: bool = rows::exists(
            tx,
            "FROM bills WHERE customer_id = ?1 AND period_start = ?2",
            params![new.customer_id, start],
        )?;
        if billed {
            return Err(StoreError::Conflict(format!(
                "The customer already has a bill for the period starting {start}."
            )));
        }
    }
    // The invoice of the bill's month (its period, else its due date).
    let month = new.period_start.as_deref().unwrap_or(&new.due_date);
    let invoice =
        super::invoices::for_period(tx, new.customer_id, month.get(..7).unwrap_or(month), now)?;
    let bill_id: i64 = rows::value(
        tx,
        "INSERT INTO bills (customer_id, amount_minor, currency, due_date, description, period_start,
                            period_end, invoice_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id",
        params![
            new.customer_id,
            new.amount.minor(),
            new.currency,
            new.due_date,
            new.description,
            new.period_start,
            new.period_end,
            invoice,
            now
        ],
    )?;
    let bill = get(tx, bill_id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
    events::record(
        tx,
        events::BILL_GENERATED,
        &json!({
            "bill_id": bill.id,
            "customer_id": bill.customer_id,
            "amount": bill.amount.to_json(),
            "currency": bill.currency,
            "due_date": bill.due_date,
            "description": bill.description,
            "period_start": bill.period_start,
            "period_end": bill.period_end,
        }),
        now,
    )?;
    Ok(bill)
}

/// Changes a bill. A bill with payments keeps its amount (no lower than paid);
/// a paid or cancelled bill cannot change.
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    vis: Visibility,
    ch: &BillChanges,
    now: &str,
) -> Result<BillRow, StoreError> {
    let bill = get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
    if matches!(bill.status.as_str(), "paid" | "cancelled") {
        return Err(StoreError::Conflict(format!(
            "A {} bill cannot be changed.",
            bill.status
        )));
    }
    if ch.cancel && bill.paid > Money::ZERO {
        return Err(StoreError::Conflict(
            "A bill with payments cannot be cancelled.".into(),
        ));
    }
    if let Some(amount) = ch.amount {
        if amount < bill.paid {
            return Err(StoreError::invalid(
                "amount",
                format!(
                    "The amount may not be less than what was already paid ({}).",
                    bill.paid
                ),
            ));
        }
    }
    let amount = ch.amount.unwrap_or(bill.amount);
    let status = if ch.cancel {
        "cancelled"
    } else if bill.paid >= amount {
        "paid"
    } else if bill.paid > Money::ZERO {
        "partial"
    } else {
        "unpaid"
    };
    tx.exec(
        "UPDATE bills SET amount_minor = ?2, due_date = COALESCE(?3, due_date),
                description = CASE WHEN ?4 THEN ?5 ELSE description END, status = ?6, updated_at = ?7
         WHERE id = ?1",
        params![
            id,
            amount.minor(),
            ch.due_date,
            ch.description.is_some(),
            ch.description.clone().flatten(),
            status,
            now
        ],
    )?;
    get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)
}

/// Deletes a bill nothing was paid on; one with payments is a conflict.
pub fn delete(tx: &Transaction<'_>, id: i64, vis: Visibility) -> Result<(), StoreError> {
    let bill = get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
    if bill.paid > Money::ZERO {
        return Err(StoreError::Conflict(
            "A bill with payments cannot be deleted; cancel what is unpaid instead.".into(),
        ));
    }
    tx.exec("DELETE FROM bills WHERE id = ?1", [id])?;
    Ok(())
}

/// Filters of the bill list.
#[derive(Debug, Clone, Default)]
pub struct BillFilter {
    pub customer_id: Option<i64>,
    pub status: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
}

/// The bills `filter` keeps after id `after_id`, in id order, at most
/// `limit`: one chunk of an export (no count, no offset).
pub fn export_chunk(
    conn: &Connection,
    filter: &BillFilter,
    vis: Visibility,
    after_id: i64,
    limit: i64,
) -> Result<Vec<BillRow>, StoreError> {
    rows::all(
        conn,
        &format!(
            "{FROM} WHERE b.id > ?6 AND (?1 IS NULL OR c.operator_id = ?1) \
             AND (?2 IS NULL OR b.customer_id = ?2) AND (?3 IS NULL OR b.status = ?3) \
             AND (?4 IS NULL OR b.created_at >= ?4) AND (?5 IS NULL OR b.created_at <= ?5) \
             ORDER BY b.id LIMIT ?7"
        ),
        params![
            vis.operator_id,
            filter.customer_id,
            filter.status,
            filter.created_from,
            filter.created_to,
            after_id,
            limit
        ],
    )
}

/// One page of bills, newest first, and the total.
pub fn list(
    conn: &Connection,
    filter: &BillFilter,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<BillRow>, u64), StoreError> {
    rows::page(
        conn,
        FROM,
        "(?1 IS NULL OR c.operator_id = ?1) AND (?2 IS NULL OR b.customer_id = ?2) \
         AND (?3 IS NULL OR b.status = ?3) AND (?4 IS NULL OR b.created_at >= ?4) \
         AND (?5 IS NULL OR b.created_at <= ?5)",
        "b.created_at DESC, b.id DESC",
        params![
            vis.operator_id,
            filter.customer_id,
            filter.status,
            filter.created_from,
            filter.created_to
        ],
        limit,
        offset,
    )
}
