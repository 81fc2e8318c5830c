//! The delivery worker. A supervisor reads the outbox (`events`) past its
//! cursor and creates deliveries for the subscribed endpoints in the same
//! transaction that moves the cursor; one lane per active endpoint sends that
//! endpoint's due deliveries with bounded concurrency and records each attempt.
//! A delivery is marked done only after its endpoint answered 2xx, so a crash
//! at any moment means at worst a repeat with the same event id.
//!
//! Every node runs this worker: the fan-out moves the cursor in the same
//! transaction as it reads it (writes take turns across nodes), and a lane
//! claims the deliveries it attempts (`webhook_deliveries::claim`) for as
//! long as their attempts may take, so a delivery is attempted by one node at
//! a time; a node that dies mid-attempt leaves its claims to lapse, and
//! another node makes the attempt again (at worst one repeat).

use std::{collections::HashMap, sync::Arc, time::Duration};

use futures_util::{stream, StreamExt};
use tokio::{sync::watch, task::JoinHandle};

use super::{
    config::WebhooksConfig,
    schedule::RetrySchedule,
    sender::{Reply, Sender},
    signing,
};
use crate::{
    auth::sealed::SealKey,
    clock::{format_timestamp, Clock},
    shutdown::{stopped, StopSignal},
    store::{
        webhook_deliveries::{self, Attempt, DueDelivery},
        webhooks, Db, StoreError,
    },
};

/// What a webhook secret is sealed for.
pub const SECRET_PURPOSE: &str = "webhook.secret";
const FAN_OUT_BATCH: i64 = 500;
const POLL: Duration = Duration::from_millis(200);
const LANE_IDLE: Duration = Duration::from_secs(1);
/// Seconds a claim outlasts the attempts it covers.
const CLAIM_MARGIN_SECS: i64 = 30;

/// Everything the worker needs.
pub struct Delivery {
    pub db: Db,
    /// This node (its claims carry the id).
    pub node: String,
    pub clock: Arc<dyn Clock>,
    pub config: WebhooksConfig,
    pub seal: SealKey,
    sender: Sender,
    schedule: RetrySchedule,
}

impl Delivery {
    pub fn new(
        db: Db,
        node: String,
        clock: Arc<dyn Clock>,
        config: WebhooksConfig,
        seal: SealKey,
    ) -> Self {
        Self {
            node,
            sender: Sender::new(&config),
            schedule: RetrySchedule::new(config.retry_schedule.clone()),
            db,
            clock,
            config,
            seal,
        }
    }

    /// Unix seconds at which a new delivery is first due.
    pub fn first_due(&self) -> i64 {
        self.clock.now().unix_timestamp() + self.schedule.first_delay()
    }

    async fn fan_out(&self) -> Result<usize, StoreError> {
        let due = self.first_due();
        let now = format_timestamp(self.clock.now());
        self.db
            .write_async(move |tx| webhook_deliveries::fan_out(tx, FAN_OUT_BATCH, due, &now))
            .await
    }

    async fn attempt(
        &self,
        webhook_id: i64,
        url: String,
        secret: Option<String>,
        row: DueDelivery,
    ) -> Attempt {
        let at = self.clock.now();
        let reply = match secret {
            Some(secret) => {
                let body = signing::body(&row.event, &row.event_created_at, &row.payload);
                let signed =
                    signing::sign(&secret, row.event_id, &row.event, body, at.unix_timestamp());
                let sender = self.sender.clone();
                crate::outbound::blocking(move || sender.post(&url, &signed))
                    .await
                    .unwrap_or_else(failed)
            }
            None => failed(
                "the signing secret cannot be opened with this data directory's seal.key".into(),
            ),
        };
        let verdict = self.schedule.verdict(
            row.attempts,
            reply.status,
            self.clock.now().unix_timestamp(),
        );
        Attempt {
            delivery_id: row.id,
            webhook_id,
            attempted_at: format_timestamp(at),
            status_code: reply.status,
            duration_ms: reply.duration_ms,
            response_body: reply.body,
            error: reply.error,
            verdict,
        }
    }

    async fn record(&self, attempts: Vec<Attempt>) -> Result<(), StoreError> {
        let days = self.config.disable_after_days;
        let cutoff = format_timestamp(self.clock.now() - time::Duration::days(i64::from(days)));
        self.db
            .write_async(move |tx| webhook_deliveries::record(tx, &attempts, &cutoff, days))
            .await
    }
}

fn failed(error: String) -> Reply {
    Reply {
        status: None,
        body: None,
        error: Some(error),
        duration_ms: 0,
    }
}

