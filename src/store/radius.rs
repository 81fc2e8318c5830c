//! What the built-in RADIUS server reads and writes: routers that are RADIUS
//! clients (a sealed shared secret set), the customers a login name may
//! belong to, and when each NAS was last heard from.

use super::sql::{Connection, Transaction};

/// What routers' RADIUS secrets are sealed for.
pub const SECRET_PURPOSE: &str = "router.radius_secret";

use super::{
    rows::{self, record},
    StoreError,
};

record! {
    /// A router that is a RADIUS client (NAS): where its packets come from
    /// (`nas_ip`, else `host`) and its secret, sealed.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct NasRow in r {
        pub router_id: i64 = "r.id",
        pub name: String,
        pub host: String,
        pub nas_ip: Option<String>,
        pub secret_sealed: String = "r.radius_secret_sealed",
        pub require_message_authenticator: bool = "r.radius_require_message_authenticator",
        /// Framed-Pool for logins whose package names none.
        pub address_pool: Option<String> = "r.address_pool",
    }
}

/// Every router with a RADIUS secret.
pub fn clients(conn: &Connection) -> Result<Vec<NasRow>, StoreError> {
    rows::all(
        conn,
        "FROM routers r WHERE r.radius_secret_sealed IS NOT NULL ORDER BY r.id",
        [],
    )
}

/// Records that these routers' RADIUS packets arrived at `now`.
pub fn mark_seen(tx: &Transaction<'_>, router_ids: &[i64], now: &str) -> Result<(), StoreError> {
    for id in router_ids {
        tx.exec_later(
            "UPDATE routers SET radius_last_request_at = ?2 WHERE id = ?1",
            rusqlite::params![id, now],
        )?;
    }
    Ok(())
}

record! {
    /// A customer a login name belongs to, with what an Access-Accept needs.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct LoginRow in c {
        pub customer_id: i64 = "c.id",
        pub router_id: Option<i64>,
        pub connection_type: String,
        pub status: String,
        pub password_sealed: Option<String> = "c.login_password_sealed",
        pub expires_at: Option<String>,
        pub package_id: Option<i64>,
        pub speed_down_kbps: Option<i64> = "p.speed_down_kbps",
        pub speed_up_kbps: Option<i64> = "p.speed_up_kbps",
        pub billing_cycle: Option<String> = "p.billing_cycle",
        pub static_ip: Option<String> = "c.static_ip",
        pub ipv6_prefix: Option<String> = "c.ipv6_prefix",
        pub address_pool: Option<String> = "p.address_pool",
        pub ipv6_pool: Option<String> = "p.ipv6_pool",
        pub ipv6_pd_pool: Option<String> = "p.ipv6_pd_pool",
        pub burst_down_kbps: Option<i64> = "p.burst_down_kbps",
        pub burst_up_kbps: Option<i64> = "p.burst_up_kbps",
        pub burst_threshold_down_kbps: Option<i64> = "p.burst_threshold_down_kbps",
        pub burst_threshold_up_kbps: Option<i64> = "p.burst_threshold_up_kbps",
        pub burst_time_secs: Option<i64> = "p.burst_time_secs",
    }
}

/// The customers whose login name is `username` (one per router at most;
/// the router's own first, then those on no router).
pub fn logins(conn: &Connection, username: &str) -> Result<Vec<LoginRow>, StoreError> {
    rows::all(
        conn,
        "FROM customers c LEFT JOIN packages p ON p.id = c.package_id \
         WHERE c.username = ?1 ORDER BY c.router_id IS NULL, c.id",
        [username],
    )
}
