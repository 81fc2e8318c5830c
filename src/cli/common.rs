//! Helpers the sub-commands share: opening the database and reading a password.

use std::io::BufRead;

use crate::{config::Config, store::Db};

/// Opens the database of the configured data directory (migrating it).
pub(super) fn open(config: &Config) -> Result<Db, String> {
    Db::open(&config.data_dir, config.database.pool_size).map_err(|e| e.to_string())
}

/// The password of `--password` or, with `--password-stdin`, the first line of
/// standard input; exactly one of the two.
pub(super) fn password_from(given: &Option<String>, from_stdin: bool) -> Result<String, String> {
    match (given, from_stdin) {
        (Some(p), false) => Ok(p.clone()),
        (None, true) => read_password_line(),
        _ => Err("give exactly one of --password and --password-stdin".into()),
    }
}

fn read_password_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    if line.is_empty() {
        return Err("no password on standard input".into());
    }
    Ok(line)
}
