//! Staff's side of online payments (additions to the guide):
//! `GET /api/v2/billing/online-payments` (every gateway, with their state),
//! and the verification queue of manual send-money claims,
//! `GET /api/v2/billing/payment-verifications` with
//! `POST .../{id}/approve` and `POST .../{id}/reject`; refunds,
//! `POST /api/v2/billing/online-payments/{id}/refund` and
//! `GET /api/v2/billing/refunds`; and `GET /api/v2/billing/gateways`, which
//! gateways are set up. Scopes
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
        portal::{
            OnlinePaymentList, OnlinePaymentOne, PaymentLinkCreated, PaymentLinkMade,
            PaymentLinkOne, RejectPayment,
        },
        refunds::{
            GatewaySetting, GatewaySettings, GatewaySettingsOne, RefundCreated, RefundList,
            RefundOne, RefundRequestBody,
        },
    },
    error::ApiResult,
    ops,
    state::AppState,
    store::{online_payments::Filter, refunds},
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

    /// Refund an online payment (v2, addition)
    ///
    /// In full (no `amount`) or in part, through the gateway's refund API
    /// (bKash, SSLCommerz); a manual send-money payment is recorded as
    /// returned by hand. Answers the refund: `refunded` (the credit the
    /// payment left is taken back, then the bills it settled reopen, newest
    /// first; `payment.refunded` is sent), `processing` (the gateway will
    /// say; asked again every few minutes) or `failed` (the gateway refused;
    /// nothing moved). 409 when the payment is not paid; 422 for more than
    /// is left to refund.
    #[oai(
        path = "/api/v2/billing/online-payments/:id/refund",
        method = "post",
        operation_id = "v2_online_payment_refund"
    )]
    async fn refund(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<RefundRequestBody>,
    ) -> ApiResult<RefundCreated> {
        let input = ops::online_payments::RefundInput {
            amount: body.0.amount,
            reason: body.0.reason,
        };
        let row = ops::online_payments::refund(
            &state.ctx(),
            &state.gateways,
            &auth.caller(),
            id.0,
            input,
        )
        .await?;
        Ok(RefundCreated::Created(Json(RefundOne::of(row))))
    }

    /// List refunds (v2, addition)
    ///
    /// Newest first; filters `online_payment_id`, `customer_id`.
    #[oai(
        path = "/api/v2/billing/refunds",
        method = "get",
        operation_id = "v2_refunds_list"
    )]
    async fn refunds(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] online_payment_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
    ) -> ApiResult<Json<RefundList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let filter = refunds::Filter {
            online_payment_id: online_payment_id.0,
            customer_id: customer_id.0,
        };
        let (rows, total) = ops::online_payments::list_refunds(
            &state.ctx(),
            &auth.caller(),
            filter,
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(RefundList::of(rows, total, &page)))
    }

    /// Online payment gateways as configured (v2, addition)
    ///
    /// Which gateways customers can pay with, sandbox or production, the
    /// merchant account (never a secret), and why a configured one cannot
    /// be used. Gateways are set in the config file (`[payments.bkash]`,
    /// `[payments.sslcommerz]`) and take effect at the next start.
    #[oai(
        path = "/api/v2/billing/gateways",
        method = "get",
        operation_id = "v2_payment_gateways"
    )]
    async fn gateways(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingRead")] _auth: V2Auth,
    ) -> ApiResult<Json<GatewaySettingsOne>> {
        let ctx = state.ctx();
        let gateways = ops::online_payments::gateway_settings(&ctx, &state.gateways)
            .into_iter()
            .map(|g| GatewaySetting {
                name: g.name.into(),
                label: g.label.into(),
                configured: g.configured,
                enabled: g.enabled,
                mode: g.mode.map(str::to_string),
                base_url: g.base_url,
                account: g.account,
                refunds: g.refunds,
                problem: g.problem,
            })
            .collect();
        let p = &state.config.payments;
        Ok(Json(GatewaySettingsOne::of(GatewaySettings {
            currency: p.currency.clone(),
            pending_minutes: p.pending_minutes,
            status_check_secs: p.status_check_secs,
            public_url: state.config.server.public_url.clone(),
            gateways,
        })))
    }

    /// Make a payment link for a customer (v2, addition)
    ///
    /// A signed address (`<public_url>/portal/l/<code>`) that lets whoever
    /// has it pay the customer's dues — or the open bill `bill_id` — without
    /// logging in, until `valid_until` (`[payments] link_days`). Nothing is
    /// stored; the same link is made again for the same day. 404 when the
    /// customer or the bill is not found (or the bill is another
    /// customer's); 409 when the bill has nothing left to pay.
    #[oai(
        path = "/api/v2/customers/:id/payment-link",
        method = "post",
        operation_id = "v2_customer_payment_link"
    )]
    async fn payment_link(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::BillingWrite")] auth: V2Auth,
        req: &poem::Request,
        id: Path<i64>,
        #[oai(validator(minimum(value = "1")))] bill_id: Query<Option<i64>>,
    ) -> ApiResult<PaymentLinkCreated> {
        let base = crate::api::me::base_url(&state, req);
        let made = ops::payment_links::make(
            &state.ctx(),
            &state.portal_keys(),
            &auth.caller(),
            &base,
            id.0,
            bill_id.0,
        )
        .await?;
        Ok(PaymentLinkCreated::Created(Json(PaymentLinkOne::of(
            PaymentLinkMade {
                url: made.url,
                code: made.code,
                customer_id: made.customer_id,
                bill_id: made.bill_id,
                valid_until: made.valid_until.to_string(),
            },
        ))))
    }
}
