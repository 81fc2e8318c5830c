//! Staff's side of online payments (additions to the guide):
//! `GET /api/v2/billing/online-payments` (every gateway, with their state),
//! and the verification queue of manual send-money claims,
//! `GET /api/v2/billing/payment-verifications` with
//! `POST .../{id}/approve` and `POST .../{id}/reject`. Scopes
//! `billing:read` / `billing:write`; a reseller's staff see and decide only
//! their own customers' payments.

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
        body::JsonBody,
        pagination::{PageParam, PageRequest, PerPageParam},
        portal::{OnlinePaymentList, OnlinePaymentOne, RejectPayment},
    },
    error::ApiResult,
    ops,
    state::AppState,
    store::online_payments::Filter,
    wire_enum,
};

wire_enum! {
    pub enum GatewayFilter {
        Bkash = "bkash",
        Sslcommerz = "sslcommerz",
        Manual = "manual",
    }
}

wire_enum! {
    pub enum OnlineStateFilter {
        Pending = "pending",
        Paid = "paid",
        Failed = "failed",
        Cancelled = "cancelled",
        Expired = "expired",
        Rejected = "rejected",
    }
}

#[derive(Default)]
pub struct OnlinePaymentsV2;

#[OpenApi(tag = "ApiTags::Billing")]
impl OnlinePaymentsV2 {
    /// List online payments (v2, addition)
    ///
    /// Newest first; filters `gateway`, `state`, `customer_id`.
    #[oai(
        path = "/api/v2/billing/online-payments",
        method = "get",
        operation_id = "v2_online_payments_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        gateway: Query<Option<GatewayFilter>>,
        #[oai(name = "state")] online_state: Query<Option<OnlineStateFilter>>,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
    ) -> ApiResult<Json<OnlinePaymentList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let filter = Filter {
            customer_id: customer_id.0,
            gateway: gateway.0.map(|g| g.as_str().to_string()),
            state: online_state.0.map(|s| s.as_str().to_string()),
        };
        let (rows, total) = ops::online_payments::list(
            &state.ctx(),
            &auth.caller(),
            filter,
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(OnlinePaymentList::of(rows, total, &page)))
    }

    /// Manual payments to verify (v2, addition)
    ///
    /// Send-money claims (bKash, Nagad, Rocket personal numbers) waiting for
    /// staff: `state` pending by default. Compare each with the merchant
    /// wallet's statement, then approve or reject it.
    #[oai(
        path = "/api/v2/billing/payment-verifications",
        method = "get",
        operation_id = "v2_payment_verifications"
    )]
    async fn verifications(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(name = "state")] online_state: Query<Option<OnlineStateFilter>>,
    ) -> ApiResult<Json<OnlinePaymentList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = ops::online_payments::verifications(
            &state.ctx(),
            &auth.caller(),
            online_state.0.map(|s| s.as_str().to_string()),
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(OnlinePaymentList::of(rows, total, &page)))
    }

    /// Approve a manual payment (v2, addition)
    ///
    /// Books it as a payment (method = the service named, transaction id as
    /// given): bills settled, reactivation, `payment.received`. 409 when it
    /// was decided already or is not a manual payment.
    #[oai(
        path = "/api/v2/billing/payment-verifications/:id/approve",
        method = "post",
        operation_id = "v2_payment_verification_approve"
    )]
    async fn approve(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<OnlinePaymentOne>> {
        let row = ops::online_payments::approve(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Json(OnlinePaymentOne::of(row)))
    }

    /// Reject a manual payment (v2, addition)
    ///
    /// The reason is shown to the customer. Nothing is booked.
    #[oai(
        path = "/api/v2/billing/payment-verifications/:id/reject",
        method = "post",
        operation_id = "v2_payment_verification_reject"
    )]
    async fn reject(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<RejectPayment>,
    ) -> ApiResult<Json<OnlinePaymentOne>> {
        let row =
            ops::online_payments::reject(&state.ctx(), &auth.caller(), id.0, body.0.reason).await?;
        Ok(Json(OnlinePaymentOne::of(row)))
    }
}
