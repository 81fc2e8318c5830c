//! Due reminders with a payment link (`[sms.notifications] reminder_days`):
//! from `reminder_at` each day (the ISP's local time), every open bill due
//! in N days and every prepaid package ending in N days gets one reminder —
//! an event the SMS worker sends with the `bill_reminder` / `expiry_reminder`
//! template, `{payment_link}` a signed link to pay without logging in. A
//! reminder is written once per bill or expiry and N (a unique row), so
//! the job may run often and on several nodes.

use serde_json::json;
use time::{Duration, PrimitiveDateTime, Time};

use crate::{
    clock::format_timestamp,
    store::{
        events,
        reminders::{self, NewReminder},
    },
};

use super::{payment_links::link_for, portal::PortalKeys, Ctx, OpResult};

/// At most this many reminders of each kind and day per pass.
const BATCH: i64 = 500;

/// Writes today's reminders not written yet; answers how many.
pub async fn send_due(ctx: &Ctx, keys: &PortalKeys) -> OpResult<usize> {
    let n = &ctx.config.sms.notifications;
    let base = ctx.config.server.public_url.trim().to_string();
    if n.reminder_days.is_empty() || base.is_empty() {
        return Ok(0);
    }
    let offset = ctx.config.isp.offset();
    let local = ctx.clock.now().to_offset(offset);
    if local.time() < n.reminder_time().unwrap_or(Time::MIDNIGHT) {
        return Ok(0);
    }
    let day = ctx.today();
    let mut written = 0;
    for &days in &n.reminder_days {
        let target = day + Duration::days(i64::from(days));
        let due_date = target.to_string();
        let from =
            format_timestamp(PrimitiveDateTime::new(target, Time::MIDNIGHT).assume_offset(offset));
        let to = format_timestamp(
            PrimitiveDateTime::new(target + Duration::days(1), Time::MIDNIGHT)
                .assume_offset(offset),
        );
        let (bills, expiring) = ctx
            .db
            .read_async(move |c| {
                Ok((
                    reminders::bills_due_on(c, &due_date, days, BATCH)?,
                    reminders::expiring(c, &from, &to, days, BATCH)?,
                ))
            })
            .await?;
        let mut batch = Vec::new();
        for b in bills {
            let link = link_for(ctx, keys, &base, b.customer_id, Some(b.bill_id), day);
            batch.push(NewReminder {
                kind: "bill",
                customer_id: b.customer_id,
                target: b.bill_id.to_string(),
                days,
                event: events::BILL_REMINDER,
                payload: json!({
                    "customer_id": b.customer_id,
                    "bill_id": b.bill_id,
                    "amount": b.open.to_json(),
                    "currency": b.currency,
                    "due_date": b.due_date,
                    "days": days,
                    "payment_link": link.url,
                }),
            });
        }
        for (customer_id, expires_at) in expiring {
            let link = link_for(ctx, keys, &base, customer_id, None, day);
            batch.push(NewReminder {
                kind: "expiry",
                customer_id,
                target: expires_at,
                days,
                event: events::EXPIRY_REMINDER,
                payload: json!({
                    "customer_id": customer_id,
                    "expires_on": target.to_string(),
                    "days": days,
                    "payment_link": link.url,
                }),
            });
        }
        if batch.is_empty() {
            continue;
        }
        let now = ctx.now_text();
        written += ctx
            .db
            .write_async(move |tx| {
                let mut added = 0;
                for r in &batch {
                    if reminders::record(tx, r, &now)? {
                        added += 1;
                    }
                }
                Ok(added)
            })
            .await?;
    }
    Ok(written)
}
