//! Customers (`customers`), with their subscriptions and outbox events written in
//! the same transaction. Every function takes the caller's visibility: a
//! reseller's staff see only that operator's customers.

use super::sql::{Connection, Engine, OptionalExtension, Transaction};
use rusqlite::params;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::{
    audit::{self, Who},
    events, packages,
    radius_coa::{self, Intent},
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
        /// RADIUS: Framed-IP-Address.
        pub static_ip: Option<String>,
        /// RADIUS: Delegated-IPv6-Prefix.
        pub ipv6_prefix: Option<String>,
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
    /// RADIUS: the customer's static IPv4 address and delegated IPv6 prefix.
    pub static_ip: Option<String>,
    pub ipv6_prefix: Option<String>,
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
    pub static_ip: Option<Option<String>>,
    pub ipv6_prefix: Option<Option<String>>,
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

/// One customer by id (`?1`) whom the caller (`?2`, an operator or NULL) may see.
const BY_ID: &str = "WHERE c.id = ?1 AND (?2 IS NULL OR c.operator_id = ?2)";

/// The customer `id`, if the caller may see it.
pub fn get(conn: &Connection, id: i64, vis: Visibility) -> Result<Option<CustomerRow>, StoreError> {
    rows::one(
        conn,
        &format!("{FROM} {BY_ID}"),
        params![id, vis.operator_id],
    )
}

/// [`get`] without copying the row: `visit` sees it borrowed from the
/// statement; `None` when there is no such customer the caller may see.
pub fn get_each<T>(
    conn: &Connection,
    id: i64,
    vis: Visibility,
    visit: impl FnOnce(CustomerRef<'_>) -> T,
) -> Result<Option<T>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {} {FROM} {BY_ID}", CustomerRow::COLUMNS))?;
    let mut rows = stmt.query(params![id, vis.operator_id])?;
    match rows.next()? {
        Some(r) => Ok(Some(visit(CustomerRef::read(&r)?))),
        None => Ok(None),
    }
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
/// A static address belongs to one customer.
fn check_static_ip(
    tx: &Transaction<'_>,
    except: Option<i64>,
    ip: Option<&str>,
) -> Result<(), StoreError> {
    let Some(ip) = ip else { return Ok(()) };
    let taken = rows::exists(
        tx,
        "FROM customers WHERE static_ip = ?1 AND id IS DISTINCT FROM ?2",
        params![ip, except],
    )?;
    if taken {
        return Err(StoreError::invalid(
            "static_ip",
            "The static_ip has already been taken.",
        ));
    }
    Ok(())
}

fn check(
    tx: &Transaction<'_>,
    except: Option<i64>,
    email: Option<&str>,
    package: Option<&Option<packages::PackageRow>>,
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
    if let Some(found) = package {
        problems.check(
            found.is_none(),
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
            "FROM customers WHERE email = ?1 AND id IS DISTINCT FROM ?2",
            params![email, except],
        )?;
        problems.check(taken, "email", "The email has already been taken.");
    }
    if let Some(username) = username {
        let taken = rows::exists(
            tx,
            "FROM customers WHERE COALESCE(router_id, 0) = COALESCE(?1, 0) \
             AND username = ?2 AND id IS DISTINCT FROM ?3",
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

/// The package asked for by id, looked up: `None` when none was asked for,
/// `Some(None)` when the id names no package.
fn wanted_package(
    tx: &Transaction<'_>,
    package_id: Option<i64>,
) -> Result<Option<Option<packages::PackageRow>>, StoreError> {
    package_id.map(|id| packages::get(tx, id)).transpose()
}

/// When a new customer's first subscription to `package` ends: prepaid
/// packages start with no time bought (payments buy it); postpaid ones with
/// their first period, billed on the billing day.
fn first_expiry(package: &packages::PackageRow, now: OffsetDateTime) -> String {
    if package.billing_cycle == "days" {
        format_timestamp(now)
    } else {
        format_timestamp(now + time::Duration::days(package.validity_days))
    }
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
        first_expiry(&package, now)
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
    let package = wanted_package(tx, new.package_id)?;
    check(
        tx,
        None,
        new.email.as_deref(),
        package.as_ref(),
        new.operator_id,
        new.router_id,
        new.username.as_deref(),
    )?;
    check_static_ip(tx, None, new.static_ip.as_deref())?;
    let stamp = format_timestamp(now);
    let package = package.flatten();
    let expires = package.as_ref().map(|p| first_expiry(p, now));
    // The row is answered from what was written (and the columns the
    // database fills in), not read back: one statement fewer per create.
    let (id, status, balance): (i64, String, i64) = tx.query_row(
        "INSERT INTO customers (name, email, phone, address, connection_type, package_id, status,
                                onu_mac, username, operator_id, created_at, updated_at,
                                router_id, login_password_sealed, expires_at, static_ip,
                                ipv6_prefix)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13, ?14,
                 ?15)
         RETURNING id, status, balance_minor",
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
            new.login_password_sealed,
            expires,
            new.static_ip,
            new.ipv6_prefix
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    super::routers::request_sync(tx, new.router_id, &stamp)?;
    // A new customer has no subscription to end: the first one opens.
    if let (Some(package), Some(expires)) = (&package, &expires) {
        subscriptions::open(tx, id, package.id, &stamp, expires)?;
    }
    let row = CustomerRow {
        id,
        name: new.name.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        address: new.address.clone(),
        connection_type: new.connection_type.clone(),
        package_id: package.as_ref().map(|p| p.id),
        package_name: package.map(|p| p.name),
        status,
        onu_mac: new.onu_mac.clone(),
        username: new.username.clone(),
        router_id: new.router_id,
        operator_id: new.operator_id,
        balance: Money(balance),
        expires_at: expires,
        created_at: stamp.clone(),
        updated_at: stamp.clone(),
        static_ip: new.static_ip.clone(),
        ipv6_prefix: new.ipv6_prefix.clone(),
    };
    events::record(
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
    who: &Who,
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
        wanted_package(tx, ch.package_id)?.as_ref(),
        ch.operator_id.flatten(),
        router_id,
        if username_changed {
            username.as_deref()
        } else {
            None
        },
    )?;
    if let Some(ip) = &ch.static_ip {
        check_static_ip(tx, Some(id), ip.as_deref())?;
    }
    let stamp = format_timestamp(now);
    tx.exec(
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
            login_password_sealed = CASE WHEN ?17 THEN ?18 ELSE login_password_sealed END,
            static_ip = CASE WHEN ?19 THEN ?20 ELSE static_ip END,
            ipv6_prefix = CASE WHEN ?21 THEN ?22 ELSE ipv6_prefix END
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
            ch.login_password_sealed.clone().flatten(),
            ch.static_ip.is_some(),
            ch.static_ip.clone().flatten(),
            ch.ipv6_prefix.is_some(),
            ch.ipv6_prefix.clone().flatten()
        ],
    )?;
    // New credentials from staff (login name, password, the phone codes go
    // to) end the customer's portal sessions.
    let phone_changed = ch.phone.as_ref().is_some_and(|p| *p != current.phone);
    let renamed = ch.username.as_ref().is_some_and(|u| *u != current.username);
    if renamed || phone_changed || ch.login_password_sealed.is_some() {
        tx.exec(
            "UPDATE customers SET portal_auth_version = portal_auth_version + 1 WHERE id = ?1",
            params![id],
        )?;
    }
    // A session keeps the address it got: one whose address changed is
    // ended (RADIUS mode), and the next login gets the new one.
    let readdressed = ch
        .static_ip
        .as_ref()
        .is_some_and(|ip| *ip != current.static_ip)
        || ch
            .ipv6_prefix
            .as_ref()
            .is_some_and(|p| *p != current.ipv6_prefix);
    if readdressed {
        radius_coa::queue_for_customer(
            tx,
            id,
            Intent::Disconnect,
            "address changed",
            &stamp,
            now.unix_timestamp(),
        )?;
    }
    super::routers::request_sync(tx, current.router_id, &stamp)?;
    if router_id != current.router_id {
        super::routers::request_sync(tx, router_id, &stamp)?;
    }
    if let Some(package_id) = ch.package_id.filter(|p| Some(*p) != current.package_id) {
        let expires = subscribe(tx, id, package_id, now)?;
        tx.exec(
            "UPDATE customers SET package_id = ?2, expires_at = ?3 WHERE id = ?1",
            params![id, package_id, expires],
        )?;
        // Live RADIUS sessions get the new package's rate limit.
        radius_coa::queue_for_customer(
            tx,
            id,
            Intent::Package,
            "package changed",
            &stamp,
            now.unix_timestamp(),
        )?;
    }
    let row = get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
    let changes = changed_fields(&current, &row, ch.login_password_sealed.is_some());
    if row.package_id != current.package_id {
        let mut payload = event_payload(&row, None);
        payload["previous_package"] = current.package_id.map_or(
            Value::Null,
            |id| json!({"id": id, "name": current.package_name}),
        );
        payload["expires_at"] = json!(row.expires_at);
        events::record(tx, events::PACKAGE_CHANGED, &payload, &stamp)?;
    }
    if !changes.is_empty() {
        let mut payload = event_payload(&row, None);
        payload["changed"] = json!(changes.names());
        events::record(tx, events::CUSTOMER_UPDATED, &payload, &stamp)?;
        let entry = audit::Entry {
            action: "customer.updated",
            resource_type: "customer",
            resource_id: Some(id),
            customer_id: Some(id),
            reason: None,
            changes,
        };
        audit::record(tx, who, &entry, &stamp)?;
    }
    Ok(row)
}

/// What an edit changed, field by field (the login password only as changed).
fn changed_fields(a: &CustomerRow, b: &CustomerRow, password: bool) -> audit::Changes {
    let mut c = audit::Changes::default();
    c.field("name", &a.name, &b.name);
    c.field("email", &a.email, &b.email);
    c.field("phone", &a.phone, &b.phone);
    c.field("address", &a.address, &b.address);
    c.field("connection_type", &a.connection_type, &b.connection_type);
    c.field("package_id", &a.package_id, &b.package_id);
    c.field("onu_mac", &a.onu_mac, &b.onu_mac);
    c.field("username", &a.username, &b.username);
    c.field("router_id", &a.router_id, &b.router_id);
    c.field("operator_id", &a.operator_id, &b.operator_id);
    c.field("expires_at", &a.expires_at, &b.expires_at);
    c.field("static_ip", &a.static_ip, &b.static_ip);
    c.field("ipv6_prefix", &a.ipv6_prefix, &b.ipv6_prefix);
    c.secret("login_password", password);
    c
}

/// Sets the status; a change to `suspended` or `active` emits its event (with
/// `reason`). Setting the status it already has changes nothing.
pub fn set_status(
    tx: &Transaction<'_>,
    who: &Who,
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
    rows::execute(
        tx,
        "UPDATE customers SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status, stamp],
    )?;
    super::routers::request_sync(tx, current.router_id, &stamp)?;
    // Live RADIUS sessions follow: moved to the suspended list or ended.
    let intent = match status {
        "suspended" | "expired" => Intent::Suspend,
        "active" => Intent::Reactivate,
        _ => Intent::Disconnect,
    };
    radius_coa::queue_for_customer(tx, id, intent, reason, &stamp, now.unix_timestamp())?;
    let row = get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
    let kind = match status {
        "suspended" => Some(events::CUSTOMER_SUSPENDED),
        "active" => Some(events::CUSTOMER_ACTIVATED),
        _ => None,
    };
    if let Some(kind) = kind {
        events::record(tx, kind, &event_payload(&row, Some(reason)), &stamp)?;
    }
    let mut changes = audit::Changes::default();
    changes.field("status", &current.status, &row.status);
    let entry = audit::Entry {
        action: match status {
            "suspended" => "customer.suspended",
            "active" => "customer.activated",
            _ => "customer.status_changed",
        },
        resource_type: "customer",
        resource_id: Some(id),
        customer_id: Some(id),
        reason: Some(reason),
        changes,
    };
    audit::record(tx, who, &entry, &stamp)?;
    Ok(row)
}

/// Deletes a customer with no bills; money records are never deleted with a
/// customer (a conflict: suspend or mark the customer inactive instead).
pub fn delete(
    tx: &Transaction<'_>,
    who: &Who,
    id: i64,
    vis: Visibility,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let current = get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
    let billed: bool = rows::value(
        tx,
        "SELECT EXISTS (SELECT 1 FROM bills WHERE customer_id = ?1)
             OR EXISTS (SELECT 1 FROM payments WHERE customer_id = ?1)
             OR EXISTS (SELECT 1 FROM customer_ledger WHERE customer_id = ?1)
             OR EXISTS (SELECT 1 FROM online_payments WHERE customer_id = ?1)",
        [id],
    )?;
    if billed {
        return Err(StoreError::Conflict(
            "This customer has bills or payments (or online payment attempts) and cannot be deleted; suspend the customer instead."
                .into(),
        ));
    }
    tx.exec(
        "DELETE FROM auto_suspension_log WHERE customer_id = ?1",
        [id],
    )?;
    tx.exec("DELETE FROM payment_reminders WHERE customer_id = ?1", [id])?;
    tx.exec("DELETE FROM customers WHERE id = ?1", [id])?;
    super::routers::request_sync(tx, current.router_id, &current.updated_at)?;
    let mut changes = audit::Changes::default();
    changes.field("name", &Some(current.name.clone()), &None);
    changes.field("phone", &Some(current.phone.clone()), &None);
    changes.field("username", &current.username, &None);
    let entry = audit::Entry {
        action: "customer.deleted",
        resource_type: "customer",
        resource_id: Some(id),
        customer_id: Some(id),
        reason: None,
        changes,
    };
    let stamp = format_timestamp(now);
    audit::record(tx, who, &entry, &stamp)?;
    events::record(
        tx,
        events::CUSTOMER_DELETED,
        &event_payload(&current, None),
        &stamp,
    )?;
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
    /// Only customers who owe: a bill unpaid or partly paid.
    pub due: bool,
}

/// How many matches past the end of its page a search in the default order
/// counts: beyond that, the total says where counting stopped.
pub const SEARCH_COUNT_AHEAD: i64 = 100;

/// How many customers match a list's filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// The count; when `capped`, the matches counted before stopping (there
    /// are more).
    pub n: u64,
    /// Counting stopped at [`SEARCH_COUNT_AHEAD`] past the page.
    pub capped: bool,
}

impl Total {
    fn exact(n: i64) -> Self {
        Self {
            n: u64::try_from(n).unwrap_or(0),
            capped: false,
        }
    }
}

/// The rowid order of `customers_search` (migration 0021) is the list's
/// default, `created_at DESC, id DESC`; a customer's id is the low 32 bits of
/// the negated rowid.
const SEARCH_ID: &str = "((-s.rowid) & 4294967295)";

/// One page of customers, and the total that match.
///
/// A search (three characters or more) in the default order walks the
/// trigram index in that order and stops at the page: it never reads every
/// match. Its total is exact up to [`SEARCH_COUNT_AHEAD`] matches past the
/// page's end; past that, it is capped there (`Total::capped`). Every other
/// list counts exactly (from `customer_counts` when it can).
pub fn list(
    conn: &Connection,
    filter: &CustomerFilter,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CustomerRow>, Total), StoreError> {
    list_rows(conn, filter, vis, (limit, offset), CustomerRow::from_row)
}

/// [`list`] without copying the rows: `visit` sees each row as read, borrowed
/// from the statement, in order; the answer is the total.
pub fn list_each(
    conn: &Connection,
    filter: &CustomerFilter,
    vis: Visibility,
    (limit, offset): (i64, i64),
    mut visit: impl FnMut(CustomerRef<'_>),
) -> Result<Total, StoreError> {
    let (_, total) = list_rows(conn, filter, vis, (limit, offset), |r| {
        visit(CustomerRef::read(r)?);
        Ok(())
    })?;
    Ok(total)
}

/// A customer as a list reads it: [`CustomerRow`]'s fields, the text
/// borrowed from the statement's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerRef<'a> {
    pub id: i64,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: &'a str,
    pub address: Option<&'a str>,
    pub connection_type: &'a str,
    pub package_id: Option<i64>,
    pub package_name: Option<&'a str>,
    pub status: &'a str,
    pub onu_mac: Option<&'a str>,
    pub username: Option<&'a str>,
    pub router_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub balance: Money,
    pub expires_at: Option<&'a str>,
    pub created_at: &'a str,
    pub updated_at: &'a str,
    pub static_ip: Option<&'a str>,
    pub ipv6_prefix: Option<&'a str>,
}

impl CustomerRow {
    /// The row as a list reads it.
    pub fn borrowed(&self) -> CustomerRef<'_> {
        CustomerRef {
            id: self.id,
            name: &self.name,
            email: self.email.as_deref(),
            phone: &self.phone,
            address: self.address.as_deref(),
            connection_type: &self.connection_type,
            package_id: self.package_id,
            package_name: self.package_name.as_deref(),
            status: &self.status,
            onu_mac: self.onu_mac.as_deref(),
            username: self.username.as_deref(),
            router_id: self.router_id,
            operator_id: self.operator_id,
            balance: self.balance,
            expires_at: self.expires_at.as_deref(),
            created_at: &self.created_at,
            updated_at: &self.updated_at,
            static_ip: self.static_ip.as_deref(),
            ipv6_prefix: self.ipv6_prefix.as_deref(),
        }
    }
}

impl<'a> CustomerRef<'a> {
    /// Reads a row of [`CustomerRow::COLUMNS`] (the same order).
    fn read(r: &'a super::sql::Row<'_>) -> super::sql::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            name: text(r, 1)?,
            email: text_or_null(r, 2)?,
            phone: text(r, 3)?,
            address: text_or_null(r, 4)?,
            connection_type: text(r, 5)?,
            package_id: r.get(6)?,
            package_name: text_or_null(r, 7)?,
            status: text(r, 8)?,
            onu_mac: text_or_null(r, 9)?,
            username: text_or_null(r, 10)?,
            router_id: r.get(11)?,
            operator_id: r.get(12)?,
            balance: r.get(13)?,
            expires_at: text_or_null(r, 14)?,
            created_at: text(r, 15)?,
            updated_at: text(r, 16)?,
            static_ip: text_or_null(r, 17)?,
            ipv6_prefix: text_or_null(r, 18)?,
        })
    }
}

