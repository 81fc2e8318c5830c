//! The SMS worker: turns outbox events into customer notifications, and hands
//! queued messages to the gateway. A message is marked `sending` (committed)
//! before the gateway is called; after a crash such messages are sent again
//! only when that cannot make a duplicate, else they fail visibly.

use crate::domain::visibility::Visibility;
use std::{sync::Arc, time::Duration};

use futures_util::{stream, StreamExt};

use super::{
    config::SmsConfig,
    day_start,
    gateway::{Gateway, Handoff, LogGateway, Outgoing},
    http_gateway::HttpGateway,
    new_message_id, notifications,
    phone::Phone,
    segments,
};
use crate::{
    clock::{format_timestamp, Clock},
    shutdown::{stopped, StopSignal},
    store::{
        customers, events,
        sms::{self, Limits, NewSms, SmsRow, NOTIFICATIONS_READER},
        Db, StoreError,
    },
};

const POLL: Duration = Duration::from_millis(250);
const EVENT_BATCH: i64 = 200;
const SEND_BATCH: i64 = 32;
const CONCURRENCY: usize = 4;

/// The configured gateway; its every dial passes `policy`.
pub fn gateway_from(config: &SmsConfig, policy: crate::net_policy::Policy) -> Arc<dyn Gateway> {
    match (&config.gateway[..], &config.http) {
        ("http", Some(http)) => Arc::new(HttpGateway::new(
            http.clone(),
            config.resend_interrupted,
            policy,
        )),
        _ => Arc::new(LogGateway),
    }
}

/// Everything the worker needs.
pub struct SmsWorker {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: SmsConfig,
    pub offset: time::UtcOffset,
    pub gateway: Arc<dyn Gateway>,
    /// This node: its sends are marked with it.
    pub node: String,
}

impl SmsWorker {
    fn now(&self) -> (String, i64) {
        let now = self.clock.now();
        (format_timestamp(now), now.unix_timestamp())
    }

    /// Messages left `sending` by a node that is gone (`at_start`: this
    /// node's own last run too): queued again or failed.
    pub fn reconcile(&self, at_start: bool) -> Result<usize, StoreError> {
        let resend = self.gateway.resend_is_safe() || self.config.resend_interrupted;
        let (now, unix) = self.now();
        let now_ms = crate::clock::unix_millis(self.clock.now());
        let mine = at_start.then(|| self.node.clone());
        self.db.write(move |tx| {
            sms::reconcile_interrupted(tx, resend, unix, &now, mine.as_deref(), now_ms)
        })
    }

    /// Reads new outbox events and queues the notifications they call for, in
    /// the transaction that moves the cursor. Returns the events read.
    pub fn notify(&self) -> Result<usize, StoreError> {
        let (now, unix) = self.now();
        let start = day_start(self.clock.now(), self.offset);
        let config = self.config.clone();
        self.db.write(move |tx| {
            let limits = Limits {
                daily_cap: config.daily_credit_cap,
                day_start: &start,
            };
            let after = events::cursor(tx, NOTIFICATIONS_READER)?;
            let evs = events::after(tx, after, EVENT_BATCH)?;
            let Some(last) = evs.last().map(|e| e.id) else {
                return Ok(0);
            };
            for ev in &evs {
                let Some(template) = notifications::template_for(&config, &ev.kind) else {
                    continue;
                };
                let Some(customer_id) = ev.payload.get("customer_id").and_then(|v| v.as_i64())
                else {
                    continue;
                };
                let Some(customer) = customers::get(tx, customer_id, Visibility::ALL)? else {
                    continue;
                };
                let text = notifications::render(template, &customer.name, &ev.payload);
                let count = segments::count(&text);
                let phone = Phone::parse(&customer.phone);
                let message = NewSms {
                    message_id: new_message_id().map_err(|e| StoreError::Task(e.to_string()))?,
                    phone: phone
                        .as_ref()
                        .map_or_else(|_| customer.phone.clone(), |p| p.e164().to_string()),
                    body: text,
                    encoding: count.encoding.as_str(),
                    parts: i64::try_from(count.parts).unwrap_or(i64::MAX),
                    source: "notification",
                    event_id: Some(ev.id),
                    customer_id: Some(customer_id),
                    broadcast_id: None,
                    requested_by: Some(format!("event:{}", ev.kind)),
                    operator_id: None,
                };
                if let Err(why) = phone {
                    sms::record_unsent(tx, &message, &why, &now)?;
                    continue;
                }
                match sms::queue(
                    tx,
                    std::slice::from_ref(&message),
                    limits,
                    "message",
                    unix,
                    &now,
                ) {
                    Ok(_) => {}
                    Err(StoreError::Invalid(problems)) => {
                        let why: Vec<String> = problems.into_iter().map(|(_, m)| m).collect();
                        sms::record_unsent(tx, &message, &why.join(" "), &now)?;
                    }
                    Err(e) => return Err(e),
                }
            }
            events::set_cursor(tx, NOTIFICATIONS_READER, last)?;
            Ok(evs.len())
        })
    }

