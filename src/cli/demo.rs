//! `ispbills demo` and `serve --demo`: the demo data.

use super::common::open;
use crate::{
    clock::{Clock, SystemClock},
    config::Config,
    demo,
};

pub(super) fn demo(config: &Config, customers: usize) -> Result<(), String> {
    let db = open(config)?;
    let loaded = demo::load(&db, customers, SystemClock.now()).map_err(|e| e.to_string())?;
    println!(
        "demo data loaded: {} packages, {} operators, {} customers",
        loaded.packages, loaded.operators, loaded.customers
    );
    Ok(())
}

/// For `serve --demo`: loads the demo unless the database already has data.
pub(super) fn demo_if_empty(config: &Config) -> Result<(), String> {
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
