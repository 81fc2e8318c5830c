//! `ispbills package create`: a package from the command line.

use clap::Subcommand;
use serde_json::json;

use super::common::open;
use crate::{
    clock::{format_timestamp, Clock, SystemClock},
    config::Config,
    domain::money::Money,
    store::packages::{self, PackageFields},
};

#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// Create a package
    Create {
        /// Name shown to customers ("Fiber 100 Mbps")
        #[arg(long)]
        name: String,
        /// Price per period in major units (1500, 250.50)
        #[arg(long)]
        price: String,
        #[arg(long)]
        speed_down_kbps: i64,
        #[arg(long)]
        speed_up_kbps: i64,
        /// The router profile (PPP profile / queue) it maps to
        #[arg(long)]
        router_profile: Option<String>,
        /// Days a paid period lasts
        #[arg(long, default_value_t = 30)]
        validity_days: i64,
        /// Print the package as JSON
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(config: &Config, cmd: &PackageCommand) -> Result<(), String> {
    let PackageCommand::Create {
        name,
        price,
        speed_down_kbps,
        speed_up_kbps,
        router_profile,
        validity_days,
        json,
    } = cmd;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("the name must be 1 to 100 characters".into());
    }
    let price = Money::parse_major(price).map_err(|e| format!("--price {}", e.message()))?;
    for (flag, v) in [
        ("--speed-down-kbps", speed_down_kbps),
        ("--speed-up-kbps", speed_up_kbps),
    ] {
        if !(1..=100_000_000).contains(v) {
            return Err(format!("{flag} must be between 1 and 100000000"));
        }
    }
    if !(1..=3660).contains(validity_days) {
        return Err("--validity-days must be between 1 and 3660".into());
    }
    let fields = PackageFields {
        name: name.to_string(),
        price,
        currency: "BDT".into(),
        speed_down_kbps: *speed_down_kbps,
        speed_up_kbps: *speed_up_kbps,
        billing_cycle: "monthly".into(),
        validity_days: *validity_days,
        router_profile: router_profile.clone().filter(|p| !p.trim().is_empty()),
        wholesale_price: None,
    };
    let db = open(config)?;
    let now = format_timestamp(SystemClock.now());
    let row = db
        .write(move |tx| packages::create(tx, &fields, &now))
        .map_err(|e| e.to_string())?;
    if *json {
        println!(
            "{}",
            json!({
                "id": row.id,
                "name": row.name,
                "price": row.price.to_json(),
                "currency": row.currency,
                "speed_down_kbps": row.speed_down_kbps,
                "speed_up_kbps": row.speed_up_kbps,
                "billing_cycle": row.billing_cycle,
                "validity_days": row.validity_days,
                "router_profile": row.router_profile,
            })
        );
    } else {
        println!(
            "created package #{} {} ({} {})",
            row.id, row.name, row.price, row.currency
        );
    }
    Ok(())
}
