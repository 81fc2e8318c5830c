//! `GET/POST /api/v2/webhooks`, `PUT/DELETE /api/v2/webhooks/{id}` (the guide),
//! and (additions) get one, rotate its secret, send a test, its delivery log
//! and redelivery. Scope `webhooks:manage`. The bodies and answers are in
//! [`crate::contract::webhooks`] (the panel shares them), the operations in
//! [`crate::ops::webhooks`].

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    OpenApi,
};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    contract::{
        answer::Deleted,
        body::JsonBody,
        pagination::{PageParam, PageRequest, PerPageParam},
        webhooks::{
            DeliveryDetailOne, DeliveryList, DeliveryQueued, DeliveryStatus, NewWebhook,
            WebhookChanges, WebhookCreated, WebhookList, WebhookOne, WebhookSecretOne,
        },
    },
    error::ApiResult,
    ops::{webhooks, Caller},
    state::AppState,
};

fn caller(auth: &V2Auth) -> Caller {
    auth.caller()
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<WebhookList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = webhooks::list(&state.ctx(), &caller(&auth), page).await?;
        Ok(Json(WebhookList::of(rows, total, &page)))
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        body: JsonBody<NewWebhook>,
    ) -> ApiResult<WebhookCreated> {
        let caller = caller(&auth);
        let (row, secret) =
            webhooks::create(&state.ctx(), &caller, &state.seal_key, body.0 .0).await?;
        Ok(WebhookCreated::of(row, secret))
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<WebhookOne>> {
        let row = webhooks::get(&state.ctx(), &caller(&auth), id.0).await?;
        Ok(Json(WebhookOne::of(row)))
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<WebhookChanges>,
    ) -> ApiResult<Json<WebhookOne>> {
        let row = webhooks::update(&state.ctx(), &caller(&auth), id.0, body.0 .0).await?;
        Ok(Json(WebhookOne::of(row)))
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        webhooks::delete(&state.ctx(), &caller(&auth), id.0).await?;
        Ok(Deleted::NoContent)
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<WebhookSecretOne>> {
        let caller = caller(&auth);
        let (row, secret) =
            webhooks::rotate_secret(&state.ctx(), &caller, &state.seal_key, id.0).await?;
        Ok(Json(WebhookSecretOne::of(row, secret)))
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<DeliveryQueued> {
        let row = webhooks::test(&state.ctx(), &caller(&auth), id.0).await?;
        Ok(DeliveryQueued::of(row))
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        id: Path<i64>,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        status: Query<Option<DeliveryStatus>>,
    ) -> ApiResult<Json<DeliveryList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let status = status.0.map(DeliveryStatus::as_str);
        let (rows, total) =
            webhooks::deliveries(&state.ctx(), &caller(&auth), id.0, status, page).await?;
        Ok(Json(DeliveryList::of(rows, total, &page)))
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        id: Path<i64>,
        delivery_id: Path<i64>,
    ) -> ApiResult<Json<DeliveryDetailOne>> {
        let caller = caller(&auth);
        let found = webhooks::delivery(&state.ctx(), &caller, id.0, delivery_id.0).await?;
        Ok(Json(DeliveryDetailOne::of(found)))
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
        #[oai(scope = "Scope::WebhooksManage")] auth: V2Auth,
        id: Path<i64>,
        delivery_id: Path<i64>,
    ) -> ApiResult<DeliveryQueued> {
        let caller = caller(&auth);
        let row = webhooks::redeliver(&state.ctx(), &caller, id.0, delivery_id.0).await?;
        Ok(DeliveryQueued::of(row))
    }
}
