//! Blocking network work — webhook sends, HTTP status checks, name lookups —
//! runs on tokio's blocking threads as database work does, but under limits
//! of its own: at most [`SEND_THREADS`] sends and [`LOOKUP_THREADS`] name
//! lookups at once. A receiver that stalls or a name that never resolves (each
//! can hold a thread for seconds) then waits for a permit instead of taking the
//! threads database writes need; the runtime is built with room for all
//! (`cli/serve.rs`). Lookups have their own permits so that stalled receivers
//! never delay the address check of a host being saved.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

/// How many blocking threads sends (webhooks, HTTP checks) may hold at once.
pub const SEND_THREADS: usize = 32;
/// How many blocking threads name lookups may hold at once.
pub const LOOKUP_THREADS: usize = 16;
/// All the blocking threads outbound work may hold.
pub const OUTBOUND_THREADS: usize = SEND_THREADS + LOOKUP_THREADS;

fn send_permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(SEND_THREADS))
}

fn lookup_permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(LOOKUP_THREADS))
}

/// Runs a send (`work`) on a blocking thread once a send permit is free.
pub async fn blocking<T, F>(work: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    under(send_permits(), work).await
}

/// Runs a name lookup (`work`) on a blocking thread once a lookup permit is
/// free.
pub async fn lookup<T, F>(work: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    under(lookup_permits(), work).await
}

/// Runs `work` on a blocking thread under one of `permits`. The permit goes
/// with the thread: a caller that stops waiting (a timeout) frees it only when
/// the work itself ends, so the limit holds.
async fn under<T, F>(permits: &'static Semaphore, work: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let permit = permits
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

    /// However many callers, at most SEND_THREADS sends run at once, and a
    /// caller that gives up does not free its permit early; lookups are not
    /// held up by them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn holds_at_most_the_limit_at_once() {
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut tasks = Vec::new();
        for i in 0..SEND_THREADS * 3 {
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
        assert!(peak <= SEND_THREADS, "peak {peak}");
        assert!(peak > 1, "work ran side by side ({peak})");
    }

    /// Sends that hold every send permit do not delay a lookup.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lookups_do_not_wait_for_sends() {
        let (release, held) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut sends = Vec::new();
        for _ in 0..SEND_THREADS + 4 {
            let (release, held) = (release.clone(), held.clone());
            sends.push(tokio::spawn(blocking(move || {
                held.fetch_add(1, Ordering::SeqCst);
                while release.load(Ordering::SeqCst) == 0 {
                    std::thread::sleep(Duration::from_millis(2));
                }
            })));
        }
        while held.load(Ordering::SeqCst) < SEND_THREADS {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let looked_up = tokio::time::timeout(Duration::from_secs(2), lookup(|| 42)).await;
        release.store(1, Ordering::SeqCst);
        assert_eq!(looked_up.ok().and_then(Result::ok), Some(42));
        for s in sends {
            s.await.unwrap().unwrap();
        }
    }
}
