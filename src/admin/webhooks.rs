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
    auth::principal::role_scopes,
    contract::{
        answer::Deleted,
        body::JsonBody,
        pagination::{PageParam, PageRequest, PerPageParam},
        webhooks::{
            DeliveryDetailOne, DeliveryList, DeliveryQueued, DeliveryStatus, NewWebhook,
            WebhookChanges, WebhookCreated, WebhookList, WebhookOne, WebhookSecretOne,
        },
    },
    domain::visibility::Visibility,
    error::ApiResult,
    ops::{webhooks, Actor, Caller},
    state::AppState,
};

/// The logged-in administrator as the caller of an operation.
fn caller(session: &StaffSession) -> Caller {
    let user = &session.user;
    Caller {
        actor: Actor::User(user.id),
        scopes: role_scopes(user.role),
        role: Some(user.role),
        visibility: Visibility::of_role(Some(user.role), user.operator_id),
        source: None,
    }
}

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
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = webhooks::list(&state.ctx(), &caller(&session), page).await?;
        Ok(Json(WebhookList::of(rows, total, &page)))
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
        let caller = caller(&session);
        let (row, secret) =
            webhooks::create(&state.ctx(), &caller, &state.seal_key, body.0 .0).await?;
        Ok(WebhookCreated::of(row, secret))
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
        let caller = caller(&session);
        let row = webhooks::update(&state.ctx(), &caller, id.0, body.0 .0).await?;
        Ok(Json(WebhookOne::of(row)))
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
    ) -> ApiResult<Deleted> {
        session.require_admin()?;
        webhooks::delete(&state.ctx(), &caller(&session), id.0).await?;
        Ok(Deleted::NoContent)
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
        let caller = caller(&session);
        let (row, secret) =
            webhooks::rotate_secret(&state.ctx(), &caller, &state.seal_key, id.0).await?;
        Ok(Json(WebhookSecretOne::of(row, secret)))
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
        let row = webhooks::test(&state.ctx(), &caller(&session), id.0).await?;
        Ok(DeliveryQueued::of(row))
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
        let page = PageRequest::new(page.0, per_page.0);
        let status = status.0.map(DeliveryStatus::as_str);
        let caller = caller(&session);
        let (rows, total) = webhooks::deliveries(&state.ctx(), &caller, id.0, status, page).await?;
        Ok(Json(DeliveryList::of(rows, total, &page)))
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
        let caller = caller(&session);
        let found = webhooks::delivery(&state.ctx(), &caller, id.0, delivery_id.0).await?;
        Ok(Json(DeliveryDetailOne::of(found)))
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
        let caller = caller(&session);
        let row = webhooks::redeliver(&state.ctx(), &caller, id.0, delivery_id.0).await?;
        Ok(DeliveryQueued::of(row))
    }
}
