//! `GET/POST /api/v2/webhooks`, `PUT/DELETE /api/v2/webhooks/{id}` (the guide),
//! and (additions) get one, rotate its secret, send a test, its delivery log
//! and redelivery. Scope `webhooks:manage`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    clock::format_timestamp,
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::{ApiError, ApiResult},
    events::{
        schedule::RetrySchedule,
        signing,
        target::{self, AddressPolicy},
        worker::SECRET_PURPOSE,
    },
    paginated, schema_as,
    state::AppState,
    store::{
        events::SUBSCRIBABLE,
        webhook_deliveries::{self, AttemptRow, DeliveryRow},
        webhooks::{self, WebhookFields, WebhookRow},
        StoreError,
    },
};

/// An event a webhook can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
pub enum WebhookEvent {
    #[oai(rename = "customer.created")]
    CustomerCreated,
    #[oai(rename = "customer.suspended")]
    CustomerSuspended,
    #[oai(rename = "customer.activated")]
    CustomerActivated,
    #[oai(rename = "payment.received")]
    PaymentReceived,
    #[oai(rename = "bill.generated")]
    BillGenerated,
    #[oai(rename = "complaint.created")]
    ComplaintCreated,
}

/// A webhook endpoint (its secret is shown only when created or rotated).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    /// Whether events are sent to it.
    pub active: bool,
    /// Why it was switched off automatically (410 Gone, or failing for days).
    #[oai(nullable)]
    pub disabled_reason: Option<String>,
    /// Since when every delivery has failed (null while deliveries succeed).
    #[oai(nullable)]
    pub failing_since: Option<String>,
    #[oai(nullable)]
    pub last_success_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<WebhookRow> for Webhook {
    fn from(w: WebhookRow) -> Self {
        Self {
            id: w.id,
            url: w.url,
            events: w.events,
            active: w.active,
            disabled_reason: w.disabled_reason,
            failing_since: w.failing_since,
            last_success_at: w.last_success_at,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A webhook with its signing secret: shown this once, store it now.
#[derive(Debug, Clone, Object)]
pub struct WebhookWithSecret {
    #[oai(flatten)]
    pub webhook: Webhook,
    /// `whsec_` + base64 of 32 random bytes. X-Signature is the hex HMAC-SHA256
    /// of the raw body keyed with this whole string; webhook-signature follows
    /// Standard Webhooks (key = the base64-decoded part after `whsec_`).
    pub secret: String,
}

#[derive(Debug, Object)]
pub struct WebhookOne {
    pub data: Webhook,
}

#[derive(Debug, Object)]
pub struct WebhookSecretOne {
    pub data: WebhookWithSecret,
}

paginated!(WebhookList, Webhook);

/// A webhook's fields. On create `url` and `events` are required (`active`
/// defaults to true); on update what is absent stays.
#[derive(Debug, Object)]
pub struct WebhookInput {
    /// http:// or https:// URL receiving the POSTs.
    #[oai(
        nullable,
        validator(min_length = 1, max_length = 2000, pattern = "^https?://[^/@\\s]+")
    )]
    pub url: Option<String>,
    #[oai(nullable, validator(min_items = 1))]
    pub events: Option<Vec<WebhookEvent>>,
    #[oai(nullable)]
    pub active: Option<bool>,
}

#[derive(Debug, Default)]
pub struct WebhookPatch {
    url: Option<String>,
    events: Option<Vec<String>>,
    active: Option<bool>,
}

fn read_patch(f: &mut Fields, creating: bool) -> WebhookPatch {
    let mut p = WebhookPatch::default();
    if creating || f.present("url") {
        let url = f.required_string("url");
        if !f.has_error("url") {
            match target::parse_url(&url) {
                Ok(_) => p.url = Some(url),
                Err(why) => f.error("url", why),
            }
        }
    }
    match f.optional_string_list("events") {
        Some(list) if list.is_empty() => f.error("events", "Choose at least one event."),
        Some(list) => {
            let mut events: Vec<String> = Vec::new();
            for name in list {
                if !SUBSCRIBABLE.contains(&name.as_str()) {
                    f.error(
                        "events",
                        format!(
                            "Unknown event `{name}` (one of: {}).",
                            SUBSCRIBABLE.join(", ")
                        ),
                    );
                } else if !events.contains(&name) {
                    events.push(name);
                }
            }
            p.events = Some(events);
        }
        None if creating && !f.has_error("events") => {
            f.error("events", "The events field is required.")
        }
        None => {}
    }
    p.active = f.optional_bool("active");
    p
}

pub struct NewWebhook(pub WebhookPatch);
pub struct WebhookChanges(pub WebhookPatch);

schema_as!(NewWebhook, WebhookInput);
schema_as!(WebhookChanges, WebhookInput);

impl FromJsonObject for NewWebhook {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, true))
    }
}

