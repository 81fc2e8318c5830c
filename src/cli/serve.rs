//! `ispbills serve`: the runtime and the server.

use std::sync::Arc;

use crate::{clock::SystemClock, config::Config, logging};

pub(super) fn serve(config: Config) -> Result<(), String> {
    logging::init(&config.log);
    // Blocking work is database work (more threads than connections would only
    // queue for the pool), plus outbound work that blocks on the network:
    // webhook sends and DNS lookups, which can each wait seconds for a name that
    // does not resolve. Those run under a limit of their own
    // (`outbound::OUTBOUND_THREADS`) with threads kept for them, so a stalled
    // receiver never makes a database write wait for a free thread.
    let blocking_threads =
        (config.database.pool_size as usize).max(1) * 2 + 4 + crate::outbound::OUTBOUND_THREADS;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(blocking_threads)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime
        .block_on(crate::server::serve(config, Arc::new(SystemClock)))
        .map_err(|e| e.to_string())
}
