//! RADIUS accounting (`radius_sessions`): a row per session a NAS reported,
//! keyed by the router and its Acct-Session-Id, so that a retransmitted or
//! reordered Start, Interim-Update or Stop lands on the same row and never
//! makes the counters go back.

use super::sql::{Connection, Transaction};
use rusqlite::ToSql;

use super::{
    rows::{self, record},
    StoreError,
};
use crate::domain::visibility::Visibility;

/// What an Accounting-Request says about a session, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcctRecord {
    pub router_id: i64,
    pub session_id: String,
    pub customer_id: Option<i64>,
    pub username: String,
    pub framed_ip: Option<String>,
    pub calling_station_id: Option<String>,
    /// When the NAS says the session began (the event's time less its
    /// Acct-Session-Time).
    pub started_at: String,
    /// When the event happened (arrival less Acct-Delay-Time).
    pub at: String,
    /// Set on Stop: the session ended at `at`, for this reason.
    pub stopped: bool,
    pub terminate_cause: Option<String>,
    pub session_time: i64,
    pub input_octets: i64,
    pub output_octets: i64,
}

/// The larger of the stored column and the new value (both engines).
macro_rules! larger {
    ($col:literal) => {
        concat!(
            "CASE WHEN excluded.",
            $col,
            " > radius_sessions.",
            $col,
            " THEN excluded.",
            $col,
            " ELSE radius_sessions.",
            $col,
            " END"
        )
    };
}

/// Writes a Start, Interim-Update or Stop: the row is made if the Start was
/// missed; counters and times only move forward; a session once stopped
/// stays stopped.
pub fn record(tx: &Transaction<'_>, r: &AcctRecord) -> Result<(), StoreError> {
    let stopped_at = r.stopped.then_some(r.at.as_str());
    tx.exec(
        concat!(
            "INSERT INTO radius_sessions (router_id, session_id, customer_id, username, framed_ip, \
             calling_station_id, started_at, updated_at, stopped_at, terminate_cause, session_time, \
             input_octets, output_octets) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
             ON CONFLICT (router_id, session_id) DO UPDATE SET \
             customer_id = COALESCE(radius_sessions.customer_id, excluded.customer_id), \
             framed_ip = COALESCE(excluded.framed_ip, radius_sessions.framed_ip), \
             calling_station_id = COALESCE(excluded.calling_station_id, radius_sessions.calling_station_id), \
             started_at = CASE WHEN excluded.started_at < radius_sessions.started_at \
                 THEN excluded.started_at ELSE radius_sessions.started_at END, \
             updated_at = ",
            larger!("updated_at"),
            ", stopped_at = COALESCE(radius_sessions.stopped_at, excluded.stopped_at), \
             terminate_cause = COALESCE(radius_sessions.terminate_cause, excluded.terminate_cause), \
             session_time = ",
            larger!("session_time"),
            ", input_octets = ",
            larger!("input_octets"),
            ", output_octets = ",
            larger!("output_octets"),
        ),
        rusqlite::params![
            r.router_id,
            r.session_id,
            r.customer_id,
            r.username,
            r.framed_ip,
            r.calling_station_id,
            r.started_at,
            r.at,
            stopped_at,
            r.terminate_cause,
            r.session_time,
            r.input_octets,
            r.output_octets
        ],
    )?;
    Ok(())
}

/// Closes every open session of a router (it said Accounting-On or -Off:
/// it rebooted or is going down); answers how many.
pub fn close_open(
    tx: &Transaction<'_>,
    router_id: i64,
    at: &str,
    cause: &str,
) -> Result<usize, StoreError> {
    Ok(tx.exec(
        "UPDATE radius_sessions SET stopped_at = ?2, updated_at = ?2, terminate_cause = ?3 \
         WHERE router_id = ?1 AND stopped_at IS NULL",
        rusqlite::params![router_id, at, cause],
    )?)
}

/// Removes sessions that ended before `before`; answers how many.
pub fn prune(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    Ok(tx.exec(
        "DELETE FROM radius_sessions WHERE stopped_at IS NOT NULL AND stopped_at < ?1",
        [before],
    )?)
}

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct SessionRow in s {
        pub id: i64,
        pub router_id: Option<i64>,
        pub router_name: Option<String> = "r.name",
        pub session_id: String,
        pub customer_id: Option<i64>,
        pub username: String,
        pub framed_ip: Option<String>,
        pub calling_station_id: Option<String>,
        pub started_at: String,
        pub updated_at: String,
        pub stopped_at: Option<String>,
        pub terminate_cause: Option<String>,
        pub session_time: i64,
        pub input_octets: i64,
        pub output_octets: i64,
    }
}

/// Filters of the session list; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    pub customer_id: Option<i64>,
    pub router_id: Option<i64>,
    /// Only open sessions (`true`) or only ended ones (`false`).
    pub active: Option<bool>,
    /// Sessions that began at or after this time.
    pub from: Option<String>,
    /// Sessions that began at or before this time.
    pub to: Option<String>,
}

const FROM: &str = "FROM radius_sessions s LEFT JOIN routers r ON r.id = s.router_id \
                    LEFT JOIN customers c ON c.id = s.customer_id";

/// Sessions newest first, and how many match. A reseller's staff see their
/// customers' sessions only (sessions of no known customer are the ISP's).
pub fn list(
    conn: &Connection,
    f: &SessionFilter,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SessionRow>, i64), StoreError> {
    let mut cond: Vec<&str> = Vec::new();
    let mut args: Vec<&dyn ToSql> = Vec::new();
    if let Some(op) = &vis.operator_id {
        cond.push("c.operator_id = ?");
        args.push(op);
    }
    if let Some(id) = &f.customer_id {
        cond.push("s.customer_id = ?");
        args.push(id);
    }
    if let Some(id) = &f.router_id {
        cond.push("s.router_id = ?");
        args.push(id);
    }
    match f.active {
        Some(true) => cond.push("s.stopped_at IS NULL"),
        Some(false) => cond.push("s.stopped_at IS NOT NULL"),
        None => {}
    }
    if let Some(t) = &f.from {
        cond.push("s.started_at >= ?");
        args.push(t);
    }
    if let Some(t) = &f.to {
        cond.push("s.started_at <= ?");
        args.push(t);
    }
    // Plain `?`s number themselves in order, before the page's `?n+1`.
    rows::page(
        conn,
        FROM,
        &cond.join(" AND "),
        "s.started_at DESC, s.id DESC",
        &args,
        limit,
        offset,
    )
}

/// A customer's latest sessions, newest first.
pub fn of_customer(
    conn: &Connection,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<SessionRow>, StoreError> {
    rows::all(
        conn,
        &format!("{FROM} WHERE s.customer_id = ?1 ORDER BY s.started_at DESC, s.id DESC LIMIT ?2"),
        rusqlite::params![customer_id, limit],
    )
}
