//! The API request log (`api_request_log`): appended in batches by the
//! request-log worker, read by the panel and `GET /api/v2/logs/api-requests`.

use rusqlite::{params, Connection, Row, Transaction};

use super::{
    rows::{self, Conditions, FromRow},
    StoreError,
};

/// One logged request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLogEntry {
    pub at: String,
    pub api_client_id: Option<i64>,
    pub staff_user_id: Option<i64>,
    pub method: String,
    pub route: String,
    pub path: String,
    pub status: u16,
    pub duration_ms: i64,
    pub ip: Option<String>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLogRow {
    pub id: i64,
    pub entry: RequestLogEntry,
}

impl FromRow for RequestLogRow {
    const COLUMNS: &'static str =
        "id, at, api_client_id, staff_user_id, method, route, path, status, duration_ms, ip";
    const WIDTH: usize = 10;

    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RequestLogRow {
            id: r.get(0)?,
            entry: RequestLogEntry {
                at: r.get(1)?,
                api_client_id: r.get(2)?,
                staff_user_id: r.get(3)?,
                method: r.get(4)?,
                route: r.get(5)?,
                path: r.get(6)?,
                status: r.get(7)?,
                duration_ms: r.get(8)?,
                ip: r.get(9)?,
            },
        })
    }
}

/// Appends a batch; also moves each client's `last_used_at` forward.
pub fn append(tx: &Transaction<'_>, entries: &[RequestLogEntry]) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO api_request_log
           (at, api_client_id, staff_user_id, method, route, path, status, duration_ms, ip)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut last_use = std::collections::BTreeMap::<i64, &str>::new();
    for e in entries {
        insert.execute(params![
            e.at,
            e.api_client_id,
            e.staff_user_id,
            e.method,
            e.route,
            e.path,
            e.status,
            e.duration_ms,
            e.ip
        ])?;
        if let Some(id) = e.api_client_id {
            let at = last_use.entry(id).or_insert(e.at.as_str());
            if e.at.as_str() > *at {
                *at = e.at.as_str();
            }
        }
    }
    for (id, at) in last_use {
        super::api_clients::touch(tx, id, at)?;
    }
    Ok(())
}

/// Filters of the log listing; all optional.
#[derive(Debug, Clone, Default)]
pub struct RequestLogFilter {
    pub api_client_id: Option<i64>,
    pub status: Option<u16>,
    /// A prefix of the request path.
    pub path_prefix: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One page of the log, newest first, and the total count.
pub fn list(
    conn: &Connection,
    filter: &RequestLogFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RequestLogRow>, u64), StoreError> {
    let mut cond = Conditions::default();
    if let Some(id) = filter.api_client_id {
        cond.add("api_client_id = ?", id);
    }
    if let Some(status) = filter.status {
        cond.add("status = ?", i64::from(status));
    }
    if let Some(prefix) = &filter.path_prefix {
        // Range on the prefix instead of LIKE, so `%` and `_` mean themselves.
        cond.add("substr(path, 1, length(?)) = ?", prefix.clone());
    }
    if let Some(from) = &filter.from {
        cond.add("at >= ?", from.clone());
    }
    if let Some(to) = &filter.to {
        cond.add("at <= ?", to.clone());
    }
    rows::page(
        conn,
        "FROM api_request_log",
        &cond.sql(),
        "at DESC, id DESC",
        &cond.args(),
        limit,
        offset,
    )
}

/// Deletes entries older than `before`; returns how many.
pub fn delete_before(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    Ok(tx.execute("DELETE FROM api_request_log WHERE at < ?1", [before])?)
}
