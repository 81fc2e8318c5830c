//! Customers (`customers`), with their subscriptions and outbox events written in
//! the same transaction. Every function takes the caller's visibility: a
//! reseller's staff see only that operator's customers.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::{
    events, packages,
    rows::{self, record, Conditions, FromRow},
    subscriptions, Problems, StoreError,
};
use crate::{
    clock::format_timestamp,
    domain::{money::Money, visibility::Visibility},
};

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CustomerRow in c {
        pub id: i64,
        pub name: String,
        pub email: Option<String>,
        pub phone: String,
        pub address: Option<String>,
        pub connection_type: String,
        pub package_id: Option<i64>,
        pub package_name: Option<String> = "p.name",
        pub status: String,
        pub onu_mac: Option<String>,
        pub username: Option<String>,
        pub router_id: Option<i64>,
        pub operator_id: Option<i64>,
        pub balance: Money = "c.balance_minor",
        pub expires_at: Option<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

/// A new customer, already checked for form (the store checks what needs the
/// database: package and operator exist, email and login name are free).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCustomer {
    pub name: String,
    pub email: Option<String>,
    pub phone: String,
    pub address: Option<String>,
    pub connection_type: String,
    pub package_id: Option<i64>,
    pub onu_mac: Option<String>,
    pub username: Option<String>,
    pub operator_id: Option<i64>,
    /// The router the login lives on.
    pub router_id: Option<i64>,
    /// The login (PPPoE / hotspot) password, sealed.
    pub login_password_sealed: Option<String>,
}

/// What customers' login passwords are sealed for.
pub const LOGIN_PASSWORD_PURPOSE: &str = "customer.login_password";

/// Changes to a customer: `None` keeps a field; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerChanges {
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub phone: Option<String>,
    pub address: Option<Option<String>>,
    pub connection_type: Option<String>,
    pub package_id: Option<i64>,
    pub onu_mac: Option<Option<String>>,
    pub username: Option<Option<String>>,
    pub operator_id: Option<Option<i64>>,
    pub router_id: Option<Option<i64>>,
    pub login_password_sealed: Option<Option<String>>,
}

const FROM: &str = "FROM customers c LEFT JOIN packages p ON p.id = c.package_id";

/// What integrators get in `customer.*` events.
pub fn event_payload(c: &CustomerRow, reason: Option<&str>) -> Value {
    let mut payload = json!({
        "customer_id": c.id,
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "package": c.package_id.map(|id| json!({"id": id, "name": c.package_name})),
        "connection_type": c.connection_type,
        "status": c.status,
        "operator_id": c.operator_id,
    });
    if let Some(reason) = reason {
        payload["reason"] = json!(reason);
    }
    payload
}

/// The customer `id`, if the caller may see it.
pub fn get(conn: &Connection, id: i64, vis: Visibility) -> Result<Option<CustomerRow>, StoreError> {
    rows::one(
        conn,
        &format!("{FROM} WHERE c.id = ?1 AND (?2 IS NULL OR c.operator_id = ?2)"),
        params![id, vis.operator_id],
    )
}

/// The id of a customer with this (normalised) phone number whom the caller
/// may see.
pub fn id_by_phone(
    conn: &Connection,
    phone: &str,
    vis: Visibility,
) -> Result<Option<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM customers WHERE phone = ?1 AND (?2 IS NULL OR operator_id = ?2) \
         ORDER BY id LIMIT 1",
    )?;
    Ok(stmt
        .query_row(params![phone, vis.operator_id], |r| r.get(0))
        .optional()?)
}

/// The database-side checks of new or changed fields, collected.
fn check(
    tx: &Transaction<'_>,
    except: Option<i64>,
    email: Option<&str>,
    package_id: Option<i64>,
    operator_id: Option<i64>,
    router_id: Option<i64>,
    username: Option<&str>,
) -> Result<(), StoreError> {
    let mut problems = Problems::default();
    if let Some(id) = router_id {
        problems.check(
            !super::routers::exists(tx, id)?,
            "router_id",
            "The selected router is invalid.",
        );
    }
    if let Some(id) = package_id {
        problems.check(
            packages::get(tx, id)?.is_none(),
            "package_id",
            "The selected package is invalid.",
        );
    }
    if let Some(id) = operator_id {
        problems.check(
            super::operators::get(tx, id)?.is_none(),
            "operator_id",
            "The selected operator is invalid.",
        );
    }
    if let Some(email) = email {
        let taken = rows::exists(
            tx,
            "FROM customers WHERE email = ?1 AND id IS NOT ?2",
            params![email, except],
        )?;
        problems.check(taken, "email", "The email has already been taken.");
    }
    if let Some(username) = username {
        let taken = rows::exists(
            tx,
            "FROM customers WHERE COALESCE(router_id, 0) = COALESCE(?1, 0) \
             AND username = ?2 AND id IS NOT ?3",
            params![router_id, username, except],
        )?;
        problems.check(
            taken,
            "username",
            "The username has already been taken on this router.",
        );
    }
    problems.into_result()
}

