//! Leases: what runs on one node at a time among the appliance nodes on one
//! database (migration 0024), and each node's liveness (`node:<id>`).

use rusqlite::params;

use super::{
    sql::{Connection, Transaction},
    StoreError,
};

/// The lease naming a node's liveness.
pub fn node_lease(node: &str) -> String {
    format!("node:{node}")
}

/// Takes or renews `name` for `holder` until `until_ms` (unix ms), unless
/// another holder's lease runs past `now_ms`; whether `holder` has it now.
pub fn acquire(
    tx: &Transaction<'_>,
    name: &str,
    holder: &str,
    now_ms: i64,
    until_ms: i64,
    now: &str,
) -> Result<bool, StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO leases (name, holder, expires_ms, renewed_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
         expires_ms = excluded.expires_ms, renewed_at = excluded.renewed_at \
         WHERE leases.holder = excluded.holder OR leases.expires_ms <= ?5 \
         RETURNING holder",
    )?;
    let mut rows = stmt.query(params![name, holder, until_ms, now, now_ms])?;
    Ok(rows.next()?.is_some())
}

/// Gives up every lease `holder` has (a node stopping): others take them at
/// once rather than after they expire.
pub fn release_all(tx: &Transaction<'_>, holder: &str) -> Result<usize, StoreError> {
    Ok(tx.exec("DELETE FROM leases WHERE holder = ?1", params![holder])?)
}

/// A lease as the table has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRow {
    pub name: String,
    pub holder: String,
    pub expires_ms: i64,
}

/// Every lease, by name.
pub fn list(conn: &Connection) -> Result<Vec<LeaseRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT name, holder, expires_ms FROM leases ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(LeaseRow {
            name: r.get(0)?,
            holder: r.get(1)?,
            expires_ms: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