fn text<'a>(r: &'a super::sql::Row<'_>, i: usize) -> super::sql::Result<&'a str> {
    r.text(i)
}

fn text_or_null<'a>(r: &'a super::sql::Row<'_>, i: usize) -> super::sql::Result<Option<&'a str>> {
    r.text_or_null(i)
}

/// [`list`] with each row read by `read`.
/// The conditions of `filter` but the search, and the caller's visibility:
/// what the list and the export share.
fn filter_conditions(cond: &mut Conditions, filter: &CustomerFilter, vis: Visibility) {
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
    if filter.due {
        // `bills_customer` leads from each customer to its bills.
        cond.add_fixed(
            "EXISTS (SELECT 1 FROM bills b WHERE b.customer_id = c.id \
             AND b.status IN ('unpaid', 'partial'))",
        );
    }
}

/// The customers `filter` keeps after id `after_id`, in id order, at most
/// `limit`: one chunk of an export, which walks the whole set by id (no
/// count, no offset), so each chunk costs the same however far it is. The
/// search is a substring of name, phone, email or login name, case aside.
pub fn export_chunk(
    conn: &Connection,
    filter: &CustomerFilter,
    vis: Visibility,
    after_id: i64,
    limit: i64,
) -> Result<Vec<CustomerRow>, StoreError> {
    let mut cond = Conditions::default();
    cond.add("c.id > ?", after_id);
    filter_conditions(&mut cond, filter, vis);
    let term = filter
        .search
        .as_deref()
        .map(|t| t.chars().filter(|c| !c.is_control()).collect::<String>())
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    if let Some(term) = term {
        let like = format!("%{}%", escape_like(&term));
        if conn.engine() == Engine::Postgres {
            // The four fields as the search index has them, lower-cased.
            cond.add(
                r#"customer_search_text(c.name, c.phone, c.email, c.username) COLLATE "C" LIKE ? ESCAPE '\'"#,
                like,
            );
        } else {
            // One text of the four fields, a newline apart: a term (which
            // has no control characters) cannot match across two of them.
            cond.add(
                "lower(c.name || '\n' || c.phone || '\n' || COALESCE(c.email, '') || '\n' \
                 || COALESCE(c.username, '')) LIKE ? ESCAPE '\\'",
                like,
            );
        }
    }
    let mut args = cond.args();
    args.push(&limit);
    rows::all(
        conn,
        &format!(
            "{FROM} {} ORDER BY c.id LIMIT ?{}",
            cond.where_clause(),
            args.len()
        ),
        args.as_slice(),
    )
}

