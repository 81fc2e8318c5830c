//! Writes the API request log in batches, off the request path: requests hand
//! entries to a bounded channel (never waiting; when it is full the entry is
//! dropped and counted), and this worker appends them once a second or every
//! 500 entries, in one transaction, also moving clients' `last_used_at`.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use std::net::IpAddr;

use time::OffsetDateTime;
use tokio::sync::mpsc;

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

impl From<RequestRecord> for RequestLogEntry {
    fn from(r: RequestRecord) -> Self {
        Self {
            at: format_timestamp(r.at),
            api_client_id: r.api_client_id,
            staff_user_id: r.staff_user_id,
            method: r.method.to_string(),
            route: r.route.to_string(),
            path: r.path,
            status: r.status,
            duration_ms: r.duration_ms,
            ip: r.ip.map(|ip| ip.to_string()),
        }
    }
}

const CHANNEL_CAPACITY: usize = 20_000;
const BATCH: usize = 500;
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// Where requests drop their log entries.
#[derive(Clone)]
pub struct RequestLogSink {
    tx: mpsc::Sender<RequestRecord>,
    dropped: Arc<AtomicU64>,
}

impl RequestLogSink {
    /// Queues an entry without waiting.
    pub fn record(&self, entry: RequestRecord) {
        if self.tx.try_send(entry).is_err() {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(dropped = n, "request log queue full: entries dropped");
            }
        }
    }

    /// Entries dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The sink and the worker that drains it.
pub fn worker(
    db: Db,
    mut stop: StopSignal,
) -> (RequestLogSink, impl std::future::Future<Output = ()>) {
    let (tx, mut rx) = mpsc::channel::<RequestRecord>(CHANNEL_CAPACITY);
    let sink = RequestLogSink {
        tx,
        dropped: Arc::new(AtomicU64::new(0)),
    };
    let task = async move {
        let mut batch = Vec::with_capacity(BATCH);
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        loop {
            tokio::select! {
                got = rx.recv() => match got {
                    Some(entry) => {
                        batch.push(entry);
                        if batch.len() >= BATCH {
                            flush(&db, &mut batch).await;
                        }
                    }
                    None => break,
                },
                _ = tick.tick() => flush(&db, &mut batch).await,
                _ = stopped(&mut stop) => break,
            }
        }
        // Shutdown: take what is still queued, then write it all.
        rx.close();
        while let Ok(entry) = rx.try_recv() {
            batch.push(entry);
        }
        flush(&db, &mut batch).await;
    };
    (sink, task)
}

async fn flush(db: &Db, batch: &mut Vec<RequestRecord>) {
    if batch.is_empty() {
        return;
    }
    let records = std::mem::take(batch);
    let n = records.len();
    let written = db
        .write_async(move |tx| {
            let entries: Vec<RequestLogEntry> = records.into_iter().map(Into::into).collect();
            request_log::append(tx, &entries)
        })
        .await;
    if let Err(e) = written {
        tracing::error!(error = %e, entries = n, "could not write the request log");
    }
}
