//! `ispbills migrate|check|backup|restore`: the database file itself.

use std::path::Path;

use super::common::open;
use crate::{
    clock::{Clock, SystemClock},
    config::Config,
    store::{self, backups, maintenance, migrations},
};

/// `migrate`: opening the database applies pending migrations.
pub(super) fn migrate(config: &Config) -> Result<(), String> {
    let db = open(config)?;
    let version = db
        .read(migrations::current_version)
        .map_err(|e| e.to_string())?;
    println!("database is at schema version {version}");
    Ok(())
}

/// Refuses `what` (a command on the embedded database's file) when the
/// configuration names PostgreSQL, whose checks and backups are its own.
fn embedded_only(config: &Config, what: &str) -> Result<(), String> {
    if config.database.url.trim().is_empty() {
        Ok(())
    } else {
        Err(format!(
            "`{what}` works on the embedded SQLite database; this configuration uses \
             PostgreSQL ([database] url): use PostgreSQL's own tools (pg_dump, \
             pg_basebackup, amcheck) for its backups and checks"
        ))
    }
}

pub(super) fn check(config: &Config) -> Result<(), String> {
    embedded_only(config, "check")?;
    let path = config.data_dir.join(store::DB_FILE_NAME);
    let problems = maintenance::check(&path).map_err(|e| e.to_string())?;
    if problems.is_empty() {
        println!(
            "ok: {} passed integrity and foreign key checks",
            path.display()
        );
        Ok(())
    } else {
        for p in &problems {
            println!("{p}");
        }
        Err(format!(
            "{} problem(s) found in {}",
            problems.len(),
            path.display()
        ))
    }
}

/// `backup --out FILE`, or without it a rotated copy in `<data_dir>/backups`.
pub(super) fn backup(config: &Config, out: Option<&Path>) -> Result<(), String> {
    embedded_only(config, "backup")?;
    match out {
        Some(out) => {
            let path = config.data_dir.join(store::DB_FILE_NAME);
            maintenance::backup(&path, out).map_err(|e| e.to_string())?;
            println!("backup written to {}", out.display());
        }
        None => {
            let done =
                backups::backup_rotated(&config.data_dir, config.backup.keep, SystemClock.now())
                    .map_err(|e| e.to_string())?;
            println!("backup written to {}", done.written.display());
            for old in &done.removed {
                println!("removed old backup {}", old.display());
            }
        }
    }
    Ok(())
}

pub(super) fn restore(config: &Config, from: &Path) -> Result<(), String> {
    embedded_only(config, "restore")?;
    let done =
        backups::restore(&config.data_dir, from, SystemClock.now()).map_err(|e| e.to_string())?;
    println!(
        "restored {} (schema version {}) into {}",
        from.display(),
        done.version,
        config.data_dir.display()
    );
    if let Some(previous) = done.previous {
        println!("the database it replaced is kept as {}", previous.display());
    }
    println!("start the server again (systemctl start ispbills); newer migrations run then");
    Ok(())
}