fn list_rows<T>(
    conn: &Connection,
    filter: &CustomerFilter,
    vis: Visibility,
    (limit, offset): (i64, i64),
    mut read: impl FnMut(&super::sql::Row<'_>) -> super::sql::Result<T>,
) -> Result<(Vec<T>, Total), StoreError> {
    let mut cond = Conditions::default();
    // Control characters (a NUL above all) can never match and upset FTS5.
    let term: Option<String> = filter
        .search
        .as_deref()
        .map(|t| t.chars().filter(|c| !c.is_control()).collect::<String>())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    // Trigram index: the quoted term matches as a substring.
    let fts_term = term
        .as_deref()
        .filter(|t| t.chars().count() >= 3)
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")));
    let sort = filter.sort.as_deref().unwrap_or("-created_at");
    let pg = conn.engine() == Engine::Postgres;
    let ordered_search = fts_term.is_some() && sort == "-created_at";
    if let (true, Some(term)) = (pg, term.as_deref().filter(|_| fts_term.is_some())) {
        // PostgreSQL: the trigram index over the four fields (pg_trgm),
        // lower-cased by the server on both sides.
        cond.add(
            r#"customer_search_text(c.name, c.phone, c.email, c.username) COLLATE "C" LIKE lower(?) ESCAPE '\'"#,
            format!("%{}%", escape_like(term)),
        );
    } else if let Some(quoted) = &fts_term {
        if ordered_search {
            cond.add("s.customers_search MATCH ?", quoted.clone());
        } else {
            cond.add(
                &format!(
                    "c.id IN (SELECT {SEARCH_ID} FROM customers_search s \
                     WHERE s.customers_search MATCH ?)"
                ),
                quoted.clone(),
            );
        }
    }
    filter_conditions(&mut cond, filter, vis);
    if let Some(term) = term.as_deref().filter(|_| fts_term.is_none()) {
        // Too short for trigrams: a prefix of the name (indexed) or phone.
        // `%`, `_` and `\` are the term's own characters, not wildcards.
        let like = format!("{}%", escape_like(term));
        cond.add(
            if pg {
                // SQLite's LIKE ignores the case of A-Z; so does this.
                r#"(c.name COLLATE "C" ILIKE ? ESCAPE '\' OR c.phone COLLATE "C" LIKE ? ESCAPE '\')"#
            } else {
                r"(c.name LIKE ? ESCAPE '\' OR c.phone LIKE ? ESCAPE '\')"
            },
            like,
        );
    }
    if ordered_search {
        let (from, order) = if pg {
            (
                format!("{FROM} {}", cond.where_clause()),
                "c.created_at DESC, c.id DESC",
            )
        } else {
            // CROSS JOIN keeps the index as the outer loop whatever else is
            // filtered; its rowids are in the list's order.
            (
                format!(
                    "FROM customers_search s CROSS JOIN customers c ON c.id = {SEARCH_ID} \
                     LEFT JOIN packages p ON p.id = c.package_id {}",
                    cond.where_clause()
                ),
                "s.rowid",
            )
        };
        return ordered_search_page(conn, &from, order, cond.args(), (limit, offset), read);
    }
    let filter_sql = cond.where_clause();
    let order = match sort {
        "id" => "c.id",
        "-id" => "c.id DESC",
        "name" => "c.name COLLATE NOCASE, c.id",
        "-name" => "c.name COLLATE NOCASE DESC, c.id DESC",
        "created_at" => "c.created_at, c.id",
        "status" => "c.status, c.id",
        "-status" => "c.status DESC, c.id DESC",
        _ => "c.created_at DESC, c.id DESC",
    };
    let args = cond.args();
    let n = args.len();
    let kept = kept_count(filter, vis);
    if let Kept::Zero = kept {
        return Ok((Vec::new(), Total::exact(0)));
    }
    let mut page_args = args.clone();
    page_args.push(&limit);
    page_args.push(&offset);
    // The page carries its total in one more column: from `customer_counts`
    // when it keeps this filter's count (a subquery SQLite runs once), else
    // counted as the page query goes (one pass over the filtered set).
    let total_column = match &kept {
        Kept::By {
            operator,
            status,
            package,
        } => {
            page_args.push(operator);
            page_args.push(status);
            page_args.push(package);
            format!(", ({})", kept_count_sql(n + 3))
        }
        _ => ", COUNT(*) OVER ()".to_string(),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {}{total_column} {FROM} {filter_sql} ORDER BY {order} {}",
        CustomerRow::COLUMNS,
        rows::limit_offset(n + 1),
    ))?;
    let mut page_total = None;
    let rows = stmt
        .query_map(page_args.as_slice(), |r| {
            page_total = Some(r.get::<_, i64>(CustomerRow::WIDTH)?);
            read(r)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total = match (page_total, &kept) {
        (Some(n), _) => n,
        // A page past the end has no rows to carry the count.
        (
            None,
            Kept::By {
                operator,
                status,
                package,
            },
        ) => conn
            .prepare_cached(&kept_count_sql(1))?
            .query_row(params![operator, status, package], |r| r.get(0))?,
        (None, _) => conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM customers c {filter_sql}"))?
            .query_row(args.as_slice(), |r| r.get(0))?,
    };
    Ok((rows, Total::exact(total)))
}

/// A search page in the default order: on SQLite the trigram index drives
/// (its rowids are in that order), on PostgreSQL the newest-first order;
/// each match is checked against the other filters, and reading stops at the
/// page; the count stops [`SEARCH_COUNT_AHEAD`] past it. `from` is the FROM
/// and WHERE clauses, `args` their arguments.
fn ordered_search_page<T>(
    conn: &Connection,
    from: &str,
    order: &str,
    args: Vec<&dyn rusqlite::ToSql>,
    (limit, offset): (i64, i64),
    read: impl FnMut(&super::sql::Row<'_>) -> super::sql::Result<T>,
) -> Result<(Vec<T>, Total), StoreError> {
    let n = args.len();
    let mut page_args = args.clone();
    page_args.push(&limit);
    page_args.push(&offset);
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {} {from} ORDER BY {order} {}",
            CustomerRow::COLUMNS,
            rows::limit_offset(n + 1),
        ))?
        .query_map(page_args.as_slice(), read)?
        .collect::<Result<Vec<_>, _>>()?;
    let found = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    if found < limit && (found > 0 || offset == 0) {
        // The last page: everything before it and on it is the total.
        return Ok((rows, Total::exact(offset + found)));
    }
    let bound = offset
        .saturating_add(limit)
        .saturating_add(SEARCH_COUNT_AHEAD);
    let probe = bound.saturating_add(1);
    let mut count_args = args;
    count_args.push(&probe);
    let counted: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 {from} ORDER BY {order} LIMIT ?{} + 0) AS m",
            n + 1
        ))?
        .query_row(count_args.as_slice(), |r| r.get(0))?;
    Ok(if counted > bound {
        (
            rows,
            Total {
                n: u64::try_from(bound).unwrap_or(0),
                capped: true,
            },
        )
    } else {
        (rows, Total::exact(counted))
    })
}

