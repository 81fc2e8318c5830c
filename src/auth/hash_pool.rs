//! Password hashing, bounded: a few dedicated threads (by default one per
//! core), each with its own reusable argon2 [`Workspace`], and a semaphore with
//! as many permits. A request that wants a hash takes a permit without waiting
//! ([`HashPool::try_permit`]); when none is free it is answered 503 at once
//! instead of queueing. Hashing never runs on tokio's blocking pool, so
//! database work (which does) never waits behind it, and memory for hashing is
//! at most `threads × 19 MiB` however many logins arrive.

use std::{
    panic::AssertUnwindSafe,
    sync::{mpsc, Arc, Mutex},
};

use prometheus_client::metrics::counter::Counter;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

use super::password::Workspace;

type Job = Box<dyn FnOnce(&mut Workspace) + Send>;

/// Why a hash could not be computed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HashError {
    /// Every hashing thread is busy: try again in a moment.
    #[error("password hashing is at capacity")]
    Busy,
    #[error("the password hashing threads are gone")]
    Gone,
}

/// The right to run one hash now (one of the pool's permits, given back when
/// this is dropped).
pub struct HashPermit {
    _permit: OwnedSemaphorePermit,
}

/// What the pool has done (for `/metrics` and tests).
#[derive(Debug, Default)]
pub struct HashStats {
    /// Password checks run to the end.
    pub verifies: Counter,
    /// New hashes computed.
    pub hashes: Counter,
    /// Requests refused because every permit was taken.
    pub refused_busy: Counter,
}

impl HashStats {
    /// Adds the counters to the `/metrics` registry.
    pub fn register(&self, metrics: &crate::metrics::Metrics) {
        metrics.register_counter(
            "password_verifies",
            "Password checks computed (argon2id)",
            self.verifies.clone(),
        );
        metrics.register_counter(
            "password_hashes",
            "New password hashes computed (argon2id)",
            self.hashes.clone(),
        );
        metrics.register_counter(
            "password_hash_busy",
            "Requests answered 503 because every password hashing thread was busy",
            self.refused_busy.clone(),
        );
    }
}

pub struct HashPool {
    permits: Arc<Semaphore>,
    threads: usize,
    jobs: mpsc::SyncSender<Job>,
    pub stats: Arc<HashStats>,
}

impl HashPool {
    /// `threads` hashing threads (0: one per core).
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        } else {
            threads
        };
        // Only holders of a permit submit, so the queue never holds more.
        let (tx, rx) = mpsc::sync_channel::<Job>(threads);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("ispbills-hash-{i}"))
                .spawn(move || worker(&rx))?;
        }
        Ok(Self {
            permits: Arc::new(Semaphore::new(threads)),
            threads,
            jobs: tx,
            stats: Arc::new(HashStats::default()),
        })
    }

    /// Hashing threads (and permits).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// A permit if one is free now; never waits.
    pub fn try_permit(&self) -> Result<HashPermit, HashError> {
        match self.permits.clone().try_acquire_owned() {
            Ok(p) => Ok(HashPermit { _permit: p }),
            Err(_) => {
                self.stats.refused_busy.inc();
                Err(HashError::Busy)
            }
        }
    }

    /// Runs `f` on a hashing thread; the permit is given back when `f` is done
    /// (even if the caller stopped waiting).
    async fn run<T: Send + 'static>(
        &self,
        permit: HashPermit,
        f: impl FnOnce(&mut Workspace) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |ws| {
            let out = f(ws);
            drop(permit);
            let _ = tx.send(out);
        });
        self.jobs.try_send(job).map_err(|e| match e {
            mpsc::TrySendError::Full(_) => HashError::Busy,
            mpsc::TrySendError::Disconnected(_) => HashError::Gone,
        })?;
        rx.await.map_err(|_| HashError::Gone)
    }

    /// True when `password` matches the PHC string `phc`.
    pub async fn verify(
        &self,
        permit: HashPermit,
        password: String,
        phc: String,
    ) -> Result<bool, HashError> {
        let stats = self.stats.clone();
        self.run(permit, move |ws| {
            let ok = ws.verify(&password, &phc);
            stats.verifies.inc();
            ok
        })
        .await
    }

    /// A new PHC string for `password`.
    pub async fn hash(
        &self,
        permit: HashPermit,
        password: String,
    ) -> Result<Result<String, String>, HashError> {
        let stats = self.stats.clone();
        self.run(permit, move |ws| {
            stats.hashes.inc();
            ws.hash(&password)
        })
        .await
    }
}

fn worker(rx: &Mutex<mpsc::Receiver<Job>>) {
    let mut workspace = Workspace::new();
    loop {
        let job = {
            let rx = rx.lock().unwrap_or_else(|e| e.into_inner());
            rx.recv()
        };
        let Ok(job) = job else {
            return; // the pool is gone
        };
        // A panicking job loses its answer (the caller sees `Gone`), not the thread.
        if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut workspace))).is_err() {
            tracing::error!("a password hashing job panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_capacity_is_refused_at_once() {
        let pool = HashPool::new(1).unwrap();
        assert_eq!(pool.threads(), 1);
        let permit = pool.try_permit().unwrap();
        // The only permit is out: refused without waiting.
        assert_eq!(pool.try_permit().err(), Some(HashError::Busy));
        let phc = pool
            .hash(permit, "correct horse battery".into())
            .await
            .unwrap()
            .unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        let p = pool.try_permit().unwrap();
        assert!(pool
            .verify(p, "correct horse battery".into(), phc.clone())
            .await
            .unwrap());
        let p = pool.try_permit().unwrap();
        assert!(!pool.verify(p, "wrong".into(), phc).await.unwrap());
        assert_eq!(pool.stats.verifies.get(), 2);
        assert_eq!(pool.stats.hashes.get(), 1);
        assert_eq!(pool.stats.refused_busy.get(), 1);
    }
}
