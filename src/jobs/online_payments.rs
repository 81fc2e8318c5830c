//! Settles online payments whose customer never came back from the gateway:
//! every few seconds, pending payments last looked at more than `[payments]
//! status_check_secs` ago are asked about at the gateway (booked if paid),
//! and those past `pending_minutes` expire. Refunds a gateway is still
//! processing (or that got no answer) are asked about the same way. On several nodes each may ask;
//! a payment is still booked once (only a pending row is booked, and the
//! gateway's transaction id is unique).

use std::{sync::Arc, time::Duration};

use super::{stopped, StopSignal};
use crate::{drivers::payments::Gateways, ops};

const CHECK_EVERY: Duration = Duration::from_secs(5);

pub async fn worker(ctx: ops::Ctx, gateways: Arc<Gateways>, mut stop: StopSignal) {
    let mut tick = tokio::time::interval(CHECK_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match ops::online_payments::check_pending(&ctx, &gateways).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(settled = n, "online payments settled by status check"),
                    Err(e) => tracing::warn!(error = %e, "online payment status check failed"),
                }
                match ops::online_payments::check_refunds(&ctx, &gateways).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(ended = n, "refunds settled by the refund check"),
                    Err(e) => tracing::warn!(error = %e, "refund check failed"),
                }
            }
            _ = stopped(&mut stop) => break,
        }
    }
}
