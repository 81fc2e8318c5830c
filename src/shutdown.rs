//! The shutdown signal every background worker watches, and the set of
//! running workers that sends it. Low in the crate so that any module's worker
//! (SMS, webhooks, pollers, the jobs) can use it without importing the jobs.

use std::{future::Future, time::Duration};

use tokio::{sync::watch, task::JoinHandle};

/// The running workers.
pub struct Workers {
    stop_tx: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

/// What a worker watches to know when to stop.
pub type StopSignal = watch::Receiver<bool>;

impl Default for Workers {
    fn default() -> Self {
        Self::new()
    }
}

impl Workers {
    pub fn new() -> Self {
        let (stop_tx, _) = watch::channel(false);
        Self {
            stop_tx,
            tasks: Vec::new(),
        }
    }

    /// A receiver that turns `true` at shutdown.
    pub fn stop_signal(&self) -> StopSignal {
        self.stop_tx.subscribe()
    }

    pub fn spawn(&mut self, name: &'static str, task: impl Future<Output = ()> + Send + 'static) {
        tracing::debug!(worker = name, "starting worker");
        self.tasks.push((name, tokio::spawn(task)));
    }

    /// Signals every worker and waits (up to `grace`) for them to finish.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop_tx.send(true);
        for (name, task) in self.tasks {
            match tokio::time::timeout(grace, task).await {
                Ok(Ok(())) => tracing::debug!(worker = name, "worker stopped"),
                Ok(Err(e)) => tracing::error!(worker = name, error = %e, "worker failed"),
                Err(_) => tracing::warn!(worker = name, "worker did not stop in time"),
            }
        }
    }
}

/// Resolves when `stop` turns true (or its sender is gone).
pub async fn stopped(stop: &mut StopSignal) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}
