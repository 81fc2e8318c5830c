//! MikroTik routers: inventory (the password sealed, never returned), the
//! state the poller saw, reconciliation requests written together with the
//! customer changes that call for them, and the logins a router should have.

use super::sql::{Connection, OptionalExtension, Transaction};
use rusqlite::params;

use super::{
    inventory::{record_down, SET_UP},
    names::{self, Named},
    rows::{self, fields, record, Fields},
    StoreError,
};

record! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct RouterRow in r {
        pub id: i64,
        pub name: String,
        pub host: String,
        pub port: i64,
        pub username: String,
        pub use_tls: bool,
        pub tls_verify: bool,
        pub transport: String,
        pub status: String,
        pub status_since: Option<String>,
        pub last_seen_at: Option<String>,
        pub last_error: Option<String>,
        pub identity: Option<String>,
        pub version: Option<String>,
        pub board: Option<String>,
        pub uptime: Option<String>,
        pub cpu_load: Option<i64>,
        pub last_sync_at: Option<String>,
        pub last_sync_error: Option<String>,
        pub customers: i64 = "(SELECT COUNT(*) FROM customers c WHERE c.router_id = r.id)",
        pub radius_enabled: bool = "r.radius_secret_sealed IS NOT NULL",
        pub nas_ip: Option<String>,
        pub radius_require_message_authenticator: bool,
        pub coa_port: i64,
        pub auth_mode: String,
        pub address_pool: Option<String>,
        pub radius_last_request_at: Option<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

fields! {
    /// The fields a caller sets.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RouterFields {
        pub name: String,
        pub host: String,
        pub port: i64,
        pub username: String,
        pub transport: String,
        pub use_tls: bool,
        pub tls_verify: bool,
        pub nas_ip: Option<String>,
        pub radius_require_message_authenticator: bool,
        pub coa_port: i64,
        /// `secrets` or `radius`.
        pub auth_mode: String,
        /// RADIUS: Framed-Pool when the package names none.
        pub address_pool: Option<String>,
    }
}

/// A RADIUS secret change: `None` keeps it, `Some(None)` removes it (the
/// router is no longer a RADIUS client), `Some(Some(sealed))` sets it.
pub type SecretChange = Option<Option<String>>;

/// What the poller read from a router.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resource {
    pub identity: Option<String>,
    pub version: Option<String>,
    pub board: Option<String>,
    pub uptime: Option<String>,
    pub cpu_load: Option<i64>,
}

record! {
    /// A customer login a router should carry.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct LoginSpec in c {
        pub customer_id: i64 = "c.id",
        pub connection_type: String,
        pub username: String,
        pub password_sealed: Option<String> = "c.login_password_sealed",
        pub profile: Option<String> = "p.router_profile",
        pub status: String,
    }
}

