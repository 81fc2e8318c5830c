//! What the built-in RADIUS server reads and writes (its UDP adapter is
//! `radius::server`): the routers that are its clients, the customers a
//! login name may mean, and its PPP-auth log entries with the time each NAS
//! was last heard from.

use super::{Caller, Ctx, OpResult};
use crate::clock::format_timestamp;
use crate::store::{
    customers,
    monitoring::{self, Access},
    radius::{self, LoginRow, NasRow},
    radius_coa::{self, DueCoa, Outcome},
    radius_sessions::{self, AcctRecord, SessionFilter, SessionRow},
    recharge_cards::{self, VoucherRow},
    router_data::{self, NewLog},
    Db, StoreError,
};

/// Every router with a RADIUS secret.
pub async fn clients(db: &Db) -> Result<Vec<NasRow>, StoreError> {
    db.read_async(radius::clients).await
}

/// The customers whose login name is `username`.
pub async fn logins(db: &Db, username: String) -> Result<Vec<LoginRow>, StoreError> {
    db.read_async(move |c| radius::logins(c, &username)).await
}

/// The hotspot voucher whose serial is `serial`, if any.
pub async fn voucher(db: &Db, serial: String) -> Result<Option<VoucherRow>, StoreError> {
    db.read_async(move |c| recharge_cards::voucher(c, &serial))
        .await
}

/// Activates a voucher at its first login, until `until`; false when it was
/// no longer unused.
pub async fn activate_voucher(
    db: &Db,
    id: i64,
    now: time::OffsetDateTime,
    until: time::OffsetDateTime,
) -> Result<bool, StoreError> {
    let (now, until) = (format_timestamp(now), format_timestamp(until));
    db.write_async(move |tx| recharge_cards::activate_voucher(tx, id, &now, &until))
        .await
}

/// Keeps decisions in the PPP-auth log and when each NAS was last heard
/// from, in one write.
pub async fn record(
    db: &Db,
    entries: Vec<NewLog>,
    seen: Vec<i64>,
    now: String,
) -> Result<(), StoreError> {
    db.write_async(move |tx| {
        router_data::insert_logs(tx, &entries, None)?;
        radius::mark_seen(tx, &seen, &now)
    })
    .await
}

/// Writes an accounting Start, Interim-Update or Stop (durably: the NAS is
/// answered after this returns).
pub async fn account(db: &Db, record: AcctRecord) -> Result<(), StoreError> {
    db.write_async(move |tx| radius_sessions::record(tx, &record))
        .await
}

/// Closes a router's open sessions (Accounting-On/Off); answers how many.
pub async fn close_sessions(
    db: &Db,
    router_id: i64,
    at: String,
    cause: &'static str,
) -> Result<usize, StoreError> {
    db.write_async(move |tx| radius_sessions::close_open(tx, router_id, &at, cause))
        .await
}

/// RADIUS sessions, newest first, and how many match: a reseller's staff
/// see their customers' only, and a customer of another is not found.
pub async fn sessions(
    ctx: &Ctx,
    caller: &Caller,
    filter: SessionFilter,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<SessionRow>, i64)> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| {
            if let Some(id) = filter.customer_id {
                customers::get(c, id, vis)?.ok_or(StoreError::NotFound)?;
            }
            radius_sessions::list(c, &filter, vis, limit, offset)
        })
        .await?)
}

/// Claims CoA and Disconnect requests due at `now` (unix seconds) for
/// `node`; a read first, so that nothing is written when none is due.
pub async fn claim_coa(
    db: &Db,
    node: String,
    now: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<DueCoa>, StoreError> {
    if !db.read_async(move |c| radius_coa::any_due(c, now)).await? {
        return Ok(Vec::new());
    }
    db.write_async(move |tx| radius_coa::claim(tx, &node, now, until, limit))
        .await
}

/// Records how sending went, each with an entry in the device access log.
pub async fn record_coa(
    db: &Db,
    done: Vec<(DueCoa, Outcome)>,
    now: String,
) -> Result<(), StoreError> {
    db.write_async(move |tx| {
        for (req, outcome) in &done {
            radius_coa::record_attempt(tx, req.id, outcome, &now)?;
            let (ok, result) = match outcome {
                Outcome::Done(r) => (r == "ack", r.as_str()),
                Outcome::RetryAt(_, r) => (false, r.as_str()),
            };
            let entry = Access {
                actor: "radius".into(),
                device_kind: "router".into(),
                device_id: Some(req.router_id),
                device_name: Some(req.router_name.clone()),
                action: format!(
                    "RADIUS {} of <{}> (session {}): {result}",
                    req.intent, req.username, req.session_id
                ),
                ok,
                detail: None,
            };
            monitoring::log_access(tx, &entry, &now)?;
        }
        Ok(())
    })
    .await
}

/// Ends this node's claims on requests not done.
pub async fn release_coa_claims(db: &Db, node: String) -> Result<usize, StoreError> {
    db.write_async(move |tx| radius_coa::release_claims(tx, &node))
        .await
}