/// Opens a subscription to `package_id` from `now`; returns its expiry.
fn subscribe(
    tx: &Transaction<'_>,
    customer_id: i64,
    package_id: i64,
    now: OffsetDateTime,
) -> Result<String, StoreError> {
    let package = packages::get(tx, package_id)?.ok_or(StoreError::NotFound)?;
    let starts = format_timestamp(now);
    let expires = if package.billing_cycle == "days" {
        // Prepaid: only payments buy time. A new customer has none yet; a
        // change of package keeps the period already paid for.
        let paid_until: Option<String> = rows::value(
            tx,
            "SELECT expires_at FROM customers WHERE id = ?1",
            [customer_id],
        )?;
        paid_until
            .filter(|t| t.as_str() > starts.as_str())
            .unwrap_or_else(|| starts.clone())
    } else {
        // Postpaid: the first period, billed on the billing day.
        format_timestamp(now + time::Duration::days(package.validity_days))
    };
    subscriptions::end_active(tx, customer_id, &starts)?;
    subscriptions::open(tx, customer_id, package_id, &starts, &expires)?;
    Ok(expires)
}

/// Creates a customer (status active), its first subscription, and the
/// `customer.created` event.
pub fn create(
    tx: &Transaction<'_>,
    new: &NewCustomer,
    now: OffsetDateTime,
) -> Result<CustomerRow, StoreError> {
    check(
        tx,
        None,
        new.email.as_deref(),
        new.package_id,
        new.operator_id,
        new.router_id,
        new.username.as_deref(),
    )?;
    let stamp = format_timestamp(now);
    tx.execute(
        "INSERT INTO customers (name, email, phone, address, connection_type, package_id, status,
                                onu_mac, username, operator_id, created_at, updated_at,
                                router_id, login_password_sealed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8, ?9, ?10, ?10, ?11, ?12)",
        params![
            new.name,
            new.email,
            new.phone,
            new.address,
            new.connection_type,
            new.package_id,
            new.onu_mac,
            new.username,
            new.operator_id,
            stamp,
            new.router_id,
            new.login_password_sealed
        ],
    )?;
    let id = tx.last_insert_rowid();
    super::routers::request_sync(tx, new.router_id, &stamp)?;
    if let Some(package_id) = new.package_id {
        let expires = subscribe(tx, id, package_id, now)?;
        tx.execute(
            "UPDATE customers SET expires_at = ?2 WHERE id = ?1",
            params![id, expires],
        )?;
    }
    let row = get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
    events::append(
        tx,
        events::CUSTOMER_CREATED,
        &event_payload(&row, None),
        &stamp,
    )?;
    Ok(row)
}

/// Applies changes; a new package ends the current subscription and opens the next.
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    vis: Visibility,
    ch: &CustomerChanges,
    now: OffsetDateTime,
) -> Result<CustomerRow, StoreError> {
    let current = get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
    let username = match &ch.username {
        Some(u) => u.clone(),
        None => current.username.clone(),
    };
    let router_id = ch.router_id.unwrap_or(current.router_id);
    let username_changed = ch.username.as_ref().is_some_and(|u| *u != current.username)
        || router_id != current.router_id;
    check(
        tx,
        Some(id),
        ch.email.as_ref().and_then(|e| e.as_deref()),
        ch.package_id,
        ch.operator_id.flatten(),
        router_id,
        if username_changed {
            username.as_deref()
        } else {
            None
        },
    )?;
    let stamp = format_timestamp(now);
    tx.execute(
        "UPDATE customers SET
            name = COALESCE(?2, name),
            email = CASE WHEN ?3 THEN ?4 ELSE email END,
            phone = COALESCE(?5, phone),
            address = CASE WHEN ?6 THEN ?7 ELSE address END,
            connection_type = COALESCE(?8, connection_type),
            onu_mac = CASE WHEN ?9 THEN ?10 ELSE onu_mac END,
            username = CASE WHEN ?11 THEN ?12 ELSE username END,
            operator_id = CASE WHEN ?13 THEN ?14 ELSE operator_id END,
            updated_at = ?15,
            router_id = ?16,
            login_password_sealed = CASE WHEN ?17 THEN ?18 ELSE login_password_sealed END
         WHERE id = ?1",
        params![
            id,
            ch.name,
            ch.email.is_some(),
            ch.email.clone().flatten(),
            ch.phone,
            ch.address.is_some(),
            ch.address.clone().flatten(),
            ch.connection_type,
            ch.onu_mac.is_some(),
            ch.onu_mac.clone().flatten(),
            ch.username.is_some(),
            ch.username.clone().flatten(),
            ch.operator_id.is_some(),
            ch.operator_id.flatten(),
            stamp,
            router_id,
            ch.login_password_sealed.is_some(),
            ch.login_password_sealed.clone().flatten()
        ],
    )?;
    super::routers::request_sync(tx, current.router_id, &stamp)?;
    if router_id != current.router_id {
        super::routers::request_sync(tx, router_id, &stamp)?;
    }
    if let Some(package_id) = ch.package_id.filter(|p| Some(*p) != current.package_id) {
        let expires = subscribe(tx, id, package_id, now)?;
        tx.execute(
            "UPDATE customers SET package_id = ?2, expires_at = ?3 WHERE id = ?1",
            params![id, package_id, expires],
        )?;
    }
    get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)
}

