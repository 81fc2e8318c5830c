//! Webhooks: endpoints (create, change, delete, rotate the signing secret),
//! test deliveries, the delivery log and redelivery. The API (`webhooks:manage`)
//! and the panel (administrators) call the same operations.

use crate::{
    auth::sealed::SealKey,
    contract::{pagination::PageRequest, webhooks::WebhookPatch},
    events::{
        schedule::RetrySchedule,
        signing,
        target::{self, AddressPolicy},
        worker::SECRET_PURPOSE,
    },
    store::{
        audit_rows,
        audited::WEBHOOK,
        webhook_deliveries::{self, AttemptRow, DeliveryRow},
        webhooks::{self, WebhookFields, WebhookRow},
        StoreError,
    },
};

use super::{Caller, Ctx, Error, OpResult};

/// The URL must resolve to an address the outbound policy allows.
async fn check_url(ctx: &Ctx, url: &str) -> OpResult<()> {
    target::check_url(url, AddressPolicy::webhooks(&ctx.config.webhooks))
        .await
        .map_err(|why| Error::invalid("url", why))
}

/// A new secret: (plain, sealed).
fn seal_new_secret(seal_key: &SealKey) -> OpResult<(String, String)> {
    let secret = signing::new_secret().map_err(|e| Error::Internal(e.to_string()))?;
    let sealed = seal_key
        .seal(SECRET_PURPOSE, &secret)
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok((secret, sealed))
}

/// When a delivery queued now is first tried.
fn first_due(ctx: &Ctx) -> i64 {
    ctx.clock.now().unix_timestamp()
        + RetrySchedule::new(ctx.config.webhooks.retry_schedule.clone()).first_delay()
}

/// 404 for no such webhook, 409 when it is switched off.
async fn require_active(ctx: &Ctx, id: i64) -> OpResult<()> {
    let hook = ctx
        .db
        .read_async(move |c| webhooks::get(c, id))
        .await?
        .ok_or(Error::NotFound)?;
    if hook.active {
        Ok(())
    } else {
        Err(Error::Conflict(
            "The webhook is switched off; activate it first.".into(),
        ))
    }
}

/// A page of webhooks (oldest first) and their total.
pub async fn list(
    ctx: &Ctx,
    _caller: &Caller,
    page: PageRequest,
) -> OpResult<(Vec<WebhookRow>, u64)> {
    let (rows, total) = ctx
        .db
        .read_async(move |c| webhooks::list(c, page.limit(), page.offset()))
        .await?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Creates a webhook (active unless told otherwise) with a new secret: the
/// webhook and the secret in plain text, which is never shown again.
pub async fn create(
    ctx: &Ctx,
    caller: &Caller,
    seal_key: &SealKey,
    input: WebhookPatch,
) -> OpResult<(WebhookRow, String)> {
    let fields = WebhookFields {
        url: input.url.unwrap_or_default(),
        events: input.events.unwrap_or_default(),
        active: input.active.unwrap_or(true),
    };
    check_url(ctx, &fields.url).await?;
    let (secret, sealed) = seal_new_secret(seal_key)?;
    let now = ctx.now_text();
    let who = caller.who();
    let row = ctx
        .db
        .write_async(move |tx| {
            let row = webhooks::create(tx, &fields, &sealed, &now)?;
            audit_rows::record_change(tx, &who, &WEBHOOK, "created", row.id, None, &now)?;
            Ok(row)
        })
        .await?;
    Ok((row, secret))
}

pub async fn get(ctx: &Ctx, _caller: &Caller, id: i64) -> OpResult<WebhookRow> {
    ctx.db
        .read_async(move |c| webhooks::get(c, id))
        .await?
        .ok_or(Error::NotFound)
}

/// Changes the fields sent; activating clears the reason it was switched off.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    input: WebhookPatch,
) -> OpResult<WebhookRow> {
    if let Some(url) = &input.url {
        check_url(ctx, url).await?;
    }
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let current = webhooks::get(tx, id)?.ok_or(StoreError::NotFound)?;
            let before = audit_rows::snapshot(tx, &WEBHOOK, id)?;
            let fields = WebhookFields {
                url: input.url.unwrap_or(current.url),
                events: input.events.unwrap_or(current.events),
                active: input.active.unwrap_or(current.active),
            };
            let row = webhooks::update(tx, id, &fields, &now)?;
            audit_rows::record_change(tx, &who, &WEBHOOK, "updated", id, before, &now)?;
            Ok(row)
        })
        .await?)
}

