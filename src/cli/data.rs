//! `ispbills package ...` and `ispbills demo`: data from the command line.

use serde_json::json;

use super::{open, CardsCommand, PackageCommand, SmsCommand};
use crate::{
    auth::keys::{JwtKey, PIN_KEY_FILE},
    cards,
    clock::{format_timestamp, Clock, SystemClock},
    config::Config,
    demo,
    domain::money::Money,
    store::packages::{self, PackageFields},
};

pub(crate) fn package(config: &Config, cmd: &PackageCommand) -> Result<(), String> {
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
        .write(|tx| packages::create(tx, &fields, &now))
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

pub(crate) fn demo(config: &Config, customers: usize) -> Result<(), String> {
    let db = open(config)?;
    let loaded = demo::load(&db, customers, SystemClock.now()).map_err(|e| e.to_string())?;
    println!(
        "demo data loaded: {} packages, {} operators, {} customers",
        loaded.packages, loaded.operators, loaded.customers
    );
    Ok(())
}

/// For `serve --demo`: loads the demo unless the database already has data.
pub(crate) fn demo_if_empty(config: &Config) -> Result<(), String> {
    let db = open(config)?;
    match demo::load(&db, 200, SystemClock.now()) {
        Ok(loaded) => {
            println!("demo data loaded: {} customers", loaded.customers);
            Ok(())
        }
        Err(crate::store::StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

pub(crate) fn cards(config: &Config, cmd: &CardsCommand) -> Result<(), String> {
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
        *count,
        value,
        *operator_id,
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

pub(crate) fn sms(config: &Config, cmd: &SmsCommand) -> Result<(), String> {
    let db = open(config)?;
    let now = SystemClock.now();
    let start = crate::sms::day_start(now, config.isp.offset());
    if let SmsCommand::Topup { credits, note } = cmd {
        if *credits < 1 {
            return Err("--credits must be at least 1".into());
        }
        let stamp = format_timestamp(now);
        db.write(|tx| crate::store::sms::top_up(tx, *credits, note.as_deref(), &stamp))
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
