//! What the appliance keeps from its routers: IP pools with their use, router
//! log entries (pulled and received by syslog), and customers' usage samples.

use super::sql::{Connection, Transaction};
use rusqlite::params;

use super::{
    rows::{self, record},
    StoreError,
};

record! {
    /// An IP pool as last read.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PoolRow in p {
        pub id: i64,
        pub router_id: i64,
        pub router_name: String = "r.name",
        pub name: String,
        pub ranges: String,
        pub size: i64,
        pub used: i64,
        pub updated_at: String,
    }
}

/// A pool read from a router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolState {
    pub name: String,
    pub ranges: String,
    pub size: i64,
    pub used: i64,
}

/// Replaces a router's pools with what it reported.
pub fn replace_pools(
    tx: &Transaction<'_>,
    router_id: i64,
    pools: &[PoolState],
    now: &str,
) -> Result<(), StoreError> {
    tx.exec("DELETE FROM ip_pools WHERE router_id = ?1", [router_id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO ip_pools (router_id, name, ranges, size, used, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for p in pools {
        insert.execute(params![router_id, p.name, p.ranges, p.size, p.used, now])?;
    }
    Ok(())
}

pub fn pools(
    conn: &Connection,
    router_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PoolRow>, i64), StoreError> {
    // Every pool has its router (a foreign key): the join drops none.
    rows::page(
        conn,
        "FROM ip_pools p JOIN routers r ON r.id = p.router_id",
        "?1 IS NULL OR p.router_id = ?1",
        "r.name, p.name",
        params![router_id],
        limit,
        offset,
    )
}

/// A log entry to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLog {
    pub router_id: Option<i64>,
    pub source: &'static str,
    pub host: Option<String>,
    pub category: &'static str,
    pub topics: String,
    pub message: String,
    pub logged_at: String,
}

record! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct LogRow in l {
        pub id: i64,
        pub router_id: Option<i64>,
        pub router_name: Option<String> = "r.name",
        pub source: String,
        pub host: Option<String>,
        pub category: String,
        pub topics: String,
        pub message: String,
        pub logged_at: String,
    }
}

/// Keeps entries; for pulled ones, also how far the router's log was read.
pub fn insert_logs(
    tx: &Transaction<'_>,
    entries: &[NewLog],
    last_log_id: Option<(i64, i64)>,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO router_logs (router_id, source, host, category, topics, message, logged_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for e in entries {
        insert.execute(params![
            e.router_id,
            e.source,
            e.host,
            e.category,
            e.topics,
            e.message,
            e.logged_at
        ])?;
    }
    if let Some((router, last)) = last_log_id {
        tx.exec(
            "UPDATE routers SET last_log_id = ?2 WHERE id = ?1",
            params![router, last],
        )?;
    }
    Ok(())
}

pub fn last_log_id(conn: &Connection, router_id: i64) -> Result<i64, StoreError> {
    rows::value(
        conn,
        "SELECT last_log_id FROM routers WHERE id = ?1",
        [router_id],
    )
}

/// The router that has this address (for syslog datagrams).
pub fn router_by_host(conn: &Connection, host: &str) -> Result<Option<i64>, StoreError> {
    use super::sql::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT id FROM routers WHERE host = ?1 ORDER BY id LIMIT 1",
            [host],
            |r| r.get(0),
        )
        .optional()?)
}

/// Entries of one category, newest first.
pub fn logs(
    conn: &Connection,
    category: &str,
    router_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<LogRow>, i64), StoreError> {
    rows::page(
        conn,
        "FROM router_logs l LEFT JOIN routers r ON r.id = l.router_id",
        "l.category = ?1 AND (?2 IS NULL OR l.router_id = ?2)",
        "l.id DESC",
        params![category, router_id],
        limit,
        offset,
    )
}

record! {
    /// A usage sample.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Sample {
        pub customer_id: i64,
        pub router_id: i64,
        pub sampled_at: String,
        pub online: bool,
        pub address: Option<String>,
        pub uptime: Option<String>,
        pub bytes_in: Option<i64>,
        pub bytes_out: Option<i64>,
    }
}

pub fn insert_samples(tx: &Transaction<'_>, samples: &[Sample]) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO usage_samples (customer_id, router_id, sampled_at, online, address, uptime, \
         bytes_in, bytes_out) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE EXISTS (SELECT 1 FROM customers WHERE id = ?1)",
    )?;
    for s in samples {
        insert.execute(params![
            s.customer_id,
            s.router_id,
            s.sampled_at,
            i64::from(s.online),
            s.address,
            s.uptime,
            s.bytes_in,
            s.bytes_out
        ])?;
    }
    Ok(())
}

/// A customer's samples, newest first.
pub fn usage(conn: &Connection, customer_id: i64, limit: i64) -> Result<Vec<Sample>, StoreError> {
    rows::all(
        conn,
        "FROM usage_samples WHERE customer_id = ?1 ORDER BY id DESC LIMIT ?2",
        params![customer_id, limit],
    )
}

/// Retention of logs and samples.
pub fn delete_before(tx: &Transaction<'_>, cutoff: &str) -> Result<usize, StoreError> {
    let a = tx.exec("DELETE FROM router_logs WHERE logged_at < ?1", [cutoff])?;
    let b = tx.exec("DELETE FROM usage_samples WHERE sampled_at < ?1", [cutoff])?;
    Ok(a + b)
}
