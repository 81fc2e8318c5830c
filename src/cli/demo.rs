//! `ispbills demo` and `serve --demo`: the demo data.

use super::common::open;
use crate::{
    auth::keys::{JwtKey, PIN_KEY_FILE},
    clock::{Clock, SystemClock},
    config::Config,
    demo::{self, Loaded, WithHistory},
    store::StoreError,
};

/// The demo loaded (or the store's refusal: a database not empty), or why it
/// could not start.
fn load(
    config: &Config,
    customers: usize,
    history: bool,
) -> Result<Result<Loaded, StoreError>, String> {
    let db = open(config)?;
    let key = if history {
        Some(
            JwtKey::load_or_create_named(&config.data_dir, PIN_KEY_FILE)
                .map_err(|e| format!("cannot read the PIN key: {e}"))?,
        )
    } else {
        None
    };
    let with = history.then(|| WithHistory {
        offset: config.isp.offset(),
        due_days: i64::from(config.billing.due_days),
        pin_key: key.as_ref(),
    });
    Ok(demo::load(&db, customers, SystemClock.now(), with))
}

fn say(loaded: &Loaded) {
    print!(
        "demo data loaded: {} packages, {} operators, {} customers",
        loaded.packages, loaded.operators, loaded.customers
    );
    match loaded.history {
        Some(h) => println!(
            "; {} bills, {} payments, {} complaints, {} SMS, {} recharge cards",
            h.bills, h.payments, h.complaints, h.sms, h.cards
        ),
        None => println!(),
    }
}

pub(super) fn demo(config: &Config, customers: usize, history: bool) -> Result<(), String> {
    say(&load(config, customers, history)?.map_err(|e| e.to_string())?);
    Ok(())
}

/// For `serve --demo`: loads the demo and its recent past unless the
/// database already has data.
pub(super) fn demo_if_empty(config: &Config) -> Result<(), String> {
    match load(config, 200, true)? {
        Ok(loaded) => {
            say(&loaded);
            Ok(())
        }
        Err(StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
