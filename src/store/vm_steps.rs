//! Test support: how many SQLite VM instructions a piece of work runs, so a
//! test can say "this does not grow with the data" as a count, not a time.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

/// SQLite VM instructions `f` runs on `conn` (counted by the progress
/// handler, which also counts a statement's preparation).
#[allow(clippy::unwrap_used)]
pub(crate) fn vm_steps(conn: &super::sql::Connection<'_>, f: impl FnOnce()) -> u64 {
    let conn = conn.as_sqlite().unwrap();
    let n = Arc::new(AtomicU64::new(0));
    let counter = n.clone();
    conn.progress_handler(
        1,
        Some(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            false
        }),
    )
    .unwrap();
    f();
    conn.progress_handler(1, None::<fn() -> bool>).unwrap();
    n.load(Ordering::Relaxed)
}
