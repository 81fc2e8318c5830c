//! Blocking network work — webhook sends, HTTP status checks, name lookups —
//! runs on tokio's blocking threads as database work does, but under a limit
//! of its own: at most [`OUTBOUND_THREADS`] at once. A receiver that stalls or
//! a name that never resolves (each can hold a thread for seconds) then waits
//! for a permit instead of taking the threads database writes need; the
//! runtime is built with room for both (`cli/serve.rs`).

use std::sync::OnceLock;

use tokio::sync::Semaphore;

/// How many blocking threads outbound network work may hold at once.
pub const OUTBOUND_THREADS: usize = 32;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(OUTBOUND_THREADS))
}

/// Runs `work` on a blocking thread once a permit is free. The permit goes
/// with the thread: a caller that stops waiting (a timeout) frees it only when
/// the work itself ends, so the limit holds.
pub async fn blocking<T, F>(work: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let permit = permits()
        .acquire()
        .await
        .map_err(|e| format!("outbound work is shut: {e}"))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(|e| format!("the outbound task failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    /// However many callers, at most OUTBOUND_THREADS run at once, and a
    /// caller that gives up does not free its permit early.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn holds_at_most_the_limit_at_once() {
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut tasks = Vec::new();
        for i in 0..OUTBOUND_THREADS * 3 {
            let (now, peak) = (now.clone(), peak.clone());
            let job = blocking(move || {
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(30));
                now.fetch_sub(1, Ordering::SeqCst);
            });
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    // Half give up waiting at once.
                    let _ = tokio::time::timeout(Duration::from_millis(1), job).await;
                } else {
                    job.await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        // Let the abandoned ones that started finish.
        while now.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!(peak <= OUTBOUND_THREADS, "peak {peak}");
        assert!(peak > 1, "work ran side by side ({peak})");
    }
}