/// The search index's shape: how many segments (b-trees) it has, its write
/// counter and its leaf pages. FTS5 flushes a new segment at each committed
/// write and each savepoint of a group commit, and before an insert whose
/// rowid is below the pending ones, which is every insert here (the rowids
/// run newest first), then merges segments level by level: any run of writes
/// leaves a dozen or two, and a search seeks every trigram in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchIndexShape {
    pub segments: i64,
    /// FTS5's write counter: the leaf pages flushed to level 0 since the
    /// index was built, about one per indexed insert or edit with this
    /// index's rowids; merges do not move it, a rebuild resets it. `None`
    /// when the structure record could not be read.
    pub writes: Option<u64>,
    pub pages: i64,
}

/// Reads the shape: the counts from FTS5's structure record (row 10 of
/// `customers_search_data`: a 4-byte cookie, an optional 4-byte version
/// marker, then varints for the levels, the segments and the write counter),
/// the pages from `customers_search_idx` (a row per leaf that starts a term,
/// its `pgno` the page number shifted left by one: about a third as many rows
/// as leaves). Cheap enough to run every few seconds.
pub fn search_index_shape(conn: &Connection) -> Result<SearchIndexShape, StoreError> {
    let (segments_by_idx, pages): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), COALESCE(sum(pages), 0)
               FROM (SELECT max(pgno) >> 1 AS pages FROM customers_search_idx GROUP BY segid)",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let record: Option<Vec<u8>> = conn
        .prepare_cached("SELECT block FROM customers_search_data WHERE id = 10")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let counts = record.as_deref().and_then(fts5_structure_counts);
    Ok(SearchIndexShape {
        segments: counts.map_or(segments_by_idx, |(segments, _)| segments),
        writes: counts.map(|(_, writes)| writes),
        pages,
    })
}

