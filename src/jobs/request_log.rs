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

use tokio::sync::mpsc;

use super::{stopped, StopSignal};
use crate::store::{
    request_log::{self, RequestLogEntry},
    Db,
};

const CHANNEL_CAPACITY: usize = 20_000;
const BATCH: usize = 500;
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// Where requests drop their log entries.
#[derive(Clone)]
pub struct RequestLogSink {
    tx: mpsc::Sender<RequestLogEntry>,
    dropped: Arc<AtomicU64>,
}

impl RequestLogSink {
    /// Queues an entry without waiting.
    pub fn record(&self, entry: RequestLogEntry) {
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
    let (tx, mut rx) = mpsc::channel::<RequestLogEntry>(CHANNEL_CAPACITY);
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

async fn flush(db: &Db, batch: &mut Vec<RequestLogEntry>) {
    if batch.is_empty() {
        return;
    }
    let entries = std::mem::take(batch);
    let n = entries.len();
    if let Err(e) = db
        .write_async(move |tx| request_log::append(tx, &entries))
        .await
    {
        tracing::error!(error = %e, entries = n, "could not write the request log");
    }
}
