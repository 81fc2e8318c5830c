//! `ispbills recharge-cards generate`: a batch of recharge cards.

use clap::Subcommand;
use serde_json::json;

use super::common::open;
use crate::{
    auth::keys::{JwtKey, PIN_KEY_FILE},
    cards,
    clock::{format_timestamp, Clock, SystemClock},
    config::Config,
    domain::money::Money,
};

#[derive(Debug, Subcommand)]
pub enum CardsCommand {
    /// Generate a batch; prints every serial and PIN (shown only now)
    Generate {
        /// How many cards (1 to 5000)
        #[arg(long)]
        count: usize,
        /// Each card's value in major units (500, 250.50)
        #[arg(long)]
        value: String,
        /// A name for the batch (letters, digits, -) [default: from the time]
        #[arg(long)]
        batch: Option<String>,
        /// Issue the batch to this operator (a distributor) [default: the ISP keeps it]
        #[arg(long)]
        operator_id: Option<i64>,
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(config: &Config, cmd: &CardsCommand) -> Result<(), String> {
    let CardsCommand::Generate {
        count,
        value,
        batch,
        operator_id,
        json,
    } = cmd;
    if !(1..=cards::MAX_BATCH).contains(count) {
        return Err(format!(
            "--count must be between 1 and {}",
            cards::MAX_BATCH
        ));
    }
    let value = Money::parse_major(value).map_err(|e| format!("--value {}", e.message()))?;
    if value == Money::ZERO {
        return Err("--value must be greater than 0".into());
    }
    let now = SystemClock.now();
    let batch = batch
        .clone()
        .unwrap_or_else(|| format!("B{}", now.unix_timestamp()));
    if batch.len() > 32 || !batch.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("--batch may contain letters, digits and - (32 at most)".into());
    }
    let db = open(config)?;
    let key = JwtKey::load_or_create_named(&config.data_dir, PIN_KEY_FILE)
        .map_err(|e| format!("cannot read the PIN key: {e}"))?;
    let made = cards::generate(
        &db,
        &key,
        &batch,
        cards::BatchSpec {
            count: *count,
            value,
            operator_id: *operator_id,
            package_id: None,
        },
        &format_timestamp(now),
    )
    .map_err(|e| e.to_string())?;
    if *json {
        let list: Vec<_> = made
            .iter()
            .map(|c| json!({"id": c.id, "serial": c.serial, "pin": c.pin, "value": c.value.to_json()}))
            .collect();
        println!(
            "{}",
            json!({"batch": batch, "operator_id": operator_id, "cards": list})
        );
    } else {
        println!(
            "batch {batch}: {} cards of {value} BDT (PINs are shown only now)",
            made.len()
        );
        for c in &made {
            println!("{}  {}", c.serial, c.pin);
        }
    }
    Ok(())
}