/// Runs until `stop`: fans events out and keeps one lane per active endpoint.
pub async fn worker(ctx: Arc<Delivery>, mut stop: StopSignal) {
    release_claims(&ctx).await;
    let (wake, _) = watch::channel(0u64);
    let mut lanes: HashMap<i64, JoinHandle<()>> = HashMap::new();
    loop {
        loop {
            match ctx.fan_out().await {
                Ok(n) => {
                    if n > 0 {
                        wake.send_modify(|g| *g = g.wrapping_add(1));
                    }
                    if n < FAN_OUT_BATCH as usize {
                        break;
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "webhooks: reading the outbox failed");
                    break;
                }
            }
        }
        lanes.retain(|_, lane| !lane.is_finished());
        match ctx.db.read_async(webhooks::active_ids).await {
            Ok(ids) => {
                for id in ids {
                    lanes.entry(id).or_insert_with(|| {
                        tokio::spawn(lane(ctx.clone(), id, wake.subscribe(), stop.clone()))
                    });
                }
            }
            Err(e) => tracing::error!(error = %e, "webhooks: listing endpoints failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stopped(&mut stop) => break,
        }
    }
    for (_, lane) in lanes {
        let _ = lane.await;
    }
    release_claims(&ctx).await;
}

/// Ends this node's claims (see `webhook_deliveries::release_claims`).
async fn release_claims(ctx: &Delivery) {
    let node = ctx.node.clone();
    match ctx
        .db
        .write_async(move |tx| webhook_deliveries::release_claims(tx, &node))
        .await
    {
        Ok(n) if n > 0 => tracing::info!(deliveries = n, "webhooks: released this node's claims"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "webhooks: releasing claims failed; they lapse"),
    }
}

/// Sends one endpoint's due deliveries until it is switched off or deleted.
async fn lane(ctx: Arc<Delivery>, id: i64, mut wake: watch::Receiver<u64>, mut stop: StopSignal) {
    let concurrency = ctx.config.concurrency_per_endpoint.max(1);
    // Claimed: two rounds of attempts, each at most the send timeout; the
    // claim covers them with room to record.
    let batch = i64::try_from(concurrency * 2).unwrap_or(8);
    let claim_secs = 2 * i64::try_from(ctx.config.timeout_secs).unwrap_or(30) + CLAIM_MARGIN_SECS;
    loop {
        if *stop.borrow() {
            return;
        }
        let now = ctx.clock.now().unix_timestamp();
        let node = ctx.node.clone();
        // A read first: an idle lane looks every second, and only a lane
        // with something due takes the write that claims it.
        let loaded = async {
            let found = ctx
                .db
                .read_async(move |c| {
                    let target = webhooks::active_target(c, id)?;
                    let due = !webhook_deliveries::due(c, id, now, 1)?.is_empty();
                    Ok((target, due))
                })
                .await?;
            match found {
                (None, _) => Ok((None, Vec::new())),
                (Some(target), false) => Ok((Some(target), Vec::new())),
                (Some(target), true) => {
                    let rows = ctx
                        .db
                        .write_async(move |tx| {
                            webhook_deliveries::claim(tx, id, &node, now, now + claim_secs, batch)
                        })
                        .await?;
                    Ok::<_, StoreError>((Some(target), rows))
                }
            }
        }
        .await;
        let (target, rows) = match loaded {
            Ok((Some(target), rows)) => (target, rows),
            Ok((None, _)) => return,
            Err(e) => {
                tracing::error!(webhook = id, error = %e, "webhooks: loading deliveries failed");
                tokio::select! {
                    _ = tokio::time::sleep(LANE_IDLE) => continue,
                    _ = stopped(&mut stop) => return,
                }
            }
        };
        if rows.is_empty() {
            tokio::select! {
                _ = wake.changed() => {}
                _ = tokio::time::sleep(LANE_IDLE) => {}
                _ = stopped(&mut stop) => return,
            }
            continue;
        }
        let secret = match ctx.seal.open(SECRET_PURPOSE, &target.secret_sealed) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(webhook = id, error = %e, "webhooks: cannot open the signing secret");
                None
            }
        };
        // Attempts are recorded in small groups as they finish, so a crash
        // repeats few of them.
        let mut halt = stop.clone();
        let mut finished = std::pin::pin!(stream::iter(rows)
            .map(|row| ctx.attempt(id, target.url.clone(), secret.clone(), row))
            .buffer_unordered(concurrency)
            .ready_chunks(concurrency)
            .take_until(async move { stopped(&mut halt).await }));
        while let Some(attempts) = finished.next().await {
            let n = attempts.len();
            if let Err(e) = ctx.record(attempts).await {
                tracing::error!(webhook = id, error = %e, "webhooks: recording {n} attempts failed");
            }
        }
    }
}
