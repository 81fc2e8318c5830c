//! `ispbills billing run`: one day's billing cycle.

use clap::Subcommand;

use super::common::open;
use crate::{clock::SystemClock, config::Config, store::billing_run::CHUNK};

#[derive(Debug, Subcommand)]
pub enum BillingCommand {
    /// Run one day's cycle: bills on billing days, suspension of the overdue
    /// (idempotent: running a day twice makes no second bill)
    Run {
        /// The local date to run [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
}

pub(super) fn run(config: &Config, cmd: &BillingCommand) -> Result<(), String> {
    let BillingCommand::Run { date } = cmd;
    let date = match date {
        Some(d) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(d, &format)
                .map_err(|_| format!("--date `{d}` is not a date (YYYY-MM-DD)"))?
        }
        None => crate::jobs::billing::local_today(&SystemClock, config),
    };
    let db = open(config)?;
    let settings = crate::jobs::billing::settings(config, &SystemClock, date);
    let run =
        crate::jobs::billing::run_in_chunks(&db, &settings, CHUNK).map_err(|e| e.to_string())?;
    println!(
        "billing run for {date}: {} bills created, {} customers suspended \
         ({} chunks, the longest {} ms)",
        run.report.bills_created,
        run.report.customers_suspended,
        run.chunks,
        run.longest_chunk.as_millis()
    );
    Ok(())
}