/// Sets the status; a change to `suspended` or `active` emits its event (with
/// `reason`). Setting the status it already has changes nothing.
pub fn set_status(
    tx: &Transaction<'_>,
    id: i64,
    vis: Visibility,
    status: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<CustomerRow, StoreError> {
    let current = get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
    if current.status == status {
        return Ok(current);
    }
    let stamp = format_timestamp(now);
    tx.execute(
        "UPDATE customers SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status, stamp],
    )?;
    super::routers::request_sync(tx, current.router_id, &stamp)?;
    let row = get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
    let kind = match status {
        "suspended" => Some(events::CUSTOMER_SUSPENDED),
        "active" => Some(events::CUSTOMER_ACTIVATED),
        _ => None,
    };
    if let Some(kind) = kind {
        events::append(tx, kind, &event_payload(&row, Some(reason)), &stamp)?;
    }
    Ok(row)
}

/// Deletes a customer with no bills; money records are never deleted with a
/// customer (a conflict: suspend or mark the customer inactive instead).
pub fn delete(tx: &Transaction<'_>, id: i64, vis: Visibility) -> Result<(), StoreError> {
    let current = get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
    let billed: bool = rows::value(
        tx,
        "SELECT EXISTS (SELECT 1 FROM bills WHERE customer_id = ?1)
             OR EXISTS (SELECT 1 FROM payments WHERE customer_id = ?1)
             OR EXISTS (SELECT 1 FROM customer_ledger WHERE customer_id = ?1)",
        [id],
    )?;
    if billed {
        return Err(StoreError::Conflict(
            "This customer has bills or payments and cannot be deleted; suspend the customer instead."
                .into(),
        ));
    }
    tx.execute(
        "DELETE FROM auto_suspension_log WHERE customer_id = ?1",
        [id],
    )?;
    tx.execute("DELETE FROM customers WHERE id = ?1", [id])?;
    super::routers::request_sync(tx, current.router_id, &current.updated_at)?;
    Ok(())
}

/// Orders a list may be sorted in.
pub const SORTS: [&str; 8] = [
    "id",
    "-id",
    "name",
    "-name",
    "created_at",
    "-created_at",
    "status",
    "-status",
];

/// Filters of the customer list; all optional.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub status: Option<String>,
    pub package_id: Option<i64>,
    pub operator_id: Option<i64>,
    /// Substring of name, phone, email or login name.
    pub search: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// One of [`SORTS`]; default `-created_at`.
    pub sort: Option<String>,
}

