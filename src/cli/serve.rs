//! `ispbills serve`: the runtime and the server.

use std::sync::Arc;

use crate::{clock::SystemClock, config::Config, logging};

/// Blocking threads kept for outbound network work (webhook sends, lookups).
const OUTBOUND_THREADS: usize = 64;

pub(super) fn serve(config: Config) -> Result<(), String> {
    logging::init(&config.log);
    // Blocking work is database work (more threads than connections would only
    // queue for the pool), plus outbound work that blocks on the network:
    // webhook sends and DNS lookups, which can each wait seconds for a name that
    // does not resolve. Those get threads of their own, so a stalled receiver
    // never makes a database write wait for a free thread.
    let blocking_threads = (config.database.pool_size as usize).max(1) * 2 + 4 + OUTBOUND_THREADS;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(blocking_threads)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime
        .block_on(crate::server::serve(config, Arc::new(SystemClock)))
        .map_err(|e| e.to_string())
}