impl FromJsonObject for WebhookChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, false))
    }
}

/// One delivery of an event to a webhook.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    /// The event id: X-Webhook-Id and webhook-id of every attempt.
    pub event_id: i64,
    pub event: String,
    /// `pending`, `delivered` or `failed` (no attempts left, or 410 Gone).
    pub status: String,
    pub attempts: i64,
    /// When the next attempt is due (pending only).
    #[oai(nullable)]
    pub next_attempt_at: Option<String>,
    #[oai(nullable)]
    pub last_attempt_at: Option<String>,
    #[oai(nullable)]
    pub last_status_code: Option<i64>,
    #[oai(nullable)]
    pub last_error: Option<String>,
    /// The delivery this one re-sends.
    #[oai(nullable)]
    pub redelivery_of: Option<i64>,
    pub created_at: String,
    #[oai(nullable)]
    pub finished_at: Option<String>,
}

impl From<DeliveryRow> for Delivery {
    fn from(d: DeliveryRow) -> Self {
        Self {
            id: d.id,
            webhook_id: d.webhook_id,
            event_id: d.event_id,
            event: d.event,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d
                .next_attempt_at
                .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
                .map(format_timestamp),
            last_attempt_at: d.last_attempt_at,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            redelivery_of: d.redelivery_of,
            created_at: d.created_at,
            finished_at: d.finished_at,
        }
    }
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Object)]
pub struct DeliveryAttempt {
    pub id: i64,
    pub attempted_at: String,
    /// The HTTP status, when the endpoint answered.
    #[oai(nullable)]
    pub status_code: Option<i64>,
    pub duration_ms: i64,
    /// The first 1 KB of the answer.
    #[oai(nullable)]
    pub response_body: Option<String>,
    #[oai(nullable)]
    pub error: Option<String>,
}

impl From<AttemptRow> for DeliveryAttempt {
    fn from(a: AttemptRow) -> Self {
        Self {
            id: a.id,
            attempted_at: a.attempted_at,
            status_code: a.status_code,
            duration_ms: a.duration_ms,
            response_body: a.response_body,
            error: a.error,
        }
    }
}

/// A delivery with every attempt.
#[derive(Debug, Clone, Object)]
pub struct DeliveryDetail {
    #[oai(flatten)]
    pub delivery: Delivery,
    pub attempt_log: Vec<DeliveryAttempt>,
}

#[derive(Debug, Object)]
pub struct DeliveryOne {
    pub data: Delivery,
}

#[derive(Debug, Object)]
pub struct DeliveryDetailOne {
    pub data: DeliveryDetail,
}

paginated!(DeliveryList, Delivery);

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

#[derive(ApiResponse)]
pub enum WebhookCreated {
    /// Created; the secret is in this answer only.
    #[oai(status = 201)]
    Created(Json<WebhookSecretOne>),
}

#[derive(ApiResponse)]
pub enum WebhookDeleted {
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
pub enum DeliveryQueued {
    /// Queued; the worker sends it at once. Follow it in the delivery log.
    #[oai(status = 202)]
    Accepted(Json<DeliveryOne>),
}

fn policy(state: &AppState) -> AddressPolicy {
    AddressPolicy::webhooks(&state.config.webhooks)
}

async fn check_url(state: &AppState, url: &str) -> ApiResult<()> {
    target::check_url(url, policy(state))
        .await
        .map_err(|why| ApiError::invalid_field("url", why))
}

fn seal_new_secret(state: &AppState) -> ApiResult<(String, String)> {
    let secret = signing::new_secret().map_err(ApiError::internal)?;
    let sealed = state
        .seal_key
        .seal(SECRET_PURPOSE, &secret)
        .map_err(ApiError::internal)?;
    Ok((secret, sealed))
}

fn first_due(state: &AppState) -> i64 {
    state.clock.now().unix_timestamp()
        + RetrySchedule::new(state.config.webhooks.retry_schedule.clone()).first_delay()
}

async fn require_active(state: &AppState, id: i64) -> ApiResult<()> {
    let hook = state
        .db
        .read_async(move |c| webhooks::get(c, id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    if hook.active {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "The webhook is switched off; activate it first.",
        ))
    }
}

/// The operations, shared by the v2 API and the admin panel.
pub mod ops {
    use super::*;

    pub async fn list(state: &AppState, page: PageRequest) -> ApiResult<Json<WebhookList>> {
        let (rows, total) = state
            .db
            .read_async(move |c| webhooks::list(c, page.limit(), page.offset()))
            .await?;
        Ok(Json(WebhookList::new(
            rows.into_iter().map(Into::into).collect(),
            u64::try_from(total).unwrap_or(0),
            &page,
        )))
    }