/// Deletes a webhook with its delivery log.
pub async fn delete(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<()> {
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::snapshot(tx, &WEBHOOK, id)?;
            webhooks::delete(tx, id)?;
            audit_rows::record_change(tx, &who, &WEBHOOK, "deleted", id, before, &now)
        })
        .await?)
}

/// Replaces the secret: the webhook and the new secret in plain text.
pub async fn rotate_secret(
    ctx: &Ctx,
    caller: &Caller,
    seal_key: &SealKey,
    id: i64,
) -> OpResult<(WebhookRow, String)> {
    let (secret, sealed) = seal_new_secret(seal_key)?;
    let now = ctx.now_text();
    let who = caller.who();
    let row = ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::snapshot(tx, &WEBHOOK, id)?;
            let row = webhooks::set_secret(tx, id, &sealed, &now)?;
            audit_rows::record_change(tx, &who, &WEBHOOK, "secret_rotated", id, before, &now)?;
            Ok(row)
        })
        .await?;
    Ok((row, secret))
}

/// Queues a `webhook.test` delivery to this (active) webhook only.
pub async fn test(ctx: &Ctx, _caller: &Caller, id: i64) -> OpResult<DeliveryRow> {
    require_active(ctx, id).await?;
    let due = first_due(ctx);
    let now = ctx.now_text();
    let payload = serde_json::json!({
        "webhook_id": id,
        "message": "Test delivery from ISPBills: this endpoint receives and verifies webhooks.",
    });
    Ok(ctx
        .db
        .write_async(move |tx| webhook_deliveries::create_test(tx, id, &payload, due, &now))
        .await?)
}

/// A page of a webhook's deliveries (newest first, `status`: pending,
/// delivered or failed) and their total.
pub async fn deliveries(
    ctx: &Ctx,
    _caller: &Caller,
    id: i64,
    status: Option<&'static str>,
    page: PageRequest,
) -> OpResult<(Vec<DeliveryRow>, u64)> {
    let (rows, total) = ctx
        .db
        .read_async(move |c| {
            webhooks::get(c, id)?.ok_or(StoreError::NotFound)?;
            webhook_deliveries::list(c, id, status, page.limit(), page.offset())
        })
        .await?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// One delivery of a webhook with every attempt.
pub async fn delivery(
    ctx: &Ctx,
    _caller: &Caller,
    id: i64,
    delivery_id: i64,
) -> OpResult<(DeliveryRow, Vec<AttemptRow>)> {
    Ok(ctx
        .db
        .read_async(move |c| {
            let row = webhook_deliveries::get(c, id, delivery_id)?.ok_or(StoreError::NotFound)?;
            let attempts = webhook_deliveries::attempts(c, row.id)?;
            Ok((row, attempts))
        })
        .await?)
}

/// Sends a delivery's event again (same event id) as a new delivery.
pub async fn redeliver(
    ctx: &Ctx,
    _caller: &Caller,
    id: i64,
    delivery_id: i64,
) -> OpResult<DeliveryRow> {
    require_active(ctx, id).await?;
    let due = first_due(ctx);
    let now = ctx.now_text();
    Ok(ctx
        .db
        .write_async(move |tx| webhook_deliveries::redeliver(tx, id, delivery_id, due, &now))
        .await?)
}
