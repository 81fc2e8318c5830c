//! The API request log (`api_request_log`): appended in batches by the
//! request-log worker, read by the panel and `GET /api/v2/logs/api-requests`.

use rusqlite::{params, params_from_iter, types::Value, Connection, Transaction};

use super::StoreError;

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
    let mut clauses = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(id) = filter.api_client_id {
        args.push(id.into());
        clauses.push(format!("api_client_id = ?{}", args.len()));
    }
    if let Some(status) = filter.status {
        args.push(i64::from(status).into());
        clauses.push(format!("status = ?{}", args.len()));
    }
    if let Some(prefix) = &filter.path_prefix {
        // Range on the prefix instead of LIKE, so `%` and `_` mean themselves.
        args.push(prefix.clone().into());
        clauses.push(format!("substr(path, 1, length(?{0})) = ?{0}", args.len()));
    }
    if let Some(from) = &filter.from {
        args.push(from.clone().into());
        clauses.push(format!("at >= ?{}", args.len()));
    }
    if let Some(to) = &filter.to {
        args.push(to.clone().into());
        clauses.push(format!("at <= ?{}", args.len()));
    }
    let filter_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM api_request_log {filter_sql}"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let mut page_args = args.clone();
    page_args.push(limit.into());
    page_args.push(offset.into());
    let mut stmt = conn.prepare(&format!(
        "SELECT id, at, api_client_id, staff_user_id, method, route, path, status, duration_ms, ip
         FROM api_request_log {filter_sql}
         ORDER BY at DESC, id DESC LIMIT ?{} OFFSET ?{}",
        args.len() + 1,
        args.len() + 2
    ))?;
    let rows = stmt
        .query_map(params_from_iter(page_args.iter()), |r| {
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
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Deletes entries older than `before`; returns how many.
pub fn delete_before(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    Ok(tx.execute("DELETE FROM api_request_log WHERE at < ?1", [before])?)
}