/// One page of customers, and the total that match.
pub fn list(
    conn: &Connection,
    filter: &CustomerFilter,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CustomerRow>, u64), StoreError> {
    let mut cond = Conditions::default();
    if let Some(op) = vis.operator_id {
        cond.add("c.operator_id = ?", op);
    }
    if let Some(status) = &filter.status {
        cond.add("c.status = ?", status.clone());
    }
    if let Some(id) = filter.package_id {
        cond.add("c.package_id = ?", id);
    }
    if let Some(id) = filter.operator_id {
        cond.add("c.operator_id = ?", id);
    }
    if let Some(from) = &filter.created_from {
        cond.add("c.created_at >= ?", from.clone());
    }
    if let Some(to) = &filter.created_to {
        cond.add("c.created_at <= ?", to.clone());
    }
    // Control characters (a NUL above all) can never match and upset FTS5.
    let term: Option<String> = filter
        .search
        .as_deref()
        .map(|t| t.chars().filter(|c| !c.is_control()).collect::<String>())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if let Some(term) = term.as_deref() {
        if term.chars().count() >= 3 {
            // Trigram index: the quoted term matches as a substring.
            let quoted = format!("\"{}\"", term.replace('"', "\"\""));
            cond.add(
                "c.id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH ?)",
                quoted,
            );
        } else {
            // Too short for trigrams: a prefix of the name (indexed) or phone.
            // `%`, `_` and `\` are the term's own characters, not wildcards.
            let like = format!("{}%", escape_like(term));
            cond.add(
                r"(c.name LIKE ? ESCAPE '\' OR c.phone LIKE ? ESCAPE '\')",
                like,
            );
        }
    }
    let filter_sql = cond.where_clause();
    let order = match filter.sort.as_deref().unwrap_or("-created_at") {
        "id" => "c.id",
        "-id" => "c.id DESC",
        "name" => "c.name COLLATE NOCASE, c.id",
        "-name" => "c.name COLLATE NOCASE DESC, c.id DESC",
        "created_at" => "c.created_at, c.id",
        "status" => "c.status, c.id",
        "-status" => "c.status DESC, c.id DESC",
        _ => "c.created_at DESC, c.id DESC",
    };
    let kept_total = counted_total(conn, filter, vis)?;
    let args = cond.args();
    let n = args.len();
    let mut page_args = args.clone();
    page_args.push(&limit);
    page_args.push(&offset);
    // Without a kept count, the page query counts the matches as it goes (one
    // pass over the filtered set instead of two).
    let total_column = if kept_total.is_some() {
        ""
    } else {
        ", COUNT(*) OVER ()"
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {}{total_column} {FROM} {filter_sql} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
        CustomerRow::COLUMNS,
        n + 1,
        n + 2
    ))?;
    let mut window_total = None;
    let rows = stmt
        .query_map(page_args.as_slice(), |r| {
            if kept_total.is_none() {
                window_total = Some(r.get::<_, i64>(CustomerRow::WIDTH)?);
            }
            CustomerRow::from_row(r)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total = match (kept_total, window_total) {
        (Some(n), _) | (None, Some(n)) => n,
        // A page past the end has no rows to carry the count.
        (None, None) => conn.query_row(
            &format!("SELECT COUNT(*) FROM customers c {filter_sql}"),
            args.as_slice(),
            |r| r.get(0),
        )?,
    };
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// `term` for a LIKE pattern with `ESCAPE '\'`: its `%`, `_` and `\` match
/// themselves.
fn escape_like(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The total from `customer_counts` when the filter uses only what it is kept
/// by (operator, status, package); `None` when rows must be counted.
fn counted_total(
    conn: &Connection,
    filter: &CustomerFilter,
    vis: Visibility,
) -> Result<Option<i64>, StoreError> {
    let searching = filter
        .search
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    if searching || filter.created_from.is_some() || filter.created_to.is_some() {
        return Ok(None);
    }
    // A reseller's own filter on another operator matches nothing.
    if let (Some(mine), Some(asked)) = (vis.operator_id, filter.operator_id) {
        if mine != asked {
            return Ok(Some(0));
        }
    }
    let operator = vis.operator_id.or(filter.operator_id);
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(SUM(n), 0) FROM customer_counts
         WHERE (?1 IS NULL OR operator_key = ?1) AND (?2 IS NULL OR status = ?2)
           AND (?3 IS NULL OR package_key = ?3)",
    )?;
    Ok(Some(stmt.query_row(
        params![operator, filter.status, filter.package_id],
        |r| r.get(0),
    )?))
}

/// Customers by status (for the dashboard), within the caller's visibility.
pub fn count_by_status(
    conn: &Connection,
    vis: Visibility,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, SUM(n) FROM customer_counts WHERE ?1 IS NULL OR operator_key = ?1
         GROUP BY status HAVING SUM(n) > 0",
    )?;
    let rows = stmt
        .query_map([vis.operator_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Customers created at or after `since`, within the caller's visibility.
pub fn count_created_since(
    conn: &Connection,
    since: &str,
    vis: Visibility,
) -> Result<i64, StoreError> {
    rows::value(conn,
        "SELECT COUNT(*) FROM customers WHERE created_at >= ?1 AND (?2 IS NULL OR operator_id = ?2)",
        params![since, vis.operator_id])
}
