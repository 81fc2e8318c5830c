//! Webhook request bodies and the answers the API (`/api/v2/webhooks`) and the
//! panel (Integrations → Webhooks) share.

use poem_openapi::{payload::Json, ApiResponse, Object};

use crate::{
    clock::format_timestamp,
    contract::{
        body::Fields,
        field::{Contract, ContractKind, EnumRef, Ex, Field, Mode, Text},
    },
    create_and_update,
    events::target,
    paginated,
    store::{
        events::SUBSCRIBABLE,
        webhook_deliveries::{AttemptRow, DeliveryRow},
        webhooks::WebhookRow,
    },
    wire_enum,
};

/// An event a webhook can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
pub enum WebhookEvent {
    #[oai(rename = "customer.created")]
    CustomerCreated,
    #[oai(rename = "customer.updated")]
    CustomerUpdated,
    #[oai(rename = "customer.deleted")]
    CustomerDeleted,
    #[oai(rename = "customer.suspended")]
    CustomerSuspended,
    #[oai(rename = "customer.activated")]
    CustomerActivated,
    #[oai(rename = "package.changed")]
    PackageChanged,
    #[oai(rename = "subscription.expired")]
    SubscriptionExpired,
    #[oai(rename = "payment.received")]
    PaymentReceived,
    #[oai(rename = "payment.refunded")]
    PaymentRefunded,
    #[oai(rename = "payment.failed")]
    PaymentFailed,
    #[oai(rename = "bill.generated")]
    BillGenerated,
    #[oai(rename = "invoice.overdue")]
    InvoiceOverdue,
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

impl WebhookOne {
    pub fn of(row: WebhookRow) -> Self {
        Self { data: row.into() }
    }
}

#[derive(Debug, Object)]
pub struct WebhookSecretOne {
    pub data: WebhookWithSecret,
}

impl WebhookSecretOne {
    /// A webhook and its secret in plain text.
    pub fn of(row: WebhookRow, secret: String) -> Self {
        Self {
            data: WebhookWithSecret {
                webhook: row.into(),
                secret,
            },
        }
    }
}

paginated!(WebhookList, Webhook);

/// What [`target::parse_url`] can accept, in a pattern: `http://` or
/// `https://` (any case), a host without a user name or password, then
/// anything but control characters and text direction overrides.
pub const URL_PATTERN: &str = concat!(
    r"^[Hh][Tt][Tt][Pp][Ss]?://",
    r"[^/?#@\u0000-\u0020\u007F-\u009F\u202A-\u202E\u2066-\u2069]+",
    r"(?:[/?#][^\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*)?$"
);

/// A webhook's fields. On create `url` and `events` are required (`active`
/// defaults to true); on update what is absent stays.
pub static WEBHOOK: Contract = Contract {
    name: "WebhookInput",
    description: Some(
        "A webhook's fields. On create `url` and `events` are required (`active`\n\
         defaults to true); on update what is absent stays.",
    ),
    kind: ContractKind::Shared,
    fields: &[
        Field::with("url", Text::line().max(2000).pattern(URL_PATTERN))
            .required()
            .message(
                "must start with http:// or https:// and name a host (no user name or password).",
            )
            .describe("http:// or https:// URL receiving the POSTs.")
            .example(Ex::Str("https://crm.example.com/hooks/ispbills")),
        Field::list(
            "events",
            Text::line().enum_ref(&SUBSCRIBABLE, EnumRef::of::<WebhookEvent>()),
        )
        .required()
        .min(1)
        .example(Ex::List(&["customer.created", "payment.received"])),
        Field::boolean("active").nullable().example(Ex::Bool(true)),
    ],
    example: None,
};

/// The fields a request sets (absent: unchanged).
#[derive(Debug, Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// Reads a webhook body (in either mode: the contract checks what is
/// required).
fn read_patch(f: &mut Fields, _mode: Mode) -> WebhookPatch {
    let url = f.take("url").text();
    if let Some(u) = &url {
        if let Err(why) = target::parse_url(u) {
            f.error("url", why);
        }
    }
    let events = f.take("events").list().map(|list| {
        let mut events: Vec<String> = Vec::new();
        for name in list {
            if !events.contains(&name) {
                events.push(name);
            }
        }
        events
    });
    WebhookPatch {
        url,
        events,
        active: f.take("active").bool(),
    }
}

/// `POST /api/v2/webhooks`, and the panel's.
pub struct NewWebhook(pub WebhookPatch);
/// `PUT /api/v2/webhooks/{id}`, and the panel's.
pub struct WebhookChanges(pub WebhookPatch);

create_and_update!(WEBHOOK, read_patch => NewWebhook, WebhookChanges);

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

use crate::{created, one};

one!(DeliveryOne, Delivery);

#[derive(Debug, Object)]
pub struct DeliveryDetailOne {
    pub data: DeliveryDetail,
}

impl DeliveryDetailOne {
    pub fn of((row, attempts): (DeliveryRow, Vec<AttemptRow>)) -> Self {
        Self {
            data: DeliveryDetail {
                delivery: row.into(),
                attempt_log: attempts.into_iter().map(Into::into).collect(),
            },
        }
    }
}

paginated!(DeliveryList, Delivery);

wire_enum! {
    pub enum DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

created!(
    /// Created; the secret is in this answer only.
    WebhookCreated,
    Json<WebhookSecretOne>
);

impl WebhookCreated {
    /// The new webhook and its secret in plain text.
    pub fn of(row: WebhookRow, secret: String) -> Self {
        Self::Created(Json(WebhookSecretOne::of(row, secret)))
    }
}

#[derive(ApiResponse)]
pub enum DeliveryQueued {
    /// Queued; the worker sends it at once. Follow it in the delivery log.
    #[oai(status = 202)]
    Accepted(Json<DeliveryOne>),
}

impl DeliveryQueued {
    pub fn of(row: DeliveryRow) -> Self {
        Self::Accepted(Json(DeliveryOne::of(row)))
    }
}
