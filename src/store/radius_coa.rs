//! Change-of-Authorization and Disconnect requests to routers (RFC 5176),
//! queued in the same transaction as the customer change that calls for
//! them, for every open RADIUS session of that customer, and claimed by one
//! node at a time to be sent (`radius::coa`). A claim lapses if its node
//! dies mid-attempt: at worst one repeat, which a router answers the same.

use super::sql::Transaction;
use rusqlite::params;

use super::{rows::record, StoreError};

/// What a customer change asks of their live sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Suspended: cut off, or moved into the suspended address list.
    Suspend,
    /// Active again: disconnected, so that the next login gets full service.
    Reactivate,
    /// A new package: the new rate limit.
    Package,
    /// Staff asked to end the session.
    Disconnect,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Suspend => "suspend",
            Intent::Reactivate => "reactivate",
            Intent::Package => "package",
            Intent::Disconnect => "disconnect",
        }
    }
}

/// Queues `intent` for every open session of the customer on a router in
/// RADIUS mode (a router in secrets mode has its sessions ended over its API
/// by the reconciliation instead); answers how many.
pub fn queue_for_customer(
    tx: &Transaction<'_>,
    customer_id: i64,
    intent: Intent,
    reason: &str,
    now: &str,
    now_unix: i64,
) -> Result<usize, StoreError> {
    Ok(tx.exec(
        "INSERT INTO radius_coa_requests (router_id, customer_id, intent, username, session_id, \
         framed_ip, reason, created_at, next_attempt_at) \
         SELECT s.router_id, s.customer_id, ?2, s.username, s.session_id, s.framed_ip, ?3, ?4, ?5 \
         FROM radius_sessions s JOIN routers r ON r.id = s.router_id \
         WHERE s.customer_id = ?1 AND s.stopped_at IS NULL AND r.radius_secret_sealed IS NOT NULL \
         AND r.auth_mode = 'radius'",
        params![customer_id, intent.as_str(), reason, now, now_unix],
    )?)
}

record! {
    /// A request due to be sent, with what sending it needs.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DueCoa in q {
        pub id: i64,
        pub router_id: i64,
        pub router_name: String = "r.name",
        pub host: String = "r.host",
        pub coa_port: i64 = "r.coa_port",
        pub secret_sealed: Option<String> = "r.radius_secret_sealed",
        pub customer_id: Option<i64>,
        pub intent: String,
        pub username: String,
        pub session_id: String,
        pub framed_ip: Option<String>,
        pub attempts: i64,
        pub speed_up_kbps: Option<i64> = "p.speed_up_kbps",
        pub speed_down_kbps: Option<i64> = "p.speed_down_kbps",
        pub burst_down_kbps: Option<i64> = "p.burst_down_kbps",
        pub burst_up_kbps: Option<i64> = "p.burst_up_kbps",
        pub burst_threshold_down_kbps: Option<i64> = "p.burst_threshold_down_kbps",
        pub burst_threshold_up_kbps: Option<i64> = "p.burst_threshold_up_kbps",
        pub burst_time_secs: Option<i64> = "p.burst_time_secs",
    }
}

const FROM: &str = "FROM radius_coa_requests q JOIN routers r ON r.id = q.router_id \
                    LEFT JOIN customers c ON c.id = q.customer_id \
                    LEFT JOIN packages p ON p.id = c.package_id";

/// Claims for `node` until `until` (unix seconds) up to `limit` requests due
/// at `now` that no other node holds (or whose claim lapsed), oldest first.
/// On PostgreSQL the rows are also taken `FOR UPDATE SKIP LOCKED`.
pub fn claim(
    tx: &Transaction<'_>,
    node: &str,
    now: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<DueCoa>, StoreError> {
    let lock = match tx.engine() {
        super::sql::Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        super::sql::Engine::Sqlite => "",
    };
    let claimed = tx.exec(
        &format!(
            "UPDATE radius_coa_requests SET claimed_by = ?1, claimed_until = ?3 \
             WHERE id IN (SELECT id FROM radius_coa_requests \
                          WHERE done_at IS NULL AND next_attempt_at <= ?2 \
                            AND (claimed_until IS NULL OR claimed_until <= ?2) \
                          ORDER BY next_attempt_at, id LIMIT ?4{lock})"
        ),
        params![node, now, until, limit],
    )?;
    if claimed == 0 {
        return Ok(Vec::new());
    }
    super::rows::all(
        tx,
        &format!(
            "{FROM} WHERE q.done_at IS NULL AND q.claimed_by = ?1 AND q.claimed_until = ?2 \
             ORDER BY q.next_attempt_at, q.id"
        ),
        params![node, until],
    )
}

/// Whether any request is due at `now` (unix seconds) and not claimed: a
/// read, so that an idle sender does not take the writer every second.
pub fn any_due(conn: &super::sql::Connection, now: i64) -> Result<bool, StoreError> {
    super::rows::exists(
        conn,
        "FROM radius_coa_requests WHERE done_at IS NULL AND next_attempt_at <= ?1 \
         AND (claimed_until IS NULL OR claimed_until <= ?1)",
        [now],
    )
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Answered (ACK or NAK): the request is done, with this result.
    Done(String),
    /// No answer: try again at this time (unix seconds).
    RetryAt(i64, String),
}

/// Records an attempt and ends the claim.
pub fn record_attempt(
    tx: &Transaction<'_>,
    id: i64,
    outcome: &Outcome,
    now: &str,
) -> Result<(), StoreError> {
    match outcome {
        Outcome::Done(result) => tx.exec(
            "UPDATE radius_coa_requests SET attempts = attempts + 1, done_at = ?2, result = ?3, \
             claimed_by = NULL, claimed_until = NULL WHERE id = ?1",
            params![id, now, result],
        )?,
        Outcome::RetryAt(at, result) => tx.exec(
            "UPDATE radius_coa_requests SET attempts = attempts + 1, next_attempt_at = ?2, \
             result = ?3, claimed_by = NULL, claimed_until = NULL WHERE id = ?1",
            params![id, at, result],
        )?,
    };
    Ok(())
}

/// Ends `node`'s claims on requests not done (at its start and stop).
pub fn release_claims(tx: &Transaction<'_>, node: &str) -> Result<usize, StoreError> {
    Ok(tx.exec(
        "UPDATE radius_coa_requests SET claimed_by = NULL, claimed_until = NULL \
         WHERE claimed_by = ?1 AND done_at IS NULL",
        params![node],
    )?)
}

/// Removes requests done before `before`; answers how many.
pub fn prune(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    Ok(tx.exec(
        "DELETE FROM radius_coa_requests WHERE done_at IS NOT NULL AND done_at < ?1",
        [before],
    )?)
}
