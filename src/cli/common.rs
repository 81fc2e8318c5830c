//! Helpers the sub-commands share: opening the database and reading a password.

use std::io::BufRead;

use crate::{config::Config, store::Db};

/// Opens the database of the configured data directory (migrating it).
pub(super) fn open(config: &Config) -> Result<Db, String> {
    Db::open_configured(
        &config.data_dir,
        &config.database.url,
        config.database.pool_size,
    )
    .map_err(|e| e.to_string())
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

/// The context of an operation run from the command line: the database of the
/// configured data directory, the system clock.
pub(super) fn ops_ctx(config: &Config) -> Result<crate::ops::Ctx, String> {
    Ok(crate::ops::Ctx::new(
        open(config)?,
        std::sync::Arc::new(crate::clock::SystemClock),
        std::sync::Arc::new(config.clone()),
    ))
}

/// Runs an operation to its end on a small runtime of its own.
pub(super) fn run_op<T>(
    op: impl std::future::Future<Output = crate::ops::OpResult<T>>,
) -> crate::ops::OpResult<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::ops::Error::Internal(format!("cannot start the runtime: {e}")))?
        .block_on(op)
}

/// [`run_op`], its refusal as the command's error text.
pub(super) fn block_on<T>(
    op: impl std::future::Future<Output = crate::ops::OpResult<T>>,
) -> Result<T, String> {
    run_op(op).map_err(|e| e.to_string())
}
