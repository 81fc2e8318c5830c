//! The billing cycle: one day's run (bills on billing days, suspension of the
//! overdue), and the worker that runs it daily at the configured local time.

use std::{sync::Arc, time::Duration};

use time::Date;

use super::{stopped, StopSignal};
use crate::{
    clock::Clock,
    config::Config,
    store::{
        billing_run::{self, RunReport},
        Db, StoreError,
    },
};
pub use crate::{
    ops::billing_run::settings,
    store::billing_run::{run_in_chunks, RunOutcome},
};

/// Today's date in the ISP's local time.
pub fn local_today(clock: &dyn Clock, config: &Config) -> Date {
    clock.now().to_offset(config.isp.offset()).date()
}

/// Runs the cycle for `date` (idempotent: a second run makes no second bill).
pub fn run_for(
    db: &Db,
    config: &Config,
    clock: &dyn Clock,
    date: Date,
) -> Result<RunReport, StoreError> {
    Ok(run_in_chunks(db, &settings(config, clock, date), billing_run::CHUNK)?.report)
}

/// Runs the day's cycle once the local time passes `[billing] run_at` (at start
/// too, when it already has: the run is idempotent), on the node holding the
/// billing lease; a node that takes the lease over runs the day again, which
/// finishes what the last holder left and bills nobody twice.
pub async fn worker(
    db: Db,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    cluster: Arc<crate::cluster::Cluster>,
    mut stop: StopSignal,
) {
    let mut last_run: Option<Date> = None;
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if !cluster.holds(crate::cluster::BILLING) {
                    last_run = None;
                    continue;
                }
                let local = clock.now().to_offset(config.isp.offset());
                if local.time() < config.billing.run_time() || last_run == Some(local.date()) {
                    continue;
                }
                let (db, config2, clock2, date) = (db.clone(), config.clone(), clock.clone(), local.date());
                let done = tokio::task::spawn_blocking(move || run_for(&db, &config2, clock2.as_ref(), date)).await;
                match done {
                    Ok(Ok(report)) => {
                        last_run = Some(date);
                        tracing::info!(%date, bills = report.bills_created, suspended = report.customers_suspended, "billing run");
                    }
                    Ok(Err(e)) => tracing::error!(error = %e, "billing run failed; will retry"),
                    Err(e) => tracing::error!(error = %e, "billing run task failed"),
                }
            }
            _ = stopped(&mut stop) => break,
        }
    }
}
