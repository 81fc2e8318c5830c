//! The billing cycle: one day's run (bills on billing days, suspension of the
//! overdue), and the worker that runs it daily at the configured local time.

use std::{sync::Arc, time::Duration};

use time::Date;

use super::{stopped, StopSignal};
use crate::{
    clock::Clock,
    config::Config,
    store::{
        billing_run::{self, RunReport, RunSettings},
        Db, StoreError,
    },
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
    let settings = RunSettings {
        date,
        offset: config.isp.offset(),
        due_days: i64::from(config.billing.due_days),
        grace_days: i64::from(config.billing.grace_days),
        now: clock.now(),
    };
    // In chunks of at most CHUNK customers, each its own transaction, so the
    // writer is never held for long; a run cut short resumes where it was.
    let mut total = RunReport::default();
    loop {
        let (done, more) =
            db.write(|tx| billing_run::run_chunk(tx, &settings, billing_run::CHUNK))?;
        total.add(done);
        if !more {
            return Ok(total);
        }
    }
}

/// Runs the day's cycle once the local time passes `[billing] run_at` (at start
/// too, when it already has: the run is idempotent).
pub async fn worker(db: Db, config: Arc<Config>, clock: Arc<dyn Clock>, mut stop: StopSignal) {
    let mut last_run: Option<Date> = None;
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = tick.tick() => {
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
