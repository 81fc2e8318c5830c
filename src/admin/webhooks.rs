//! Integrations → API Management → Webhooks in the panel: the same operations
//! as `/api/v2/webhooks`, for logged-in administrators (cookie session + CSRF).

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    OpenApi,
};

use super::{AdminTags, StaffSession};
use crate::{
    api::v2::webhooks::{
        ops, DeliveryDetailOne, DeliveryList, DeliveryQueued, DeliveryStatus, NewWebhook,
        WebhookChanges, WebhookCreated, WebhookDeleted, WebhookList, WebhookOne, WebhookSecretOne,
    },
    contract::{
        body::JsonBody,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    state::AppState,
};

pub struct WebhooksApi;

#[OpenApi(tag = "AdminTags::ApiManagement")]
impl WebhooksApi {
    /// Webhooks.
    #[oai(
        path = "/admin/api/webhooks",
        method = "get",
        operation_id = "admin_webhooks"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<WebhookList>> {
        session.require_admin()?;
        ops::list(&state, PageRequest::new(page.0, per_page.0)).await
    }

    /// Add Webhook Endpoint (the secret is in this answer only).
    #[oai(
        path = "/admin/api/webhooks",
        method = "post",
        operation_id = "admin_webhook_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        body: JsonBody<NewWebhook>,
    ) -> ApiResult<WebhookCreated> {
        session.require_admin()?;
        ops::create(&state, body.0 .0).await
    }

    /// Edit, activate or deactivate a webhook.
    #[oai(
        path = "/admin/api/webhooks/:id",
        method = "put",
        operation_id = "admin_webhook_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
        body: JsonBody<WebhookChanges>,
    ) -> ApiResult<Json<WebhookOne>> {
        session.require_admin()?;
        ops::update(&state, id.0, body.0 .0).await
    }

    /// Delete a webhook.
    #[oai(
        path = "/admin/api/webhooks/:id",
        method = "delete",
        operation_id = "admin_webhook_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
    ) -> ApiResult<WebhookDeleted> {
        session.require_admin()?;
        ops::delete(&state, id.0).await
    }

    /// Rotate the secret (shown once).
    #[oai(
        path = "/admin/api/webhooks/:id/rotate-secret",
        method = "post",
        operation_id = "admin_webhook_rotate"
    )]
    async fn rotate(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
    ) -> ApiResult<Json<WebhookSecretOne>> {
        session.require_admin()?;
        ops::rotate_secret(&state, id.0).await
    }

    /// Send a test event.
    #[oai(
        path = "/admin/api/webhooks/:id/test",
        method = "post",
        operation_id = "admin_webhook_test"
    )]
    async fn test(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
    ) -> ApiResult<DeliveryQueued> {
        session.require_admin()?;
        ops::test(&state, id.0).await
    }

    /// The delivery log.
    #[oai(
        path = "/admin/api/webhooks/:id/deliveries",
        method = "get",
        operation_id = "admin_webhook_deliveries"
    )]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        status: Query<Option<DeliveryStatus>>,
    ) -> ApiResult<Json<DeliveryList>> {
        session.require_admin()?;
        ops::deliveries(&state, id.0, PageRequest::new(page.0, per_page.0), status.0).await
    }

    /// A delivery with its attempts (status, response).
    #[oai(
        path = "/admin/api/webhooks/:id/deliveries/:delivery_id",
        method = "get",
        operation_id = "admin_webhook_delivery"
    )]
    async fn delivery(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
        delivery_id: Path<i64>,
    ) -> ApiResult<Json<DeliveryDetailOne>> {
        session.require_admin()?;
        ops::delivery(&state, id.0, delivery_id.0).await
    }

    /// Redeliver.
    #[oai(
        path = "/admin/api/webhooks/:id/deliveries/:delivery_id/redeliver",
        method = "post",
        operation_id = "admin_webhook_redeliver"
    )]
    async fn redeliver(
        &self,
        state: Data<&AppState>,
        session: StaffSession,
        id: Path<i64>,
        delivery_id: Path<i64>,
    ) -> ApiResult<DeliveryQueued> {
        session.require_admin()?;
        ops::redeliver(&state, id.0, delivery_id.0).await
    }
}
