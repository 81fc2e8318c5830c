//! Sends the day's due reminders with payment links (`ops::reminders`):
//! looked at every minute; each reminder is written once however often this
//! runs, on however many nodes.

use std::time::Duration;

use super::{stopped, StopSignal};
use crate::ops::{self, portal::PortalKeys};

const EVERY: Duration = Duration::from_secs(60);

pub async fn worker(ctx: ops::Ctx, keys: PortalKeys, mut stop: StopSignal) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match ops::reminders::send_due(&ctx, &keys).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(reminders = n, "due reminders written"),
                    Err(e) => tracing::warn!(error = %e, "due reminders failed"),
                }
            }
            _ = stopped(&mut stop) => break,
        }
    }
}
