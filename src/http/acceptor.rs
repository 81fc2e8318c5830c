//! The acceptor and its registry of live connections.

use std::{
    collections::HashMap,
    io,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use futures_util::task::AtomicWaker;
use poem::{
    http::uri::Scheme,
    listener::{Acceptor, TcpAcceptor},
    web::{LocalAddr, RemoteAddr},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::Instant,
};

use super::{envelope, stream::GuardedStream, Limits};
use crate::metrics::ConnMetrics;

/// `Entry::idle` when the connection is serving a request.
pub(super) const BUSY: u64 = 0;
/// `Entry::idle` once the connection was chosen to make room.
pub(super) const EVICTED: u64 = u64::MAX;

/// Refused connections that may linger at once (each holds a socket for up
/// to [`REFUSE_LINGER`] while its 503 goes out); past that they are dropped.
const MAX_REFUSING: usize = 64;
const REFUSE_LINGER: Duration = Duration::from_secs(1);

/// One live connection as the registry sees it.
#[derive(Debug)]
pub(super) struct Entry {
    /// [`BUSY`], [`EVICTED`], or 1 + the nanoseconds since the registry's
    /// epoch at which it became idle.
    pub(super) idle: AtomicU64,
    /// The task reading the connection, woken when it is evicted.
    pub(super) waker: AtomicWaker,
}

impl Entry {
    pub(super) fn is_evicted(&self) -> bool {
        self.idle.load(Ordering::Acquire) == EVICTED
    }
}

/// The live connections, the cap and the counters.
#[derive(Debug)]
pub struct Registry {
    epoch: Instant,
    pub(super) limits: Limits,
    entries: Mutex<HashMap<u64, Arc<Entry>>>,
    next_id: AtomicU64,
    /// Entries evicted whose connection has not closed yet.
    evicted_pending: AtomicUsize,
    refusing: AtomicUsize,
    pub(super) metrics: ConnMetrics,
}

/// Whether a new connection is let in.
pub(super) enum Admit {
    Yes(u64, Arc<Entry>),
    No,
}

impl Registry {
    pub fn new(limits: Limits, metrics: ConnMetrics) -> Arc<Self> {
        Arc::new(Self {
            epoch: Instant::now(),
            limits,
            entries: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            evicted_pending: AtomicUsize::new(0),
            refusing: AtomicUsize::new(0),
            metrics,
        })
    }

    /// Connections open now (evicted ones that are still closing included).
    pub fn open(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Entry>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `idle` value for "idle since `at`".
    pub(super) fn idle_stamp(&self, at: Instant) -> u64 {
        let nanos = at.saturating_duration_since(self.epoch).as_nanos();
        u64::try_from(nanos)
            .unwrap_or(EVICTED - 2)
            .saturating_add(1)
            .min(EVICTED - 1)
    }

    pub(super) fn admit(&self, now: Instant) -> Admit {
        let mut entries = self.lock();
        let live = entries
            .len()
            .saturating_sub(self.evicted_pending.load(Ordering::Acquire));
        if live >= self.limits.max_connections && !self.evict_oldest_idle(&entries) {
            return Admit::No;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let entry = Arc::new(Entry {
            idle: AtomicU64::new(self.idle_stamp(now)),
            waker: AtomicWaker::new(),
        });
        entries.insert(id, entry.clone());
        self.metrics.open.set(entries.len() as i64);
        Admit::Yes(id, entry)
    }

    /// Evicts the connection idle the longest; false when none is idle.
    fn evict_oldest_idle(&self, entries: &HashMap<u64, Arc<Entry>>) -> bool {
        // A connection may turn busy between the scan and the swap: then
        // look again.
        for _ in 0..8 {
            let oldest = entries
                .values()
                .filter_map(|e| {
                    let idle = e.idle.load(Ordering::Acquire);
                    (idle != BUSY && idle != EVICTED).then_some((idle, e))
                })
                .min_by_key(|(idle, _)| *idle);
            let Some((idle, entry)) = oldest else {
                return false;
            };
            if entry
                .idle
                .compare_exchange(idle, EVICTED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                self.evicted_pending.fetch_add(1, Ordering::AcqRel);
                self.metrics.evicted.inc();
                entry.waker.wake();
                return true;
            }
        }
        false
    }

    /// Forgets a connection that has closed.
    pub(super) fn remove(&self, id: u64) {
        let mut entries = self.lock();
        if let Some(entry) = entries.remove(&id) {
            if entry.is_evicted() {
                self.evicted_pending.fetch_sub(1, Ordering::AcqRel);
            }
        }
        self.metrics.open.set(entries.len() as i64);
    }

    /// Answers `stream` 503 and closes it, off the accept loop.
    fn refuse(self: &Arc<Self>, stream: TcpStream) {
        self.metrics.refused.inc();
        // A fresh socket's send buffer is empty: this goes out at once.
        let _ = stream.try_write(&envelope::refused());
        if self.refusing.fetch_add(1, Ordering::AcqRel) >= MAX_REFUSING {
            self.refusing.fetch_sub(1, Ordering::AcqRel);
            return;
        }
        let registry = self.clone();
        tokio::spawn(async move {
            let mut stream = stream;
            let _ = tokio::time::timeout(REFUSE_LINGER, async {
                // Half-close, then read what the client sends until it closes,
                // so the close does not reset the answer away.
                let _ = stream.shutdown().await;
                let mut sink = [0u8; 4096];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
            })
            .await;
            registry.refusing.fetch_sub(1, Ordering::AcqRel);
        });
    }
}

/// poem's TCP acceptor behind the cap, with every connection guarded.
pub struct GuardedAcceptor {
    inner: TcpAcceptor,
    registry: Arc<Registry>,
    last_warning: Option<Instant>,
}

impl GuardedAcceptor {
    pub fn new(inner: TcpAcceptor, registry: Arc<Registry>) -> Self {
        Self {
            inner,
            registry,
            last_warning: None,
        }
    }

    /// Waits a little after an accept error: out of files (or memory) it
    /// would fail again at once and spin.
    async fn back_off(&mut self, e: io::Error) {
        let now = Instant::now();
        if self
            .last_warning
            .is_none_or(|at| now.duration_since(at) >= Duration::from_secs(10))
        {
            self.last_warning = Some(now);
            tracing::warn!(error = %e, open = self.registry.open(), "cannot accept connections");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Acceptor for GuardedAcceptor {
    type Io = GuardedStream<TcpStream>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        loop {
            let (stream, local, remote, scheme) = match self.inner.accept().await {
                Ok(accepted) => accepted,
                Err(e) if is_per_connection(&e) => continue,
                Err(e) => {
                    self.back_off(e).await;
                    continue;
                }
            };
            let now = Instant::now();
            match self.registry.admit(now) {
                Admit::Yes(id, entry) => {
                    let io = GuardedStream::new(stream, id, entry, self.registry.clone(), now);
                    return Ok((io, local, remote, scheme));
                }
                Admit::No => self.registry.refuse(stream),
            }
        }
    }
}

/// Errors about one connection only (it went away before it was accepted).
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}