pub fn create(
    tx: &Transaction<'_>,
    f: &RouterFields,
    password_sealed: &str,
    radius_secret_sealed: Option<&str>,
    now: &str,
) -> Result<RouterRow, StoreError> {
    names::ensure_free(tx, Named::Routers, &f.name, None)?;
    let id: i64 = rows::value(
        tx,
        "INSERT INTO routers (name, host, port, username, transport, use_tls, tls_verify, \
         nas_ip, radius_require_message_authenticator, coa_port, auth_mode, address_pool, \
         password_sealed, radius_secret_sealed, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) \
         RETURNING id",
        rows::args(
            &f.values(),
            &[&password_sealed, &radius_secret_sealed, &now],
        )
        .as_slice(),
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

/// Replaces the fields (and the password when given); asks for a sync.
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    f: &RouterFields,
    password_sealed: Option<&str>,
    radius_secret: &SecretChange,
    now: &str,
) -> Result<RouterRow, StoreError> {
    get(tx, id)?.ok_or(StoreError::NotFound)?;
    names::ensure_free(tx, Named::Routers, &f.name, Some(id))?;
    let secret_changed = radius_secret.is_some();
    let secret = radius_secret.clone().flatten();
    tx.exec(
        "UPDATE routers SET name = ?1, host = ?2, port = ?3, username = ?4, transport = ?5, \
         use_tls = ?6, tls_verify = ?7, nas_ip = ?8, radius_require_message_authenticator = ?9, \
         coa_port = ?10, auth_mode = ?11, address_pool = ?12, \
         password_sealed = COALESCE(?13, password_sealed), \
         radius_secret_sealed = CASE WHEN ?14 THEN ?15 ELSE radius_secret_sealed END, \
         status = 'unknown', status_since = ?16, updated_at = ?16 WHERE id = ?17",
        rows::args(
            &f.values(),
            &[&password_sealed, &secret_changed, &secret, &now, &id],
        )
        .as_slice(),
    )?;
    request_sync(tx, Some(id), now)?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

/// Deletes a router no customer is on.
pub fn delete(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    let row = get(tx, id)?.ok_or(StoreError::NotFound)?;
    if row.customers > 0 {
        return Err(StoreError::Conflict(format!(
            "{} customers are on this router; move them to another router first.",
            row.customers
        )));
    }
    tx.exec(
        "DELETE FROM router_sync_requests WHERE router_id = ?1",
        [id],
    )?;
    tx.exec("DELETE FROM routers WHERE id = ?1", [id])?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<RouterRow>, StoreError> {
    rows::one(conn, "FROM routers r WHERE r.id = ?1", [id])
}

pub fn exists(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    rows::exists(conn, "FROM routers WHERE id = ?1", [id])
}

/// Routers by name, and how many there are.
pub fn list(
    conn: &Connection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RouterRow>, i64), StoreError> {
    rows::page(
        conn,
        "FROM routers r",
        "",
        "r.name, r.id",
        &[],
        limit,
        offset,
    )
}

/// A router's RADIUS secret, sealed (None: the router is not a RADIUS client).
pub fn radius_secret(conn: &Connection, id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT radius_secret_sealed FROM routers WHERE id = ?1",
            [id],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

/// Every router with its sealed password (for the poller).
pub fn all_with_secrets(conn: &Connection) -> Result<Vec<(RouterRow, String)>, StoreError> {
    rows::all_with(
        conn,
        "r.password_sealed",
        "FROM routers r ORDER BY r.id",
        [],
    )
}

/// One router with its sealed password.
pub fn with_secret(conn: &Connection, id: i64) -> Result<Option<(RouterRow, String)>, StoreError> {
    rows::one_with(
        conn,
        "r.password_sealed",
        "FROM routers r WHERE r.id = ?1",
        [id],
    )
}

/// Records a poll: reachable with what it said, or not with why. The status
/// changes (and `status_since` moves) only when it differs.
pub fn record_poll(
    tx: &Transaction<'_>,
    id: i64,
    result: Result<&Resource, &str>,
    now: &str,
) -> Result<(), StoreError> {
    match result {
        Ok(res) => {
            tx.exec(
                &format!(
                    "UPDATE routers SET {SET_UP}, identity = ?3, version = ?4, board = ?5, \
                     uptime = ?6, cpu_load = ?7 WHERE id = ?1"
                ),
                params![
                    id,
                    now,
                    res.identity,
                    res.version,
                    res.board,
                    res.uptime,
                    res.cpu_load
                ],
            )?;
            Ok(())
        }
        Err(why) => record_down(tx, "routers", id, why, now),
    }
}

/// Asks for a reconciliation of `router_id` (no-op for None).
pub fn request_sync(
    tx: &Transaction<'_>,
    router_id: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    if let Some(id) = router_id {
        rows::execute(
            tx,
            "INSERT INTO router_sync_requests (router_id, requested_at) VALUES (?1, ?2) \
             ON CONFLICT (router_id) DO UPDATE SET seq = router_sync_requests.seq + 1, \
             requested_at = excluded.requested_at",
            params![id, now],
        )?;
    }
    Ok(())
}

/// Asks for a reconciliation of every router with a customer on `package_id`.
pub fn request_sync_for_package(
    tx: &Transaction<'_>,
    package_id: i64,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO router_sync_requests (router_id, requested_at) \
         SELECT DISTINCT router_id, ?2 FROM customers \
         WHERE package_id = ?1 AND router_id IS NOT NULL AND true \
         ON CONFLICT (router_id) DO UPDATE SET seq = router_sync_requests.seq + 1, \
         requested_at = excluded.requested_at",
        params![package_id, now],
    )?;
    Ok(())
}

/// Pending requests: (router id, request sequence).
pub fn sync_requests(conn: &Connection) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT router_id, seq FROM router_sync_requests")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Records a reconciliation that started when the request was at `seq`; the
/// request is cleared unless a newer one came meanwhile.
pub fn record_sync(
    tx: &Transaction<'_>,
    id: i64,
    seq: Option<i64>,
    error: Option<&str>,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE routers SET last_sync_at = ?2, last_sync_error = ?3 WHERE id = ?1",
        params![id, now, error],
    )?;
    if error.is_none() {
        if let Some(seq) = seq {
            tx.exec(
                "DELETE FROM router_sync_requests WHERE router_id = ?1 AND seq = ?2",
                params![id, seq],
            )?;
        }
    }
    Ok(())
}

/// The PPPoE and hotspot customers of a router.
pub fn logins(conn: &Connection, router_id: i64) -> Result<Vec<LoginSpec>, StoreError> {
    rows::all(
        conn,
        "FROM customers c LEFT JOIN packages p ON p.id = c.package_id \
         WHERE c.router_id = ?1 AND c.connection_type IN ('pppoe', 'hotspot') \
         AND c.username IS NOT NULL ORDER BY c.id",
        [router_id],
    )
}

/// A customer's router and login name, for actions on their session.
pub fn customer_login(
    conn: &Connection,
    customer_id: i64,
) -> Result<Option<(i64, String, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT router_id, username, connection_type FROM customers \
             WHERE id = ?1 AND router_id IS NOT NULL AND username IS NOT NULL",
            [customer_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}