    pub async fn create(state: &AppState, patch: WebhookPatch) -> ApiResult<WebhookCreated> {
        let fields = WebhookFields {
            url: patch.url.unwrap_or_default(),
            events: patch.events.unwrap_or_default(),
            active: patch.active.unwrap_or(true),
        };
        check_url(state, &fields.url).await?;
        let (secret, sealed) = seal_new_secret(state)?;
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| webhooks::create(tx, &fields, &sealed, &now))
            .await?;
        Ok(WebhookCreated::Created(Json(WebhookSecretOne {
            data: WebhookWithSecret {
                webhook: row.into(),
                secret,
            },
        })))
    }

    pub async fn get(state: &AppState, id: i64) -> ApiResult<Json<WebhookOne>> {
        let row = state
            .db
            .read_async(move |c| webhooks::get(c, id))
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(WebhookOne { data: row.into() }))
    }

    pub async fn update(
        state: &AppState,
        id: i64,
        patch: WebhookPatch,
    ) -> ApiResult<Json<WebhookOne>> {
        if let Some(url) = &patch.url {
            check_url(state, url).await?;
        }
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| {
                let current = webhooks::get(tx, id)?.ok_or(StoreError::NotFound)?;
                let fields = WebhookFields {
                    url: patch.url.unwrap_or(current.url),
                    events: patch.events.unwrap_or(current.events),
                    active: patch.active.unwrap_or(current.active),
                };
                webhooks::update(tx, id, &fields, &now)
            })
            .await?;
        Ok(Json(WebhookOne { data: row.into() }))
    }

    pub async fn delete(state: &AppState, id: i64) -> ApiResult<WebhookDeleted> {
        state
            .db
            .write_async(move |tx| webhooks::delete(tx, id))
            .await?;
        Ok(WebhookDeleted::NoContent)
    }

    pub async fn rotate_secret(state: &AppState, id: i64) -> ApiResult<Json<WebhookSecretOne>> {
        let (secret, sealed) = seal_new_secret(state)?;
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| webhooks::set_secret(tx, id, &sealed, &now))
            .await?;
        Ok(Json(WebhookSecretOne {
            data: WebhookWithSecret {
                webhook: row.into(),
                secret,
            },
        }))
    }

    pub async fn test(state: &AppState, id: i64) -> ApiResult<DeliveryQueued> {
        require_active(state, id).await?;
        let due = first_due(state);
        let now = format_timestamp(state.clock.now());
        let payload = serde_json::json!({
            "webhook_id": id,
            "message": "Test delivery from ISPBills: this endpoint receives and verifies webhooks.",
        });
        let row = state
            .db
            .write_async(move |tx| webhook_deliveries::create_test(tx, id, &payload, due, &now))
            .await?;
        Ok(DeliveryQueued::Accepted(Json(DeliveryOne {
            data: row.into(),
        })))
    }

    pub async fn deliveries(
        state: &AppState,
        id: i64,
        page: PageRequest,
        status: Option<DeliveryStatus>,
    ) -> ApiResult<Json<DeliveryList>> {
        let status = status.map(DeliveryStatus::as_str);
        let (rows, total) = state
            .db
            .read_async(move |c| {
                webhooks::get(c, id)?.ok_or(StoreError::NotFound)?;
                webhook_deliveries::list(c, id, status, page.limit(), page.offset())
            })
            .await?;
        Ok(Json(DeliveryList::new(
            rows.into_iter().map(Into::into).collect(),
            u64::try_from(total).unwrap_or(0),
            &page,
        )))
    }

    pub async fn delivery(
        state: &AppState,
        id: i64,
        delivery_id: i64,
    ) -> ApiResult<Json<DeliveryDetailOne>> {
        let (row, attempts) = state
            .db
            .read_async(move |c| {
                let row =
                    webhook_deliveries::get(c, id, delivery_id)?.ok_or(StoreError::NotFound)?;
                let attempts = webhook_deliveries::attempts(c, row.id)?;
                Ok((row, attempts))
            })
            .await?;
        Ok(Json(DeliveryDetailOne {
            data: DeliveryDetail {
                delivery: row.into(),
                attempt_log: attempts.into_iter().map(Into::into).collect(),
            },
        }))
    }

    pub async fn redeliver(
        state: &AppState,
        id: i64,
        delivery_id: i64,
    ) -> ApiResult<DeliveryQueued> {
        require_active(state, id).await?;
        let due = first_due(state);
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| webhook_deliveries::redeliver(tx, id, delivery_id, due, &now))
            .await?;
        Ok(DeliveryQueued::Accepted(Json(DeliveryOne {
            data: row.into(),
        })))
    }
}

