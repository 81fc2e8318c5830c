//! Infrastructure status checks and the device access log.

use super::sql::{Connection, Transaction};
use rusqlite::params;

use super::{
    rows::{self, record},
    StoreError,
};

record! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct CheckRow {
        pub name: String,
        pub kind: String,
        pub target: String,
        pub status: String,
        pub since: Option<String>,
        pub latency_ms: Option<i64>,
        pub last_error: Option<String>,
        pub checked_at: Option<String>,
    }
}

/// Keeps only the configured checks (by name), adding new ones as unknown.
pub fn sync_checks(
    tx: &Transaction<'_>,
    checks: &[(String, String, String)],
) -> Result<(), StoreError> {
    let names = serde_json::to_string(&checks.iter().map(|c| &c.0).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    tx.exec(
        &format!(
            "DELETE FROM status_checks WHERE name NOT IN {}",
            tx.engine().json_texts("?1")
        ),
        [names],
    )?;
    for (name, kind, target) in checks {
        tx.exec(
            "INSERT INTO status_checks (name, kind, target) VALUES (?1, ?2, ?3) \
             ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, target = excluded.target, \
             status = CASE WHEN status_checks.target = excluded.target \
                           AND status_checks.kind = excluded.kind THEN status_checks.status ELSE 'unknown' END",
            params![name, kind, target],
        )?;
    }
    Ok(())
}

/// Records a check result; `since` moves only when the status changes.
pub fn record_check(
    tx: &Transaction<'_>,
    name: &str,
    up: bool,
    latency_ms: Option<i64>,
    error: Option<&str>,
    now: &str,
) -> Result<(), StoreError> {
    let status = if up { "up" } else { "down" };
    tx.exec(
        "UPDATE status_checks SET since = CASE WHEN status = ?2 THEN since ELSE ?5 END, \
         status = ?2, latency_ms = ?3, last_error = ?4, checked_at = ?5 WHERE name = ?1",
        params![name, status, latency_ms, error, now],
    )?;
    Ok(())
}

pub fn checks(conn: &Connection) -> Result<Vec<CheckRow>, StoreError> {
    rows::all(conn, "FROM status_checks ORDER BY name", [])
}

/// One access-log entry to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub actor: String,
    pub device_kind: String,
    pub device_id: Option<i64>,
    pub device_name: Option<String>,
    pub action: String,
    pub ok: bool,
    pub detail: Option<String>,
}

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AccessRow {
        pub id: i64,
        pub at: String,
        pub actor: String,
        pub device_kind: String,
        pub device_id: Option<i64>,
        pub device_name: Option<String>,
        pub action: String,
        pub outcome: String,
        pub detail: Option<String>,
    }
}

pub fn log_access(tx: &Transaction<'_>, a: &Access, now: &str) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO device_access_log (at, actor, device_kind, device_id, device_name, action, \
         outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            now,
            a.actor,
            a.device_kind,
            a.device_id,
            a.device_name,
            a.action,
            if a.ok { "ok" } else { "failed" },
            a.detail
        ],
    )?;
    Ok(())
}

/// Entries newest first; optionally only failures.
pub fn access_log(
    conn: &Connection,
    failed_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AccessRow>, i64), StoreError> {
    rows::page(
        conn,
        "FROM device_access_log",
        "NOT ?1 OR outcome = 'failed'",
        "id DESC",
        params![failed_only],
        limit,
        offset,
    )
}

pub fn delete_access_before(tx: &Transaction<'_>, cutoff: &str) -> Result<usize, StoreError> {
    Ok(tx.exec("DELETE FROM device_access_log WHERE at < ?1", [cutoff])?)
}
