//! Background workers: each one a tokio task, registered here, stopping on one
//! shared shutdown signal after finishing what it holds.

pub mod auth_epoch;
pub mod auth_notify;
pub mod billing;
pub mod request_log;
pub mod retention;

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
