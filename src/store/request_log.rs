//! The API request log (`api_request_log`): appended in batches by the
//! request-log worker, read by the panel and `GET /api/v2/logs/api-requests`.
//!
//! Two kinds of rows: one request each (`count` NULL), and counted rows for
//! rejected requests of unknown callers, one per address, minute, method,
//! route and status, whose `count` grows as more arrive (their `at` is the
//! first one's). Rows are read newest first by id, and the writer never lets
//! `at` go backwards as ids grow (an entry stamped before the last written one
//! takes that one's time), so a time range is an id range, found by a binary
//! search on the rowid: no index on `at` to keep up on every insert. The two
//! other indexes are cheap to append to (migration 0023): API clients' rows
//! by bucket of ids, then client (a client's rows are read bucket by bucket);
//! failed requests' rows by status (successful ones are not indexed).

use super::sql::{numbered_placeholders, Connection, OptionalExtension, Row, Transaction};
use rusqlite::params;

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

    fn from_row(r: &Row<'_>) -> super::sql::Result<Self> {
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

/// Rows inserted by one statement at most; a batch is cut into pieces of
/// 64, 32, ... 1 rows so that only a few statement texts exist.
const ROWS_PER_INSERT: usize = 64;

/// Appends a batch (counted entries are added to their minute's row when it
/// exists); also moves each client's `last_used_at` forward. Rows of their
/// own are inserted many to a statement, and on PostgreSQL those statements
/// and the clients' updates are pipelined ([`Transaction::exec_later`])
/// rather than a round trip of the writer's each.
pub fn append(tx: &Transaction<'_>, entries: &[RequestLogEntry]) -> Result<(), StoreError> {
    // Same conditions as the partial unique index `api_request_log_counted`.
    let mut add = tx.prepare_cached(
        "UPDATE api_request_log
            SET count = count + ?1, duration_ms = CASE WHEN duration_ms > ?2 THEN duration_ms ELSE ?2 END
          WHERE count IS NOT NULL AND ip IS NOT DISTINCT FROM ?3 AND substr(at, 1, 16) = substr(?4, 1, 16)
            AND method = ?5 AND route = ?6 AND status = ?7",
    )?;
    let mut newest = last_at(tx)?;
    let mut last_use = std::collections::BTreeMap::<i64, &str>::new();
    // Rows to insert, in order, with the time each is written with.
    let mut rows: Vec<(String, &RequestLogEntry)> = Vec::new();
    for e in entries {
        // Times never go backwards as ids grow (see the module's comment).
        let at = match &newest {
            Some(last) if last.as_str() > e.at.as_str() => last.clone(),
            _ => e.at.clone(),
        };
        let added = match e.count {
            Some(n) => {
                // The counted row may be one of the rows not inserted yet.
                insert_rows(tx, &rows)?;
                rows.clear();
                add.execute(params![
                    n,
                    e.duration_ms,
                    e.ip,
                    at,
                    e.method,
                    e.route,
                    e.status
                ])?
            }
            None => 0,
        };
        if added == 0 {
            newest = Some(at.clone());
            rows.push((at, e));
        }
        if let Some(id) = e.api_client_id {
            let at = last_use.entry(id).or_insert(e.at.as_str());
            if e.at.as_str() > *at {
                *at = e.at.as_str();
            }
        }
    }
    insert_rows(tx, &rows)?;
    for (id, at) in last_use {
        super::api_clients::touch(tx, id, at)?;
    }
    Ok(())
}

/// Inserts `rows` in order (ids grow with them), up to [`ROWS_PER_INSERT`]
/// to a statement.
fn insert_rows(
    tx: &Transaction<'_>,
    rows: &[(String, &RequestLogEntry)],
) -> Result<(), StoreError> {
    let mut rest = rows;
    while !rest.is_empty() {
        let n = ROWS_PER_INSERT.min(1 << rest.len().ilog2());
        let (piece, after) = rest.split_at(n);
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(n * 10);
        for (at, e) in piece {
            args.extend_from_slice(&[
                at,
                &e.api_client_id,
                &e.staff_user_id,
                &e.method,
                &e.route,
                &e.path,
                &e.status,
                &e.duration_ms,
                &e.ip,
                &e.count,
            ]);
        }
        // Nothing reads an insert's answer: on PostgreSQL the pieces go out
        // together with the batch's next statement, one round trip for all.
        tx.exec_later(&insert_sql(n), &args)?;
        rest = after;
    }
    Ok(())
}

/// `INSERT INTO api_request_log ... VALUES (...), (...)` for `n` rows.
fn insert_sql(n: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO api_request_log
           (at, api_client_id, staff_user_id, method, route, path, status, duration_ms, ip, count)
         VALUES ",
    );
    let rows: Vec<String> = (0..n)
        .map(|row| format!("({})", numbered_placeholders(row * 10 + 1, 10)))
        .collect();
    sql.push_str(&rows.join(", "));
    sql
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

/// The client index's bucket: rows are indexed by `id >> BUCKET_BITS` before
/// their client (migration 0023, whose shift must be this), so that a batch
/// of new rows touches the newest bucket's pages only, however many clients
/// wrote them.
const BUCKET_BITS: u32 = 12;

/// One page of the log, newest first, and the total count (of rows: a counted
/// row is one, whatever its `count`).
pub fn list(
    conn: &Connection,
    filter: &RequestLogFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RequestLogRow>, u64), StoreError> {
    let mut cond = Conditions::default();
    if let Some(status) = filter.status {
        cond.add("status = ?", i64::from(status));
        if status >= 400 && filter.api_client_id.is_none() {
            // The status index holds these rows only (migration 0023). Not
            // with a client: its bucket seeks are fewer rows to read.
            cond.add_fixed("status >= 400");
        }
    }
    if let Some(prefix) = &filter.path_prefix {
        // Range on the prefix instead of LIKE, so `%` and `_` mean themselves.
        cond.add("substr(path, 1, length(?)) = ?", prefix.clone());
    }
    // Time bounds become id bounds; `at` is checked too, so a row is never
    // shown outside the range even if an older database has `at` out of order.
    let mut ids = IdRange::default();
    if let Some(from) = &filter.from {
        match first_id_from(conn, from, true)? {
            Some(id) => {
                cond.add("id >= ?", id);
                ids.from = Some(id);
            }
            None => return Ok((Vec::new(), 0)),
        }
        cond.add("at >= ?", from.clone());
    }
    if let Some(to) = &filter.to {
        if let Some(id) = first_id_from(conn, to, false)? {
            cond.add("id < ?", id);
            ids.before = Some(id);
        }
        cond.add("at <= ?", to.clone());
    }
    if let Some(client) = filter.api_client_id {
        return client_page(conn, client, &cond, ids, limit, offset);
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

/// Ids a listing is bounded to: at or above `from`, below `before`.
#[derive(Debug, Clone, Copy, Default)]
struct IdRange {
    from: Option<i64>,
    before: Option<i64>,
}

/// One page of a client's rows where `cond` also holds, newest first, and
/// their count: bucket by bucket from the newest, each bucket's rows found by
/// one seek of the client index. Only the buckets that hold rows are visited.
fn client_page(
    conn: &Connection,
    client: i64,
    cond: &Conditions,
    ids: IdRange,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RequestLogRow>, u64), StoreError> {
    let n = cond.args().len();
    let extra = if n == 0 {
        String::new()
    } else {
        format!(" AND {}", cond.sql())
    };
    let in_bucket = format!(
        "FROM api_request_log WHERE (id >> {BUCKET_BITS}) = ?{b} AND api_client_id = ?{c}{extra}",
        b = n + 1,
        c = n + 2
    );
    let mut count = conn.prepare_cached(&format!("SELECT count(*) {in_bucket}"))?;
    let mut rows_of = conn.prepare_cached(&format!(
        "SELECT {} {in_bucket} ORDER BY id DESC {}",
        RequestLogRow::COLUMNS,
        rows::limit_offset(n + 3)
    ))?;
    // The next bucket below `?1` that holds rows of any client: a seek of the
    // index (its WHERE is the index's), so gaps in the ids cost nothing.
    let mut below = conn.prepare_cached(&format!(
        "SELECT max(id >> {BUCKET_BITS}) FROM api_request_log
          WHERE (id >> {BUCKET_BITS}) < ?1 AND api_client_id IS NOT NULL"
    ))?;
    let lowest = match ids.from {
        Some(id) => id >> BUCKET_BITS,
        None => i64::MIN,
    };
    let start = match ids.before {
        Some(id) => id.saturating_sub(1) >> BUCKET_BITS,
        None => {
            let newest: Option<i64> = below.query_row([i64::MAX], |r| r.get(0))?;
            match newest {
                Some(b) => b,
                None => return Ok((Vec::new(), 0)),
            }
        }
    };
    let mut page = Vec::new();
    let mut total: i64 = 0;
    let (mut skip, mut want) = (offset.max(0), limit.max(0));
    let mut bucket = Some(start);
    while let Some(b) = bucket.filter(|b| *b >= lowest) {
        let args: Vec<&dyn rusqlite::ToSql> = cond
            .args()
            .into_iter()
            .chain([&b as _, &client as _])
            .collect();
        let here: i64 = count.query_row(args.as_slice(), |r| r.get(0))?;
        total += here;
        if want > 0 && here > skip {
            let args: Vec<&dyn rusqlite::ToSql> =
                args.into_iter().chain([&want as _, &skip as _]).collect();
            let got = rows_of
                .query_map(args.as_slice(), RequestLogRow::from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            want -= got.len() as i64;
            page.extend(got);
            skip = 0;
        } else {
            skip -= here.min(skip);
        }
        bucket = below.query_row([b], |r| r.get(0))?;
    }
    Ok((page, u64::try_from(total).unwrap_or_default()))
}

/// Deletes entries older than `before`; returns how many.
pub fn delete_before(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    let Some(keep_from) = first_id_from(tx, before, true)? else {
        return Ok(tx.exec("DELETE FROM api_request_log", [])?);
    };
    Ok(tx.exec("DELETE FROM api_request_log WHERE id < ?1", [keep_from])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{vm_steps::vm_steps, Db};

    /// 14,000 rows in four buckets of the client index, the second bucket
    /// deleted whole and the fourth in part; clients 1-3 every fourth row
    /// each, none on the rest, client 99 on a few rows; two statuses and two
    /// paths; `at` one second apart.
    fn log() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), 1).unwrap();
        let raw = db.conn().unwrap();
        let conn = crate::store::sql::Connection::sqlite(&raw);
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 14000)
             INSERT INTO api_request_log
               (id, at, api_client_id, method, route, path, status, duration_ms)
             SELECT i, strftime('%Y-%m-%dT%H:%M:%SZ', 1767225600 + i, 'unixepoch'),
                    CASE WHEN i % 500 = 7 THEN 99 WHEN i % 4 = 0 THEN NULL ELSE i % 4 END,
                    'GET', 'r', CASE i % 2 WHEN 0 THEN '/api/v2/customers' ELSE '/api/v2/bills' END,
                    CASE WHEN i % 7 = 0 THEN 404 ELSE 200 END, 1
               FROM n;
             DELETE FROM api_request_log WHERE id BETWEEN 4096 AND 8191 OR id BETWEEN 12300 AND 12400;",
        )
        .unwrap();
        (dir, db)
    }

    /// A client's pages, read bucket by bucket, are the rows (and the total)
    /// that a scan of the whole log finds for that client, for every filter
    /// and page, including pages that start in one bucket and end in another.
    #[test]
    fn a_clients_pages_are_what_a_scan_finds() {
        let (_dir, db) = log();
        let raw = db.conn().unwrap();
        let conn = crate::store::sql::Connection::sqlite(&raw);
        let filters = [
            RequestLogFilter::default(),
            RequestLogFilter {
                status: Some(404),
                ..Default::default()
            },
            RequestLogFilter {
                path_prefix: Some("/api/v2/cust".into()),
                ..Default::default()
            },
            RequestLogFilter {
                from: Some("2026-01-01T01:00:00Z".into()),
                to: Some("2026-01-01T03:30:00Z".into()),
                ..Default::default()
            },
            RequestLogFilter {
                from: Some("2026-01-01T03:00:00Z".into()),
                status: Some(200),
                ..Default::default()
            },
            RequestLogFilter {
                to: Some("2026-01-01T01:10:00Z".into()),
                ..Default::default()
            },
            RequestLogFilter {
                from: Some("2027-01-01T00:00:00Z".into()),
                ..Default::default()
            },
        ];
        for filter in filters {
            let (all, _) = list(&conn, &filter, 100_000, 0).unwrap();
            for client in [1, 3, 99, 5] {
                let mine: Vec<i64> = all
                    .iter()
                    .filter(|r| r.entry.api_client_id == Some(client))
                    .map(|r| r.id)
                    .collect();
                let by_client = RequestLogFilter {
                    api_client_id: Some(client),
                    ..filter.clone()
                };
                for (limit, offset) in [(20, 0), (50, 1000), (700, 900), (3, 3), (10, 100_000)] {
                    let (page, total) = list(&conn, &by_client, limit, offset).unwrap();
                    let want: Vec<i64> = mine
                        .iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .copied()
                        .collect();
                    let got: Vec<i64> = page.iter().map(|r| r.id).collect();
                    assert_eq!(got, want, "{by_client:?} limit {limit} offset {offset}");
                    assert_eq!(total, mine.len() as u64, "{by_client:?}");
                }
            }
        }
    }

    /// A rare client's page costs a seek per bucket, not a scan of the log:
    /// the shift in BUCKET_BITS must be the one of the index (migration
    /// 0023), or SQLite cannot use it and reads every row. With a failed
    /// status too, the client index is still the one used.
    #[test]
    fn a_rare_clients_page_reads_only_its_rows() {
        let (_dir, db) = log();
        let raw = db.conn().unwrap();
        let conn = crate::store::sql::Connection::sqlite(&raw);
        let scan = scan_steps(&conn, "api_client_id = 99", 20);
        for (status, rows) in [(None, 20), (Some(404), 3)] {
            let filter = RequestLogFilter {
                api_client_id: Some(99),
                status,
                ..Default::default()
            };
            let (page, total) = list(&conn, &filter, 20, 0).unwrap();
            assert_eq!((page.len(), total), (rows, rows as u64), "{filter:?}");
            let steps = vm_steps(&conn, || {
                list(&conn, &filter, 20, 0).unwrap();
            });
            assert!(
                steps * 10 < scan,
                "{filter:?}: {steps} steps, a scan {scan}"
            );
        }
    }

    /// A listing by a failed status reads those rows through the status
    /// index (which holds only them), not every row of the log.
    #[test]
    fn a_failed_status_is_found_by_its_index() {
        let (_dir, db) = log();
        let raw = db.conn().unwrap();
        let conn = crate::store::sql::Connection::sqlite(&raw);
        let scan = scan_steps(&conn, "status = 404", 1401);
        let filter = RequestLogFilter {
            status: Some(404),
            ..Default::default()
        };
        let steps = vm_steps(&conn, || {
            let (page, total) = list(&conn, &filter, 20, 0).unwrap();
            assert_eq!((page.len(), total), (20, 1401));
        });
        assert!(steps * 3 < scan, "{steps} steps, a scan {scan}");
    }

    /// VM steps of counting the rows where `cond` holds by reading them all.
    fn scan_steps(conn: &crate::store::sql::Connection<'_>, cond: &str, rows: i64) -> u64 {
        vm_steps(conn, || {
            let n: i64 = conn
                .query_row(
                    &format!("SELECT count(*) FROM api_request_log NOT INDEXED WHERE {cond}"),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, rows);
        })
    }
}
