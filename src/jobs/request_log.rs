//! Writes the API request log in batches, off the request path: requests hand
//! entries to a bounded queue (never waiting, never waking a task for one
//! entry; when it is full the entry is dropped and counted), and this worker
//! appends them once a second or every 2,000 records, in one transaction,
//! also moving clients' `last_used_at` and dropping the oldest rows beyond
//! `[api] request_log_max_rows`. Batches that large matter: each commit has a
//! fixed cost (the writer's savepoint and commit, the index pages touched),
//! shared by its rows.
//!
//! Rejected requests of unknown callers (status 400 or more with no
//! authenticated caller: missing or bad credentials, unknown routes, failed
//! logins) are counted, not logged one by one: the worker folds them per
//! address, minute, method, route and status as they arrive (so a flood of
//! them does not make writes more frequent), and the store adds each count to
//! that minute's row. An anonymous flood thus costs a row per address and
//! minute, not a row per request.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use std::net::IpAddr;

use time::OffsetDateTime;
use tokio::sync::Notify;

use super::{stopped, StopSignal};
use crate::{
    clock::format_timestamp,
    store::{
        request_log::{self, RequestLogEntry},
        Db,
    },
};

/// One answered request, as the gate hands it over: cheap to make, formatted
/// for storage by the worker, off the request path.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub at: OffsetDateTime,
    pub api_client_id: Option<i64>,
    pub staff_user_id: Option<i64>,
    pub method: poem::http::Method,
    /// The route template, or `unmatched`.
    pub route: &'static str,
    pub path: String,
    pub status: u16,
    pub duration_ms: i64,
    pub ip: Option<IpAddr>,
}

impl RequestRecord {
    /// A rejected request of an unknown caller: counted, not logged alone.
    fn counted(&self) -> bool {
        self.status >= 400 && self.api_client_id.is_none() && self.staff_user_id.is_none()
    }
}

/// The method as counted rows keep it: any method outside the standard ones
/// is `OTHER`, so made-up methods cannot multiply one address's rows.
fn counted_method(m: &poem::http::Method) -> &'static str {
    crate::metrics::standard_method(m.as_str()).unwrap_or("OTHER")
}

type Key = (Option<IpAddr>, i64, &'static str, &'static str, u16);

/// The entries of the next write in arrival order, counted requests folded
/// into one entry per address, minute, method, route and status as they
/// arrive: an anonymous flood grows the counts, not the batch.
#[derive(Default)]
struct Batch {
    entries: Vec<RequestLogEntry>,
    folded: std::collections::HashMap<Key, usize>,
    /// Records taken since the last write.
    records: usize,
    /// The last second formatted, reused by the records of the same second.
    stamp: Option<(i64, String)>,
}

impl Batch {
    fn add(&mut self, r: RequestRecord) {
        self.records += 1;
        if !r.counted() {
            let at = self.stamp(r.at);
            self.entries.push(RequestLogEntry::of(r, at));
            return;
        }
        let method = counted_method(&r.method);
        let key = (
            r.ip,
            r.at.unix_timestamp().div_euclid(60),
            method,
            r.route,
            r.status,
        );
        if let Some(e) = self.folded.get(&key).and_then(|&i| self.entries.get_mut(i)) {
            e.count = Some(e.requests() + 1);
            e.duration_ms = e.duration_ms.max(r.duration_ms);
            return;
        }
        self.folded.insert(key, self.entries.len());
        let at = self.stamp(r.at);
        let mut e = RequestLogEntry::of(r, at);
        e.method = method.to_string();
        e.count = Some(1);
        self.entries.push(e);
    }

    /// `at` formatted for storage (once per second).
    fn stamp(&mut self, at: OffsetDateTime) -> String {
        let second = at.unix_timestamp();
        match &self.stamp {
            Some((s, text)) if *s == second => text.clone(),
            _ => {
                let text = format_timestamp(at);
                self.stamp = Some((second, text.clone()));
                text
            }
        }
    }

    /// Rows to write: a write is due at [`BATCH`].
    fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries, leaving the batch empty.
    fn take(&mut self) -> (Vec<RequestLogEntry>, usize) {
        self.folded.clear();
        let records = std::mem::take(&mut self.records);
        (std::mem::take(&mut self.entries), records)
    }
}

impl RequestLogEntry {
    /// The entry of a record, `at` formatted by the caller.
    fn of(r: RequestRecord, at: String) -> Self {
        Self {
            at,
            api_client_id: r.api_client_id,
            staff_user_id: r.staff_user_id,
            method: r.method.to_string(),
            route: r.route.to_string(),
            path: r.path,
            status: r.status,
            duration_ms: r.duration_ms,
            ip: r.ip.map(|ip| ip.to_string()),
            count: None,
        }
    }
}