#[derive(Default)]
pub struct V2WebhooksApi;

#[OpenApi(tag = "ApiTags::Webhooks")]
impl V2WebhooksApi {
    /// List webhooks (v2)
    ///
    /// Oldest first. Secrets are never listed.
    #[oai(
        path = "/api/v2/webhooks",
        method = "get",
        operation_id = "v2_webhooks_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<WebhookList>> {
        ops::list(&state, PageRequest::new(page.0, per_page.0)).await
    }

    /// Create a webhook (v2)
    ///
    /// `{"url", "events": [...], "active"}` → 201 with the webhook and its
    /// `secret`, shown this once. Only events after its creation are sent.
    #[oai(
        path = "/api/v2/webhooks",
        method = "post",
        operation_id = "v2_webhooks_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        body: JsonBody<NewWebhook>,
    ) -> ApiResult<WebhookCreated> {
        ops::create(&state, body.0 .0).await
    }

    /// Retrieve a webhook (v2, addition)
    #[oai(
        path = "/api/v2/webhooks/:id",
        method = "get",
        operation_id = "v2_webhooks_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<WebhookOne>> {
        ops::get(&state, id.0).await
    }

    /// Update a webhook (v2)
    ///
    /// Only the fields sent change. Setting `active: true` on a webhook that was
    /// switched off clears the reason; events from while it was off are not sent.
    #[oai(
        path = "/api/v2/webhooks/:id",
        method = "put",
        operation_id = "v2_webhooks_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<WebhookChanges>,
    ) -> ApiResult<Json<WebhookOne>> {
        ops::update(&state, id.0, body.0 .0).await
    }

    /// Delete a webhook (v2)
    ///
    /// With its delivery log; nothing more is sent to it.
    #[oai(
        path = "/api/v2/webhooks/:id",
        method = "delete",
        operation_id = "v2_webhooks_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<WebhookDeleted> {
        ops::delete(&state, id.0).await
    }

    /// Rotate a webhook's secret (v2, addition)
    ///
    /// The new `secret` is shown this once; the old one stops signing at once.
    #[oai(
        path = "/api/v2/webhooks/:id/rotate-secret",
        method = "post",
        operation_id = "v2_webhooks_rotate_secret"
    )]
    async fn rotate_secret(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<WebhookSecretOne>> {
        ops::rotate_secret(&state, id.0).await
    }

    /// Send a test event (v2, addition)
    ///
    /// Queues a `webhook.test` event to this webhook only (signed like any
    /// other); 202 with the delivery. A switched-off webhook: 409.
    #[oai(
        path = "/api/v2/webhooks/:id/test",
        method = "post",
        operation_id = "v2_webhooks_test"
    )]
    async fn test(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<DeliveryQueued> {
        ops::test(&state, id.0).await
    }

    /// List a webhook's deliveries (v2, addition)
    ///
    /// Newest first; filter by `status`. Kept 30 days after they finish.
    #[oai(
        path = "/api/v2/webhooks/:id/deliveries",
        method = "get",
        operation_id = "v2_webhooks_deliveries"
    )]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        id: Path<i64>,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        status: Query<Option<DeliveryStatus>>,
    ) -> ApiResult<Json<DeliveryList>> {
        ops::deliveries(&state, id.0, PageRequest::new(page.0, per_page.0), status.0).await
    }

    /// Retrieve a delivery with its attempts (v2, addition)
    ///
    /// Each attempt: time, status code, duration, the first 1 KB of the answer, error.
    #[oai(
        path = "/api/v2/webhooks/:id/deliveries/:delivery_id",
        method = "get",
        operation_id = "v2_webhooks_delivery"
    )]
    async fn delivery(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        id: Path<i64>,
        delivery_id: Path<i64>,
    ) -> ApiResult<Json<DeliveryDetailOne>> {
        ops::delivery(&state, id.0, delivery_id.0).await
    }

    /// Redeliver (v2, addition)
    ///
    /// Sends the same event again (same event id) as a new delivery with a fresh
    /// set of attempts; 202 with it. A switched-off webhook: 409.
    #[oai(
        path = "/api/v2/webhooks/:id/deliveries/:delivery_id/redeliver",
        method = "post",
        operation_id = "v2_webhooks_redeliver"
    )]
    async fn redeliver(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::WebhooksManage")] _auth: V2Auth,
        id: Path<i64>,
        delivery_id: Path<i64>,
    ) -> ApiResult<DeliveryQueued> {
        ops::redeliver(&state, id.0, delivery_id.0).await
    }
}
