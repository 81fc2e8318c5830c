//! `ispbills sms topup|balance`: SMS credits.

use clap::Subcommand;

use super::common::open;
use crate::{
    clock::{format_timestamp, Clock, SystemClock},
    config::Config,
};

#[derive(Debug, Subcommand)]
pub enum SmsCommand {
    /// Add credits bought from the SMS provider (one credit = one SMS part)
    Topup {
        #[arg(long)]
        credits: i64,
        /// What the top-up was (an invoice number, say)
        #[arg(long)]
        note: Option<String>,
    },
    /// Print the credits left and spent today
    Balance,
}

pub(super) fn run(config: &Config, cmd: &SmsCommand) -> Result<(), String> {
    let db = open(config)?;
    let now = SystemClock.now();
    let start = crate::sms::day_start(now, config.isp.offset());
    if let SmsCommand::Topup { credits, note } = cmd {
        if *credits < 1 {
            return Err("--credits must be at least 1".into());
        }
        let stamp = format_timestamp(now);
        let (credits, note) = (*credits, note.clone());
        db.write(move |tx| crate::store::sms::top_up(tx, credits, note.as_deref(), &stamp))
            .map_err(|e| e.to_string())?;
        println!("added {credits} SMS credits");
    }
    let c = db
        .read(|c| crate::store::sms::credits(c, &start))
        .map_err(|e| e.to_string())?;
    println!(
        "SMS credits: {} left, {} used today (gateway: {})",
        c.balance, c.used_today, config.sms.gateway
    );
    Ok(())
}
