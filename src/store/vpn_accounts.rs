//! VPN accounts. The WireGuard private key and the login password arrive and
//! leave sealed; the store never sees them in clear.

use super::sql::{Connection, Transaction};
use rusqlite::{params, ToSql};

use super::{
    rows::{self, fields, record, Fields},
    Problems, StoreError,
};
use crate::domain::visibility::Visibility;

record! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct VpnAccountRow in v {
        pub id: i64,
        pub name: String,
        pub protocol: String,
        pub customer_id: Option<i64>,
        pub router_id: Option<i64>,
        pub addresses: String,
        pub enabled: bool,
        pub public_key: Option<String> = "v.wg_public_key",
        pub private_key_sealed: Option<String> = "v.wg_private_key_sealed",
        pub username: Option<String>,
        pub password_sealed: Option<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

fields! {
    /// The fields a caller sets (secrets sealed).
    #[derive(Debug, Clone)]
    pub struct VpnAccountFields {
        pub name: String,
        pub protocol: String,
        pub customer_id: Option<i64>,
        pub router_id: Option<i64>,
        pub addresses: String,
        pub enabled: bool,
        pub public_key: Option<String>,
        pub private_key_sealed: Option<String>,
        pub username: Option<String>,
        pub password_sealed: Option<String>,
    }
}

impl From<VpnAccountRow> for VpnAccountFields {
    fn from(r: VpnAccountRow) -> Self {
        Self {
            name: r.name,
            protocol: r.protocol,
            customer_id: r.customer_id,
            router_id: r.router_id,
            addresses: r.addresses,
            enabled: r.enabled,
            public_key: r.public_key,
            private_key_sealed: r.private_key_sealed,
            username: r.username,
            password_sealed: r.password_sealed,
        }
    }
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct VpnAccountFilter {
    pub customer_id: Option<i64>,
    pub router_id: Option<i64>,
    pub protocol: Option<String>,
}

/// A reseller's staff see the accounts of their operator's customers only
/// (never a router's).
const FROM: &str = "FROM vpn_accounts v LEFT JOIN customers c ON c.id = v.customer_id";
const VISIBLE: &str = "(?1 IS NULL OR c.operator_id = ?1)";

fn check(
    tx: &Transaction<'_>,
    f: &VpnAccountFields,
    except: Option<i64>,
) -> Result<(), StoreError> {
    let mut problems = Problems::default();
    let taken = rows::exists(
        tx,
        "FROM vpn_accounts WHERE name = ?1 AND id IS DISTINCT FROM ?2",
        params![f.name, except],
    )?;
    problems.check(taken, "name", "The name has already been taken.");
    if let Some(id) = f.customer_id {
        problems.check(
            !rows::exists(tx, "FROM customers WHERE id = ?1", [id])?,
            "customer_id",
            "The selected customer is invalid.",
        );
    }
    if let Some(id) = f.router_id {
        problems.check(
            !super::routers::exists(tx, id)?,
            "router_id",
            "The selected router is invalid.",
        );
    }
    problems.into_result()
}

pub fn create(
    tx: &Transaction<'_>,
    f: &VpnAccountFields,
    now: &str,
) -> Result<VpnAccountRow, StoreError> {
    check(tx, f, None)?;
    let id: i64 = rows::value(
        tx,
        "INSERT INTO vpn_accounts (name, protocol, customer_id, router_id, addresses, enabled, \
         wg_public_key, wg_private_key_sealed, username, password_sealed, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING id",
        rows::args(&f.values(), &[&now]).as_slice(),
    )?;
    get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)
}

/// The account `id`, if the caller may see it.
pub fn get(
    conn: &Connection,
    id: i64,
    vis: Visibility,
) -> Result<Option<VpnAccountRow>, StoreError> {
    find(conn, "id", &id, vis)
}

/// The account named `name` (case-insensitive), if the caller may see it.
pub fn get_by_name(
    conn: &Connection,
    name: &str,
    vis: Visibility,
) -> Result<Option<VpnAccountRow>, StoreError> {
    find(conn, "name", &name, vis)
}

/// The account whose `column` is `value`, if the caller may see it.
fn find(
    conn: &Connection,
    column: &str,
    value: &dyn ToSql,
    vis: Visibility,
) -> Result<Option<VpnAccountRow>, StoreError> {
    rows::one(
        conn,
        &format!("{FROM} WHERE {VISIBLE} AND v.{column} = ?2"),
        params![vis.operator_id, value],
    )
}

/// Accounts the caller may see, newest first, and how many match.
pub fn list(
    conn: &Connection,
    filter: &VpnAccountFilter,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<VpnAccountRow>, i64), StoreError> {
    rows::page(
        conn,
        FROM,
        &format!(
            "{VISIBLE} AND (?2 IS NULL OR v.customer_id = ?2) AND (?3 IS NULL OR v.router_id = ?3) \
             AND (?4 IS NULL OR v.protocol = ?4)"
        ),
        "v.id DESC",
        params![
            vis.operator_id,
            filter.customer_id,
            filter.router_id,
            filter.protocol
        ],
        limit,
        offset,
    )
}

/// Replaces the fields (secrets included: pass the current ones to keep them).
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    f: &VpnAccountFields,
    now: &str,
) -> Result<VpnAccountRow, StoreError> {
    get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
    check(tx, f, Some(id))?;
    tx.exec(
        "UPDATE vpn_accounts SET name = ?1, protocol = ?2, customer_id = ?3, router_id = ?4, \
         addresses = ?5, enabled = ?6, wg_public_key = ?7, wg_private_key_sealed = ?8, \
         username = ?9, password_sealed = ?10, updated_at = ?11 WHERE id = ?12",
        rows::args(&f.values(), &[&now, &id]).as_slice(),
    )?;
    get(tx, id, Visibility::ALL)?.ok_or(StoreError::NotFound)
}

pub fn delete(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    rows::execute_one(tx, "DELETE FROM vpn_accounts WHERE id = ?1", [id])
}