    /// Hands one queued message to the gateway and records the outcome.
    async fn deliver(self: &Arc<Self>, row: SmsRow) {
        let ctx = self.clone();
        let done = tokio::task::spawn_blocking(move || ctx.deliver_blocking(row)).await;
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "sms: recording a send failed"),
            Err(e) => tracing::error!(error = %e, "sms: the send task failed"),
        }
    }

    fn deliver_blocking(&self, row: SmsRow) -> Result<(), StoreError> {
        let (now, _) = self.now();
        let claimed = self.db.write({
            let (id, gateway, node) = (row.id, self.gateway.name().to_string(), self.node.clone());
            move |tx| sms::mark_sending(tx, id, &gateway, &node, &now)
        })?;
        if !claimed {
            return Ok(());
        }
        let outgoing = Outgoing {
            message_id: row.message_id.clone(),
            phone: Phone::from_e164(&row.phone),
            text: row.body.clone(),
            sender_id: self.config.sender_id.clone(),
        };
        let handoff = self.gateway.send(&outgoing);
        let (now, unix) = self.now();
        let attempts = row.attempts + 1;
        let (id, schedule) = (row.id, self.config.retry_schedule.clone());
        self.db.write(move |tx| match &handoff {
            Handoff::Accepted { provider_id } => {
                sms::mark_sent(tx, id, provider_id.as_deref(), &now)
            }
            Handoff::Retry(why) => {
                let next = usize::try_from(attempts - 1)
                    .ok()
                    .and_then(|i| schedule.get(i));
                match next {
                    Some(delay) => sms::mark_retry(
                        tx,
                        id,
                        unix + i64::try_from(*delay).unwrap_or(i64::MAX / 2),
                        why,
                        &now,
                    ),
                    None => sms::mark_failed(
                        tx,
                        id,
                        &format!("{why} (after {attempts} attempts)"),
                        true,
                        &now,
                    ),
                }
            }
            Handoff::Refused(why) => sms::mark_failed(tx, id, why, true, &now),
            Handoff::Unknown(why) => sms::mark_failed(tx, id, why, false, &now),
        })
    }

    /// Sends what is due; returns how many were due.
    async fn send_due(self: &Arc<Self>) -> Result<usize, StoreError> {
        let (_, unix) = self.now();
        let rows = self
            .db
            .read_async(move |c| sms::due(c, unix, SEND_BATCH))
            .await?;
        let n = rows.len();
        stream::iter(rows)
            .for_each_concurrent(CONCURRENCY, |row| self.deliver(row))
            .await;
        Ok(n)
    }
}

/// Runs until `stop`.
pub async fn worker(ctx: Arc<SmsWorker>, mut stop: StopSignal) {
    let reconcile = |at_start: bool| {
        let c = ctx.clone();
        async move {
            match tokio::task::spawn_blocking(move || c.reconcile(at_start)).await {
                Ok(Ok(n)) if n > 0 => {
                    tracing::warn!(messages = n, "sms: reconciled interrupted sends")
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "sms: reconciling failed"),
                Err(e) => tracing::error!(error = %e, "sms: reconciling task failed"),
            }
        }
    };
    reconcile(true).await;
    // Another node's interrupted sends are settled once its lease lapses.
    let mut last_reconcile = tokio::time::Instant::now();
    loop {
        if last_reconcile.elapsed() >= crate::cluster::RENEW_EVERY {
            reconcile(false).await;
            last_reconcile = tokio::time::Instant::now();
        }
        let c = ctx.clone();
        match tokio::task::spawn_blocking(move || c.notify()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "sms: notifications failed"),
            Err(e) => tracing::error!(error = %e, "sms: notifications task failed"),
        }
        let busy = match ctx.send_due().await {
            Ok(n) => n as i64 == SEND_BATCH,
            Err(e) => {
                tracing::error!(error = %e, "sms: reading the queue failed");
                false
            }
        };
        if *stop.borrow() {
            break;
        }
        if !busy {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = stopped(&mut stop) => break,
            }
        }
    }
}
