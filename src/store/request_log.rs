//! The API request log (`api_request_log`): appended in batches by the
//! request-log worker, read by the panel and `GET /api/v2/logs/api-requests`.
//!
//! Two kinds of rows: one request each (`count` NULL), and counted rows for
//! rejected requests of unknown callers, one per address, minute, method,
//! route and status, whose `count` grows as more arrive (their `at` is the
//! first one's). Rows are read newest first by id, and the writer never lets
//! `at` go backwards as ids grow (an entry stamped before the last written one
//! takes that one's time), so a time range is an id range, found by a binary
//! search on the rowid: no index on `at` to keep up on every insert.

use super::rows::Exec;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::{
    rows::{self, Conditions, FromRow},
    StoreError,
};

/// One logged request, or a count of rejected requests of unknown callers.
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
    /// `None`: one request, its own row. `Some(n)`: `n` rejected requests of
    /// an unknown caller, added to the row of their address, minute (of
    /// `at`), method, route and status (the first one's path is kept, and the
    /// longest duration).
    pub count: Option<i64>,
}

impl RequestLogEntry {
    /// How many requests the entry stands for.
    pub fn requests(&self) -> i64 {
        self.count.unwrap_or(1)
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLogRow {
    pub id: i64,
    pub entry: RequestLogEntry,
}

impl FromRow for RequestLogRow {
    const COLUMNS: &'static str =
        "id, at, api_client_id, staff_user_id, method, route, path, status, duration_ms, ip, count";
    const WIDTH: usize = 11;

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
                count: r.get(10)?,
            },
        })
    }
}

/// The `at` of the newest row.
fn last_at(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT at FROM api_request_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// Appends a batch (counted entries are added to their minute's row when it
/// exists); also moves each client's `last_used_at` forward.
pub fn append(tx: &Transaction<'_>, entries: &[RequestLogEntry]) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO api_request_log
           (at, api_client_id, staff_user_id, method, route, path, status, duration_ms, ip, count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    // Same conditions as the partial unique index `api_request_log_counted`.
    let mut add = tx.prepare_cached(
        "UPDATE api_request_log
            SET count = count + ?1, duration_ms = max(duration_ms, ?2)
          WHERE count IS NOT NULL AND ip IS ?3 AND substr(at, 1, 16) = substr(?4, 1, 16)
            AND method = ?5 AND route = ?6 AND status = ?7",
    )?;
    let mut newest = last_at(tx)?;
    let mut last_use = std::collections::BTreeMap::<i64, &str>::new();
    for e in entries {
        // Times never go backwards as ids grow (see the module's comment).
        let at = match &newest {
            Some(last) if last.as_str() > e.at.as_str() => last.clone(),
            _ => e.at.clone(),
        };
        let added = match e.count {
            Some(n) => add.execute(params![
                n,
                e.duration_ms,
                e.ip,
                at,
                e.method,
                e.route,
                e.status
            ])?,
            None => 0,
        };
        if added == 0 {
            insert.execute(params![
                at,
                e.api_client_id,
                e.staff_user_id,
                e.method,
                e.route,
                e.path,
                e.status,
                e.duration_ms,
                e.ip,
                e.count
            ])?;
            newest = Some(at);
        }
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

/// Keeps the newest `max_rows` rows, dropping the oldest: ids only grow and
/// only the oldest rows are ever deleted, so the rows above the id bound are
/// the newest. Costs one index seek when there is nothing to drop.
pub fn enforce_cap(tx: &Transaction<'_>, max_rows: u64) -> Result<usize, StoreError> {
    let max_rows = i64::try_from(max_rows).unwrap_or(i64::MAX);
    let newest: Option<i64> = tx
        .prepare_cached("SELECT max(id) FROM api_request_log")?
        .query_row([], |r| r.get(0))?;
    let Some(newest) = newest else { return Ok(0) };
    let bound = newest.saturating_sub(max_rows);
    Ok(tx
        .prepare_cached("DELETE FROM api_request_log WHERE id <= ?1")?
        .execute([bound])?)
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

/// The first id whose `at` is at or after `t` (`inclusive`), or after `t`;
/// `None` when there is none. A binary search on the rowid (about 20 seeks for
/// a million rows), relying on `at` not going backwards as ids grow.
pub fn first_id_from(
    conn: &Connection,
    t: &str,
    inclusive: bool,
) -> Result<Option<i64>, StoreError> {
    let reaches = |at: &str| if inclusive { at >= t } else { at > t };
    let bounds: (Option<i64>, Option<i64>) = conn
        .prepare_cached("SELECT min(id), max(id) FROM api_request_log")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (Some(mut lo), Some(mut hi)) = bounds else {
        return Ok(None);
    };
    let mut at_or_before = conn.prepare_cached(
        "SELECT id, at FROM api_request_log WHERE id <= ?1 ORDER BY id DESC LIMIT 1",
    )?;
    let newest: String = at_or_before.query_row([hi], |r| r.get(1))?;
    if !reaches(&newest) {
        return Ok(None);
    }
    // Invariant: row `hi` exists and reaches `t`; no row below `lo` does.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (id, at): (i64, String) =
            at_or_before.query_row([mid], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if reaches(&at) {
            hi = id;
        } else {
            lo = mid + 1;
        }
    }
    Ok(Some(hi))
}

/// One page of the log, newest first, and the total count (of rows: a counted
/// row is one, whatever its `count`).
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
    // Time bounds become id bounds; `at` is checked too, so a row is never
    // shown outside the range even if an older database has `at` out of order.
    if let Some(from) = &filter.from {
        match first_id_from(conn, from, true)? {
            Some(id) => cond.add("id >= ?", id),
            None => cond.add("id < ?", i64::MIN),
        }
        cond.add("at >= ?", from.clone());
    }
    if let Some(to) = &filter.to {
        if let Some(id) = first_id_from(conn, to, false)? {
            cond.add("id < ?", id);
        }
        cond.add("at <= ?", to.clone());
    }
    rows::page(
        conn,
        "FROM api_request_log",
        &cond.sql(),
        "id DESC",
        &cond.args(),
        limit,
        offset,
    )
}

/// Deletes entries older than `before`; returns how many.
pub fn delete_before(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    let Some(keep_from) = first_id_from(tx, before, true)? else {
        return Ok(tx.exec("DELETE FROM api_request_log", [])?);
    };
    Ok(tx.exec("DELETE FROM api_request_log WHERE id < ?1", [keep_from])?)
}
