//! `ispbills migrate|check|backup|restore`: the database file itself.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::common::open;
use crate::{
    clock::{Clock, SystemClock},
    config::Config,
    store::{self, backups, copy, maintenance, migrations},
};

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copy the whole database between engines, checking row counts and money
    /// sums. `--to postgres://...`: the embedded SQLite database into an empty
    /// PostgreSQL database (stop `serve` first). `--from postgres://...
    /// --to-sqlite FILE`: a PostgreSQL database into a new SQLite file, which
    /// `ispbills restore --from FILE` installs.
    Copy {
        /// The empty PostgreSQL database to copy the embedded database into
        #[arg(long, value_name = "URL", conflicts_with_all = ["from", "to_sqlite"])]
        to: Option<String>,
        /// The PostgreSQL database to copy from (with --to-sqlite)
        #[arg(long, value_name = "URL", requires = "to_sqlite")]
        from: Option<String>,
        /// The new SQLite file to write (with --from)
        #[arg(long, value_name = "FILE", requires = "from")]
        to_sqlite: Option<PathBuf>,
    },
}

/// `db copy`.
pub(super) fn db(config: &Config, cmd: &DbCommand) -> Result<(), String> {
    let DbCommand::Copy {
        to,
        from,
        to_sqlite,
    } = cmd;
    let report = match (to, from, to_sqlite) {
        (Some(url), None, None) => {
            // The server must be stopped: its lock, held for the copy.
            let _lock = backups::lock_data_dir(&config.data_dir).map_err(|e| e.to_string())?;
            let path = config.data_dir.join(store::DB_FILE_NAME);
            if !path.is_file() {
                return Err(format!("no database at {}", path.display()));
            }
            // Brings it to the latest schema first.
            drop(store::Db::open(&config.data_dir, 1).map_err(|e| e.to_string())?);
            let report = copy::sqlite_to_pg(&path, url).map_err(|e| e.to_string())?;
            println!("copied {} into PostgreSQL", path.display());
            report
        }
        (None, Some(url), Some(file)) => {
            let report = copy::pg_to_sqlite(url, file).map_err(|e| e.to_string())?;
            println!("copied PostgreSQL into {}", file.display());
            report
        }
        _ => {
            return Err(
                "give --to postgres://... (SQLite into PostgreSQL), or --from postgres://... \
                 --to-sqlite FILE (PostgreSQL into a new SQLite file)"
                    .into(),
            )
        }
    };
    println!("schema version {}", report.version);
    for (table, rows) in &report.tables {
        println!("  {table}: {rows} row(s)");
    }
    println!("checked: every table's rows, and the money columns' sums:");
    for (column, sum) in &report.sums {
        println!("  {column}: {sum}");
    }
    if to.is_some() {
        println!("next: set [database] url (or ISPBILLS_DATABASE__URL) to that database and start the server");
    } else {
        println!("next: empty [database] url, then `ispbills restore --from <FILE>` with the server stopped");
    }
    Ok(())
}

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
