//! The billing cycle: one day's run (bills on billing days, suspension of the
//! overdue), and the worker that runs it daily at the configured local time.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use time::Date;

use super::{stopped, StopSignal};
use crate::{
    clock::Clock,
    config::Config,
    store::{
        billing_run::{self, RunReport, RunSettings, Step},
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
    Ok(run_in_chunks(db, &settings(config, clock, date), billing_run::CHUNK)?.report)
}

/// The run's settings for `date`, from the configuration and the clock.
pub fn settings(config: &Config, clock: &dyn Clock, date: Date) -> RunSettings {
    RunSettings {
        date,
        offset: config.isp.offset(),
        due_days: i64::from(config.billing.due_days),
        grace_days: i64::from(config.billing.grace_days),
        now: clock.now(),
    }
}

/// How a run went: what it did, and how it held the writer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    pub report: RunReport,
    /// Write transactions, one per chunk.
    pub chunks: usize,
    /// The longest of them, from asking for the write to its commit: how
    /// long the run held the writer at most, and so, once writes take turns
    /// in one queue, the longest an API write waits behind the run.
    pub longest_chunk: Duration,
}

/// The run, step by step: each step reads its candidates once (a read, not
/// holding the writer), then handles them `chunk` at a time, each chunk its
/// own write transaction that checks its customers again, so API writes go on
/// between chunks and a run cut short resumes where it was, with no second
/// bill.
pub fn run_in_chunks(
    db: &Db,
    settings: &RunSettings,
    chunk: usize,
) -> Result<RunOutcome, StoreError> {
    let mut outcome = RunOutcome::default();
    for step in Step::ALL {
        let ids = db.read(|c| billing_run::candidates(c, settings, step))?;
        for ids in ids.chunks(chunk.max(1)) {
            let (settings, ids) = (*settings, ids.to_vec());
            let started = Instant::now();
            let done = db.write(move |tx| billing_run::run_chunk(tx, &settings, step, &ids))?;
            outcome.longest_chunk = outcome.longest_chunk.max(started.elapsed());
            outcome.chunks += 1;
            outcome.report.add(done);
        }
    }
    Ok(outcome)
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