/// Records waiting at most; past that they are dropped (and counted).
const QUEUE_CAPACITY: usize = 20_000;
const BATCH: usize = 2_000;
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// The records handed over and not yet taken by the worker. A request only
/// pushes under a short lock; the worker is woken when a batch's worth is
/// waiting (else its once-a-second tick takes them), so a request does not
/// wake a task.
#[derive(Default)]
struct Queue {
    records: Vec<RequestRecord>,
    /// The worker has stopped: nothing more is taken.
    closed: bool,
}

/// Where requests drop their log entries.
#[derive(Clone)]
pub struct RequestLogSink {
    queue: Arc<Mutex<Queue>>,
    ready: Arc<Notify>,
    dropped: Arc<AtomicU64>,
}

impl RequestLogSink {
    /// Queues an entry without waiting.
    pub fn record(&self, entry: RequestRecord) {
        let waiting = match self.queue.lock() {
            Ok(mut q) if !q.closed && q.records.len() < QUEUE_CAPACITY => {
                q.records.push(entry);
                Some(q.records.len())
            }
            _ => None,
        };
        match waiting {
            Some(BATCH) => self.ready.notify_one(),
            Some(_) => {}
            None => {
                let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_power_of_two() {
                    tracing::warn!(dropped = n, "request log queue full: entries dropped");
                }
            }
        }
    }

    /// Entries dropped because the queue was full (or the worker stopped).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Takes the waiting records into `batch`; `close` stops the queue.
    fn drain_into(&self, batch: &mut Batch, spare: &mut Vec<RequestRecord>, close: bool) {
        if let Ok(mut q) = self.queue.lock() {
            q.closed |= close;
            std::mem::swap(&mut q.records, spare);
        }
        for record in spare.drain(..) {
            batch.add(record);
        }
    }
}

/// The sink and the worker that drains it.
pub fn worker(
    db: Db,
    max_rows: u64,
    mut stop: StopSignal,
) -> (RequestLogSink, impl std::future::Future<Output = ()>) {
    let sink = RequestLogSink {
        queue: Arc::new(Mutex::new(Queue::default())),
        ready: Arc::new(Notify::new()),
        dropped: Arc::new(AtomicU64::new(0)),
    };
    let queue = sink.clone();
    let task = async move {
        let mut batch = Batch::default();
        let mut spare = Vec::new();
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        loop {
            let due = tokio::select! {
                _ = queue.ready.notified() => false,
                _ = tick.tick() => true,
                _ = stopped(&mut stop) => break,
            };
            queue.drain_into(&mut batch, &mut spare, false);
            if due || batch.len() >= BATCH {
                flush(&db, max_rows, &mut batch).await;
            }
        }
        // Shutdown: take what is still queued, then write it all.
        queue.drain_into(&mut batch, &mut spare, true);
        flush(&db, max_rows, &mut batch).await;
    };
    (sink, task)
}

async fn flush(db: &Db, max_rows: u64, batch: &mut Batch) {
    let (entries, n) = batch.take();
    if entries.is_empty() {
        return;
    }
    let written = db
        .write_async(move |tx| {
            request_log::append(tx, &entries)?;
            request_log::enforce_cap(tx, max_rows)?;
            Ok(())
        })
        .await;
    if let Err(e) = written {
        tracing::error!(error = %e, entries = n, "could not write the request log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> RequestRecord {
        RequestRecord {
            at: OffsetDateTime::UNIX_EPOCH,
            api_client_id: Some(1),
            staff_user_id: None,
            method: poem::http::Method::GET,
            route: "/api/v2/customers",
            path: "/api/v2/customers".into(),
            status: 200,
            duration_ms: 1,
            ip: None,
        }
    }

    fn sink() -> RequestLogSink {
        RequestLogSink {
            queue: Arc::default(),
            ready: Arc::new(Notify::new()),
            dropped: Arc::default(),
        }
    }

    #[tokio::test]
    async fn the_worker_is_woken_once_a_batch_is_waiting() {
        let sink = sink();
        let wait = Duration::from_millis(20);
        for _ in 0..BATCH - 1 {
            sink.record(record());
        }
        assert!(tokio::time::timeout(wait, sink.ready.notified())
            .await
            .is_err());
        sink.record(record());
        assert!(tokio::time::timeout(wait, sink.ready.notified())
            .await
            .is_ok());
    }

    #[test]
    fn a_full_or_closed_queue_drops_and_counts() {
        let sink = sink();
        for _ in 0..QUEUE_CAPACITY + 3 {
            sink.record(record());
        }
        assert_eq!(sink.dropped(), 3);
        let (mut batch, mut spare) = (Batch::default(), Vec::new());
        sink.drain_into(&mut batch, &mut spare, false);
        assert_eq!(batch.len(), QUEUE_CAPACITY);
        sink.record(record());
        assert_eq!(sink.dropped(), 3, "room again once drained");
        sink.drain_into(&mut batch, &mut spare, true);
        assert_eq!(batch.len(), QUEUE_CAPACITY + 1);
        sink.record(record());
        assert_eq!(
            sink.dropped(),
            4,
            "nothing is taken after the worker stopped"
        );
    }
}
