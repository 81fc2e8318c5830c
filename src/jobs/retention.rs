//! Hourly clean-up: request-log and audit-trail rows past retention, expired revocations,
//! refresh tokens and panel sessions, and idle rate-limit buckets.

use std::{sync::Arc, time::Duration};

use super::{stopped, StopSignal};
use crate::{
    auth::rate_limit::RateLimits,
    clock::{format_timestamp, Clock},
    store::{
        audit, auth_tokens, idempotency, monitoring, onus, radius_coa, radius_sessions, reminders,
        request_log, router_data, staff_sessions, webhook_deliveries, Db, StoreError,
    },
};

const EVERY: Duration = Duration::from_secs(3600);

/// How long things are kept, in days.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub request_log_days: u32,
    pub webhook_delivery_days: u32,
    /// Router logs and usage samples.
    pub router_data_days: u32,
    /// Signal history and the device access log.
    pub monitoring_days: u32,
    /// Ended RADIUS sessions.
    pub radius_session_days: u32,
    /// The audit trail.
    pub audit_days: u32,
}

fn days_before(now: time::OffsetDateTime, days: u32) -> String {
    format_timestamp(now - time::Duration::days(i64::from(days)))
}

/// Runs one clean-up pass; returns the rows removed.
pub fn run_once(db: &Db, clock: &dyn Clock, keep: Retention) -> Result<usize, StoreError> {
    let now = clock.now();
    let stamp = format_timestamp(now);
    db.write(move |tx| {
        let a = request_log::delete_before(tx, &days_before(now, keep.request_log_days))?
            + webhook_deliveries::delete_finished_before(
                tx,
                &days_before(now, keep.webhook_delivery_days),
            )?
            + router_data::delete_before(tx, &days_before(now, keep.router_data_days))?
            + onus::delete_history_before(tx, &days_before(now, keep.monitoring_days))?
            + monitoring::delete_access_before(tx, &days_before(now, keep.monitoring_days))?
            + radius_sessions::prune(tx, &days_before(now, keep.radius_session_days))?
            + radius_coa::prune(tx, &days_before(now, keep.radius_session_days))?
            + audit::delete_before(tx, &days_before(now, keep.audit_days))?;
        let b = auth_tokens::purge_expired(tx, now.unix_timestamp(), &stamp)?;
        let c = staff_sessions::delete_expired(tx, &stamp)?;
        // Idempotency keys are kept two days (the promise is at least one).
        let d = idempotency::delete_before(tx, &format_timestamp(now - time::Duration::days(2)))?;
        // Sent reminders matter until their day has passed (at most 60 days).
        let e = reminders::prune(tx, &days_before(now, 90))?;
        Ok(a + b + c + d + e)
    })
}

/// Runs retention on the node holding its lease (the rate limiter's
/// counters, this node's own, shrink on every node).
pub async fn worker(
    db: Db,
    clock: Arc<dyn Clock>,
    rate_limits: Arc<RateLimits>,
    keep: Retention,
    cluster: Arc<crate::cluster::Cluster>,
    mut stop: StopSignal,
) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                rate_limits.shrink();
                if !cluster.holds(crate::cluster::RETENTION) {
                    continue;
                }
                let (db, clock) = (db.clone(), clock.clone());
                let done =
                    tokio::task::spawn_blocking(move || run_once(&db, clock.as_ref(), keep)).await;
                match done {
                    Ok(Ok(n)) if n > 0 => tracing::info!(rows = n, "retention: removed old rows"),
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::error!(error = %e, "retention failed"),
                    Err(e) => tracing::error!(error = %e, "retention task failed"),
                }
            }
            _ = stopped(&mut stop) => break,
        }
    }
}
