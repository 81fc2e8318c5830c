//! Support complaints. Creating one writes `complaint.created` to the outbox in
//! the same transaction.

use super::sql::{Connection, Transaction};
use rusqlite::params;
use serde_json::json;

use super::{
    events,
    rows::{self, fields, record, Fields},
    Problems, StoreError,
};
use crate::domain::visibility::Visibility;

pub const STATUSES: [&str; 4] = ["open", "in_progress", "resolved", "closed"];
pub const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];

record! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct ComplaintRow in k {
        pub id: i64,
        pub customer_id: i64,
        pub subject: String,
        pub body: String,
        pub status: String,
        pub priority: String,
        pub assigned_to: Option<i64>,
        pub created_at: String,
        pub updated_at: String,
        pub resolved_at: Option<String>,
    }
}

fields! {
    /// The fields a caller sets.
    #[derive(Debug, Clone)]
    pub struct ComplaintFields {
        pub customer_id: i64,
        pub subject: String,
        pub body: String,
        pub status: String,
        pub priority: String,
        pub assigned_to: Option<i64>,
    }
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    /// Whose customers' complaints the caller may see.
    pub vis: Visibility,
    pub customer_id: Option<i64>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub assigned_to: Option<i64>,
}

/// Complaints with their customer, for the visibility rule (`?V`: the caller's
/// operator, NULL for all).
const FROM: &str = "FROM complaints k JOIN customers c ON c.id = k.customer_id";

/// The customer must be one the caller may see; a reseller's staff assign
/// only to staff of their own operator.
fn check_references(
    tx: &Transaction<'_>,
    f: &ComplaintFields,
    vis: Visibility,
) -> Result<(), StoreError> {
    let mut problems = Problems::default();
    problems.check(
        super::customers::get(tx, f.customer_id, vis)?.is_none(),
        "customer_id",
        "The selected customer is invalid.",
    );
    if let Some(staff) = f.assigned_to {
        let found = rows::exists(
            tx,
            "FROM staff_users WHERE id = ?1 AND (?2 IS NULL OR operator_id = ?2)",
            params![staff, vis.operator_id],
        )?;
        problems.check(
            !found,
            "assigned_to",
            "The selected assignee is not a staff user.",
        );
    }
    problems.into_result()
}

fn is_closed(status: &str) -> bool {
    status == "resolved" || status == "closed"
}

/// Creates a complaint and its `complaint.created` event.
pub fn create(
    tx: &Transaction<'_>,
    f: &ComplaintFields,
    vis: Visibility,
    now: &str,
) -> Result<ComplaintRow, StoreError> {
    check_references(tx, f, vis)?;
    let id: i64 = rows::value(
        tx,
        "INSERT INTO complaints (customer_id, subject, body, status, priority, assigned_to, \
         created_at, updated_at, resolved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8) RETURNING id",
        rows::args(&f.values(), &[&now, &is_closed(&f.status).then_some(now)]).as_slice(),
    )?;
    let row = get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
    events::record(
        tx,
        events::COMPLAINT_CREATED,
        &json!({
            "id": row.id,
            "customer_id": row.customer_id,
            "subject": row.subject,
            "body": row.body,
            "status": row.status,
            "priority": row.priority,
            "assigned_to": row.assigned_to,
            "created_at": row.created_at,
        }),
        now,
    )?;
    Ok(row)
}

/// The complaint `id`, if it is about a customer the caller may see.
pub fn get(
    conn: &Connection,
    id: i64,
    vis: Visibility,
) -> Result<Option<ComplaintRow>, StoreError> {
    rows::one(
        conn,
        &format!("{FROM} WHERE k.id = ?1 AND (?2 IS NULL OR c.operator_id = ?2)"),
        params![id, vis.operator_id],
    )
}

/// Complaints, newest first, and how many match.
pub fn list(
    conn: &Connection,
    filter: &ComplaintFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ComplaintRow>, i64), StoreError> {
    rows::page(
        conn,
        FROM,
        "(?1 IS NULL OR k.customer_id = ?1) AND (?2 IS NULL OR k.status = ?2) \
         AND (?3 IS NULL OR k.priority = ?3) AND (?4 IS NULL OR k.assigned_to = ?4) \
         AND (?5 IS NULL OR c.operator_id = ?5)",
        "k.id DESC",
        params![
            filter.customer_id,
            filter.status,
            filter.priority,
            filter.assigned_to,
            filter.vis.operator_id
        ],
        limit,
        offset,
    )
}

/// Replaces the fields; `resolved_at` is set when it becomes resolved or
/// closed and cleared when it is reopened.
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    f: &ComplaintFields,
    vis: Visibility,
    now: &str,
) -> Result<ComplaintRow, StoreError> {
    let current = get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
    check_references(tx, f, vis)?;
    let resolved_at = match (is_closed(&current.status), is_closed(&f.status)) {
        (_, false) => None,
        (false, true) => Some(now.to_string()),
        (true, true) => current.resolved_at.clone(),
    };
    tx.exec(
        "UPDATE complaints SET customer_id = ?1, subject = ?2, body = ?3, status = ?4, \
         priority = ?5, assigned_to = ?6, updated_at = ?7, resolved_at = ?8 WHERE id = ?9",
        rows::args(&f.values(), &[&now, &resolved_at, &id]).as_slice(),
    )?;
    get(tx, id, vis)?.ok_or(StoreError::NotFound)
}

/// Deletes the complaint `id` if the caller may see it.
pub fn delete(tx: &Transaction<'_>, id: i64, vis: Visibility) -> Result<(), StoreError> {
    if get(tx, id, vis)?.is_none() {
        return Err(StoreError::NotFound);
    }
    rows::execute_one(tx, "DELETE FROM complaints WHERE id = ?1", [id])
}