/// The segments and the write counter of an FTS5 structure record.
fn fts5_structure_counts(record: &[u8]) -> Option<(i64, u64)> {
    let mut at = 4;
    if record.get(4..8) == Some(&[0xff, 0, 0, 1][..]) {
        at = 8;
    }
    let mut next = || -> Option<u64> {
        let (value, used) = sqlite_varint(record.get(at..)?)?;
        at += used;
        Some(value)
    };
    let _levels = next()?;
    let segments = i64::try_from(next()?).ok()?;
    Some((segments, next()?))
}

/// SQLite's varint: big-endian groups of 7 bits, the high bit set on all but
/// the last; the ninth byte, if reached, gives all 8 bits.
fn sqlite_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (i, &b) in bytes.iter().take(9).enumerate() {
        if i == 8 {
            return Some(((value << 8) | u64::from(b), 9));
        }
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// One step of an incremental 'optimize' of the search index (FTS5's 'merge'
/// command, about `pages` pages of work): `start` begins merging every
/// segment into one, the following steps continue it. True when the step
/// found work to do; a run of steps until false leaves one segment.
pub fn merge_search_index(
    tx: &Transaction<'_>,
    pages: i64,
    start: bool,
) -> Result<bool, StoreError> {
    let pages = pages.max(1);
    // SQLite's FTS5 index only; PostgreSQL's trigram index keeps itself.
    let Some(c) = tx.as_sqlite() else {
        return Ok(false);
    };
    let before = c.total_changes();
    tx.exec(
        "INSERT INTO customers_search (customers_search, rank) VALUES ('merge', ?1)",
        [if start { -pages } else { pages }],
    )?;
    Ok(c.total_changes() - before > 1)
}

/// Merges the whole search index into one segment (after a bulk load).
pub fn optimize_search_index(tx: &Transaction<'_>) -> Result<(), StoreError> {
    if tx.engine() == Engine::Postgres {
        return Ok(()); // a trigram index: nothing to merge
    }
    tx.exec(
        "INSERT INTO customers_search (customers_search) VALUES ('optimize')",
        [],
    )?;
    Ok(())
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

/// Whether `customer_counts` keeps the count of a list's matches.
enum Kept {
    /// The filter uses more than the counts are kept by (a search, dates).
    No,
    /// A reseller's filter on another operator: nothing matches.
    Zero,
    /// Kept by operator, status and package (`None`: any).
    By {
        operator: Option<i64>,
        status: Option<String>,
        package: Option<i64>,
    },
}

/// How a list's total can be had without counting rows.
fn kept_count(filter: &CustomerFilter, vis: Visibility) -> Kept {
    let searching = filter
        .search
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    // The kept counts know nothing of search, creation dates or dues.
    if searching || filter.created_from.is_some() || filter.created_to.is_some() || filter.due {
        return Kept::No;
    }
    if let (Some(mine), Some(asked)) = (vis.operator_id, filter.operator_id) {
        if mine != asked {
            return Kept::Zero;
        }
    }
    Kept::By {
        operator: vis.operator_id.or(filter.operator_id),
        status: filter.status.clone(),
        package: filter.package_id,
    }
}

/// The kept count of the customers of an operator, status and package
/// (placeholders `?first` to `?first + 2`; NULL: any).
fn kept_count_sql(first: usize) -> String {
    let (o, s, p) = (first, first + 1, first + 2);
    format!(
        "SELECT COALESCE(CAST(SUM(n) AS BIGINT), 0) FROM customer_counts \
         WHERE (?{o} IS NULL OR operator_key = ?{o}) AND (?{s} IS NULL OR status = ?{s}) \
         AND (?{p} IS NULL OR package_key = ?{p})"
    )
}

/// Customers by status (for the dashboard), within the caller's visibility.
pub fn count_by_status(
    conn: &Connection,
    vis: Visibility,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, CAST(SUM(n) AS BIGINT) FROM customer_counts WHERE ?1 IS NULL OR operator_key = ?1
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use crate::store::sql::Connection;
    use rusqlite::params;
    use time::macros::datetime;

    use super::{create, list, set_status, CustomerFilter, NewCustomer, Total, SEARCH_COUNT_AHEAD};
    use crate::store::vm_steps::vm_steps;
    use crate::{
        domain::visibility::Visibility,
        store::{
            operators::{self, OperatorFields},
            Db,
        },
    };

    #[test]
    fn the_fts5_structure_record_gives_segments_and_writes() {
        // Records read from real indexes: 12 segments after 185,939 writes;
        // 19 after 103,000 (varints of one to three bytes).
        let a = [0, 0, 0, 0, 0x0c, 0x0c, 0x8b, 0xac, 0x53, 0, 0x07];
        assert_eq!(super::fts5_structure_counts(&a), Some((12, 185_939)));
        let b = [0, 0, 0, 0x0a, 0x13, 0x86, 0xa4, 0x58, 0];
        assert_eq!(
            super::fts5_structure_counts(&[&[0][..], &b].concat()),
            Some((19, 103_000))
        );
        // The version-2 marker after the cookie.
        let c = [0, 0, 0, 1, 0xff, 0, 0, 1, 0x02, 0x03, 0x05];
        assert_eq!(super::fts5_structure_counts(&c), Some((3, 5)));
        // Cut short.
        assert_eq!(
            super::fts5_structure_counts(&[0, 0, 0, 0, 0x0c, 0x8b]),
            None
        );
        assert_eq!(super::sqlite_varint(&[0xff; 9]), Some((u64::MAX, 9)));
    }

    /// The kept counts equal a count of the rows
    /// for every way of filtering by operator and status, after creates,
    /// status changes, a move to another operator and deletes; and the
    /// dashboard's counts by status likewise.
    #[test]
    fn kept_counts_match_the_rows_after_changes() {
        let (_dir, db, ops) = seeded();
        db.write(move |tx| {
            let ids: Vec<i64> = tx
                .prepare("SELECT id FROM customers ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for id in ids.iter().step_by(7) {
                super::delete(
                    tx,
                    &super::Who::job("test"),
                    *id,
                    Visibility::ALL,
                    time::OffsetDateTime::UNIX_EPOCH,
                )?;
            }
            for id in ids.iter().skip(3).step_by(11) {
                tx.execute(
                    "UPDATE customers SET operator_id = ?1, status = 'suspended' WHERE id = ?2",
                    params![ops[1], id],
                )?;
            }
            Ok(())
        })
        .unwrap();
        let raw = db.conn().unwrap();
        let conn = crate::store::sql::Connection::sqlite(&raw);
        let mut checked = 0;
        for op in [None, Some(ops[0]), Some(ops[1]), Some(999)] {
            for status in [
                None,
                Some("active"),
                Some("suspended"),
                Some("expired"),
                Some("gone"),
            ] {
                let kept: i64 = conn
                    .query_row(
                        &format!("SELECT ({})", super::kept_count_sql(1)),
                        params![op, status, None::<i64>],
                        |r| r.get(0),
                    )
                    .unwrap();
                let rows: i64 = conn
                    .query_row(
                        "SELECT count(*) FROM customers
                          WHERE (?1 IS NULL OR operator_id = ?1) AND (?2 IS NULL OR status = ?2)",
                        params![op, status],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(kept, rows, "operator {op:?}, status {status:?}");
                checked += 1;
            }
            let vis = Visibility { operator_id: op };
            let by_status = super::count_by_status(&conn, vis).unwrap();
            let scanned: Vec<(String, i64)> = conn
                .prepare(
                    "SELECT status, count(*) FROM customers WHERE ?1 IS NULL OR operator_id = ?1
                      GROUP BY status ORDER BY status",
                )
                .unwrap()
                .query_map([op], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(by_status, scanned, "operator {op:?}");
        }
        assert_eq!(checked, 20);
    }

    /// A first page filtered by status, package or operator (every reseller's
    /// list is) reads about the rows it shows, as an unfiltered one does: the
    /// filter's index ends with the creation time (migration 0022). Before,
    /// it read every matching row, or walked the creation index past the
    /// others: 5,000 customers with 1 in 20 matching cost 30-100 times the
    /// unfiltered page.
    #[test]
    fn a_filtered_first_page_reads_about_the_rows_it_shows() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), 1).unwrap();
        let op = db
            .write(|tx| {
                let f = OperatorFields {
                    name: Some("Reseller".into()),
                    email: None,
                    phone: None,
                };
                Ok(operators::create(tx, &f, "2026-01-01T00:00:00Z")?.id)
            })
            .unwrap();
        let raw = db.conn().unwrap();
        let conn = crate::store::sql::Connection::sqlite(&raw);
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
             INSERT INTO customers (name, phone, connection_type, status, operator_id,
                                    created_at, updated_at)
             SELECT 'c' || i, '017' || i, 'static',
                    CASE WHEN i % 20 = 7 THEN 'inactive' ELSE 'active' END,
                    CASE WHEN i % 20 = 11 THEN ?1 END,
                    strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i * 60, 'unixepoch'), 'x'
             FROM n",
            [op],
        )
        .unwrap();
        // Counted the second time: the progress handler counts the
        // statement's preparation too.
        let page = |filter: &CustomerFilter, vis: Visibility| {
            let read = || {
                let (rows, _) = list(&conn, filter, vis, 20, 0).unwrap();
                assert_eq!(rows.len(), 20);
            };
            read();
            vm_steps(&conn, read)
        };
        let plain = page(&CustomerFilter::default(), Visibility::ALL);
        let inactive = CustomerFilter {
            status: Some("inactive".into()),
            ..CustomerFilter::default()
        };
        let by_status = page(&inactive, Visibility::ALL);
        let reseller = page(&CustomerFilter::default(), Visibility::operator(op));
        let by_operator = CustomerFilter {
            operator_id: Some(op),
            ..CustomerFilter::default()
        };
        let by_operator = page(&by_operator, Visibility::ALL);
        // The orders the status index also serves: by status, and by id
        // within a status.
        let by_status_order = CustomerFilter {
            sort: Some("status".into()),
            ..CustomerFilter::default()
        };
        let by_status_order = page(&by_status_order, Visibility::ALL);
        let inactive_by_id = CustomerFilter {
            sort: Some("-id".into()),
            ..inactive.clone()
        };
        let inactive_by_id = page(&inactive_by_id, Visibility::ALL);
        // And a reseller's list by id (integrators page by id).
        let reseller_by_id = CustomerFilter {
            sort: Some("id".into()),
            ..CustomerFilter::default()
        };
        let reseller_by_id = page(&reseller_by_id, Visibility::operator(op));
        for (what, n) in [
            ("reseller, sort=id", reseller_by_id),
            ("status", by_status),
            ("reseller", reseller),
            ("operator", by_operator),
            ("sort=status", by_status_order),
            ("status, sort=-id", inactive_by_id),
        ] {
            assert!(n <= plain * 2, "{what}: {n} steps, unfiltered {plain}");
        }
        // Newest first, as unfiltered.
        let (rows, _) = list(&conn, &inactive, Visibility::ALL, 2, 0).unwrap();
        assert_eq!(rows[0].name, "c4987");
        assert_eq!(rows[1].name, "c4967");
    }

    /// A small deterministic generator (xorshift), so a failure repeats.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    /// 400 customers: common and compound names (the middle of a word:
    /// "Abdurrafiq", "Shafiq"), phones, some emails and login names, four
    /// statuses, two operators, creation times that tie to the second and
    /// some before 2020.
    fn seeded() -> (tempfile::TempDir, Db, [i64; 2]) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), 2).unwrap();
        let first = [
            "Rafiq",
            "Rafiqul",
            "Abdurrafiq",
            "Shafiq",
            "Fatima",
            "Karim",
            "Nusrat",
            "Tanvir",
            "Mdrafiq",
            "Ayesha",
            "Ra_fiq",
            "100%",
        ];
        let last = [
            "Ahmed",
            "Begum",
            "Hossain",
            "Rahman",
            "Islam",
            "Chowdhury",
            "Karim",
        ];
        let ops = db
            .write(|tx| {
                let mut ids = [0; 2];
                for (i, id) in ids.iter_mut().enumerate() {
                    let f = OperatorFields {
                        name: Some(format!("Operator {i}")),
                        email: None,
                        phone: None,
                    };
                    *id = operators::create(tx, &f, "2026-01-01T00:00:00Z")?.id;
                }
                Ok(ids)
            })
            .unwrap();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        db.write(move |tx| {
            for i in 0..400 {
                let (f, l) = (rng.pick(&first), rng.pick(&last));
                let login = format!("{}.{}{i}", f.to_lowercase(), l.to_lowercase());
                let new = NewCustomer {
                    name: format!("{f} {l}"),
                    email: (rng.below(4) != 0).then(|| format!("{login}@mail.example")),
                    phone: format!("01{}{:08}", 3 + rng.below(7), rng.next() % 100_000_000),
                    connection_type: "pppoe".into(),
                    username: (rng.below(3) != 0).then_some(login),
                    operator_id: [None, Some(ops[0]), Some(ops[1])][rng.below(3)],
                    ..NewCustomer::default()
                };
                // Ties to the second, and times from 2015 to 2026.
                let seconds = (rng.below(60) * 86_400 * 70 + rng.below(3)) as i64;
                let now = datetime!(2015-03-01 12:00:00 UTC) + time::Duration::seconds(seconds);
                let row = create(tx, &new, now)?;
                let status = ["active", "active", "suspended", "expired", "inactive"][rng.below(5)];
                set_status(
                    tx,
                    &super::Who::job("test"),
                    row.id,
                    Visibility::ALL,
                    status,
                    "test",
                    now,
                )?;
            }
            Ok(())
        })
        .unwrap();
        (dir, db, ops)
    }

    /// What a plain scan finds: every customer with `term` anywhere in the
    /// name, phone, email or login name (any case), newest first.
    fn scanned(conn: &Connection, term: &str, status: Option<&str>, vis: Visibility) -> Vec<i64> {
        let like = format!("%{}%", super::escape_like(term));
        let mut stmt = conn
            .prepare(
                r"SELECT id FROM customers
                  WHERE (name LIKE ?1 ESCAPE '\' OR phone LIKE ?1 ESCAPE '\'
                         OR email LIKE ?1 ESCAPE '\' OR username LIKE ?1 ESCAPE '\')
                    AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR operator_id = ?3)
                  ORDER BY created_at DESC, id DESC",
            )
            .unwrap();
        stmt.query_map(params![like, status, vis.operator_id], |r| r.get(0))
            .unwrap()
            .collect::<Result<Vec<i64>, _>>()
            .unwrap()
    }

    /// Every page of a search, in turn, and each page's total.
    fn paged(
        conn: &Connection,
        filter: &CustomerFilter,
        vis: Visibility,
        per_page: i64,
    ) -> (Vec<i64>, Vec<Total>) {
        let (mut ids, mut totals) = (Vec::new(), Vec::new());
        for page in 0.. {
            let (rows, total) = list(conn, filter, vis, per_page, page * per_page).unwrap();
            totals.push(total);
            if rows.is_empty() {
                break;
            }
            ids.extend(rows.iter().map(|r| r.id));
        }
        (ids, totals)
    }

    const TERMS: [&str; 18] = [
        "rafiq", "RAFIQ", "afiq", "fiq", "rrafiq", "mdraf", "1234", "345", "0171", "99999",
        "ahmed", "hmed", "mail.ex", "q.ah", "rafiq ah", "ra_f", "100%", "example",
    ];

    /// The search finds exactly what a substring scan finds, in the same
    /// order, page after page, whatever the filters and the caller: name
    /// prefixes, the middle of a word (it still matches: "afiq" finds Rafiq,
    /// Shafiq and Abdurrafiq), phone fragments, emails, login names, `%`
    /// and `_` as themselves. Only the total may stop counting, and says so.
    #[test]
    fn search_finds_what_a_substring_scan_finds() {
        let (_dir, db, ops) = seeded();
        let raw = db.conn().unwrap();
        let conn = crate::store::sql::Connection::sqlite(&raw);
        let mut capped = 0;
        for term in TERMS {
            for status in [None, Some("active")] {
                for vis in [Visibility::ALL, Visibility::operator(ops[1])] {
                    let want = scanned(&conn, term, status, vis);
                    for sort in [None, Some("-created_at"), Some("id")] {
                        let filter = CustomerFilter {
                            search: Some(term.into()),
                            status: status.map(Into::into),
                            sort: sort.map(Into::into),
                            ..CustomerFilter::default()
                        };
                        let (mut got, totals) = paged(&conn, &filter, vis, 7);
                        let case = format!("{term:?} {status:?} {vis:?} {sort:?}");
                        if sort == Some("id") {
                            got.sort_unstable_by(|a, b| b.cmp(a));
                            let mut want = want.clone();
                            want.sort_unstable_by(|a, b| b.cmp(a));
                            assert_eq!(got, want, "{case}");
                        } else {
                            assert_eq!(got, want, "{case}");
                        }
                        let n = want.len() as u64;
                        for (page, total) in totals.iter().enumerate() {
                            let bound = (page as i64 + 1) * 7 + SEARCH_COUNT_AHEAD;
                            if total.capped {
                                capped += 1;
                                assert_eq!(total.n, bound as u64, "{case} page {page}");
                                assert!(n > total.n, "{case} page {page}");
                            } else {
                                assert_eq!(total.n, n, "{case} page {page}");
                            }
                        }
                    }
                }
            }
        }
        assert!(capped > 0, "some searches match more than a page and 100");
    }

    /// The index rebuilt by its migration from rows already there finds the
    /// same as the one kept by the triggers.
    #[test]
    fn the_migration_builds_the_same_index() {
        let (_dir, db, _) = seeded();
        let raw = db.conn().unwrap();
        let conn = crate::store::sql::Connection::sqlite(&raw);
        let search = |conn: &Connection| -> Vec<Vec<i64>> {
            TERMS
                .iter()
                .map(|t| {
                    let filter = CustomerFilter {
                        search: Some((*t).into()),
                        ..CustomerFilter::default()
                    };
                    paged(conn, &filter, Visibility::ALL, 50).0
                })
                .collect()
        };
        let before = search(&conn);
        let sql = crate::store::migrations::all()
            .unwrap()
            .into_iter()
            .find(|m| m.version == 21)
            .unwrap()
            .sql;
        conn.execute_batch(&sql).unwrap();
        assert_eq!(search(&conn), before);
    }
}
