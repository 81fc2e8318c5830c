//! The day's billing run on demand: what it would do today (read only), and
//! running it now. The run is the ISP's: a reseller's staff may do neither
//! (it bills and suspends every operator's customers). Also the run's settings
//! from the configuration and the clock, which the daily worker and the
//! command line use too.

use time::Date;

use super::{Caller, Ctx, Error, OpResult};
use crate::{
    clock::Clock,
    config::Config,
    store::{
        billing_preview::{self, RunPreview},
        billing_run::{run_in_chunks, RunOutcome, RunSettings, CHUNK},
    },
};

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

/// The rows a preview lists at most per kind (the totals count them all).
pub const PREVIEW_ROWS: usize = 200;

fn isp_staff_only(caller: &Caller) -> OpResult<()> {
    caller.isp_side_only(
        "The billing run is the ISP's own: a reseller's staff cannot preview or start it.",
    )
}

/// What today's run (the ISP's local date) would do if it ran now: the date,
/// its bills' due date, and the preview.
pub async fn preview(ctx: &Ctx, caller: &Caller) -> OpResult<(Date, Date, RunPreview)> {
    isp_staff_only(caller)?;
    let settings = settings(&ctx.config, ctx.clock.as_ref(), ctx.today());
    let due = settings.date + time::Duration::days(settings.due_days);
    let found = ctx
        .db
        .read_async(move |c| billing_preview::preview(c, &settings, PREVIEW_ROWS))
        .await?;
    Ok((settings.date, due, found))
}

/// Runs today's cycle now, as the daily worker would (idempotent: what the
/// day's run did already is not done twice), and says what it did.
pub async fn run_now(ctx: &Ctx, caller: &Caller) -> OpResult<(Date, RunOutcome)> {
    isp_staff_only(caller)?;
    let settings = settings(&ctx.config, ctx.clock.as_ref(), ctx.today());
    let db = ctx.db.clone();
    let outcome = tokio::task::spawn_blocking(move || run_in_chunks(&db, &settings, CHUNK))
        .await
        .map_err(|e| Error::Internal(format!("the billing run stopped: {e}")))??;
    Ok((settings.date, outcome))
}
