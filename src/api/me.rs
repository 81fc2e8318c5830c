//! The customer API (`/api/v2/me/...`), for the ISP's customer app and the
//! portal: a customer logs in (login name and password, or a code by SMS)
//! and sees and pays their own bills. Its tokens are a kind of their own
//! (`customer_bearer`); every operation takes the customer from the token,
//! never from the request. The suspension page's lookup by address is here
//! too (`GET /api/v2/me/recognise`).

use poem::{web::Data, Request};
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, OpenApi,
};

use crate::{
    api::{security::CustomerAuth, ApiTags},
    auth::login_guard::address_key,
    contract::{
        bills::{BillList, BillStatusFilter, InvoiceList},
        body::JsonBody,
        complaints::{ComplaintList, ComplaintOne},
        pagination::{PageParam, PageRequest, PerPageParam},
        payments::PaymentList,
        portal::{
            CustomerLogin, CustomerTokenResponse, Gateways, MeOne, MyComplaint, OnlinePaymentList,
            OnlinePaymentOne, OtpRequest, OtpSentResponse, OtpVerify, PasswordChange,
            PaymentStarted, StartPayment,
        },
        routers::{Usage, UsageOne},
    },
    created,
    error::ApiResult,
    ops::{
        self,
        online_payments::{ManualClaim, Origin, StartInput},
    },
    state::AppState,
    store::online_payments::Filter,
};

created!(
    /// Filed; `complaint.created` is sent to subscribed webhooks.
    MyComplaintCreated,
    Json<ComplaintOne>
);

created!(
    /// Started: send the customer to `redirect_url`.
    PaymentStartedAnswer,
    Json<PaymentStarted>
);

/// `202 Accepted`: a code is on its way if the number is a customer's.
#[derive(ApiResponse)]
pub enum OtpAccepted {
    #[oai(status = 202)]
    Accepted(Json<OtpSentResponse>),
}

/// The portal's base address: `[server] public_url`, else the address the
/// customer reached us at.
pub fn base_url(state: &AppState, req: &Request) -> String {
    let configured = state.config.server.public_url.trim();
    if !configured.is_empty() {
        return configured.trim_end_matches('/').to_string();
    }
    let host = req
        .headers()
        .get(poem::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

#[derive(Default)]
pub struct MeApi;

#[OpenApi(tag = "ApiTags::Customer")]
impl MeApi {
    /// Customer login with login name and password
    ///
    /// The PPPoE / hotspot login name and its password (or the portal password
    /// the customer set). Wrong ones: 401; failures are throttled per name
    /// and per address like staff logins (429 with `Retry-After`).
    #[oai(path = "/api/v2/me/login", method = "post", operation_id = "me_login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<CustomerLogin>,
    ) -> ApiResult<Json<CustomerTokenResponse>> {
        let CustomerLogin { username, password } = body.0;
        let address = address_key(&state.trusted_proxies, req);
        let token = ops::portal::login(
            &state.ctx(),
            &state.portal_keys(),
            &address,
            username,
            password,
        )
        .await?;
        Ok(Json(token.into()))
    }

    /// Send a one-time login code by SMS
    ///
    /// Always 202 with the same answer, whether or not the number is a
    /// customer's (a code is sent only if it is, charged to the ISP's SMS
    /// credits). At most 3 codes per number and 20 per address in 15
    /// minutes (429 with `Retry-After`). A code lasts 5 minutes; a new one
    /// replaces the one before.
    #[oai(path = "/api/v2/me/otp", method = "post", operation_id = "me_otp")]
    async fn otp(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<OtpRequest>,
    ) -> ApiResult<OtpAccepted> {
        let address = address_key(&state.trusted_proxies, req);
        let sent =
            ops::portal::request_otp(&state.ctx(), &state.portal_keys(), address, body.0.phone)
                .await?;
        Ok(OtpAccepted::Accepted(Json(OtpSentResponse {
            status: "sent".into(),
            expires_in: sent.expires_in,
        })))
    }

    /// Log in with the code sent by SMS
    ///
    /// 401 when the code is wrong, used or expired (five wrong guesses end a
    /// code). A number shared by several accounts: 422 on `username` naming
    /// them; send the login name too.
    #[oai(
        path = "/api/v2/me/otp/verify",
        method = "post",
        operation_id = "me_otp_verify"
    )]
    async fn otp_verify(
        &self,
        state: Data<&AppState>,
        body: JsonBody<OtpVerify>,
    ) -> ApiResult<Json<CustomerTokenResponse>> {
        let OtpVerify {
            phone,
            code,
            username,
        } = body.0;
        let token =
            ops::portal::verify_otp(&state.ctx(), &state.portal_keys(), phone, code, username)
                .await?;
        Ok(Json(token.into()))
    }

    /// Who is this? (suspension page)
    ///
    /// Recognises the customer by the address the request comes from: an
    /// open RADIUS session, the router's active PPP list (polled in the last
    /// 30 minutes) or a static address. Answers the first name, status, why
    /// the line is suspended, what is due and the open bills, with a
    /// payment-only token (`scope: pay`) that can start a payment and nothing
    /// else. 404 when the address is nobody's.
    #[oai(
        path = "/api/v2/me/recognise",
        method = "get",
        operation_id = "me_recognise"
    )]
    async fn recognise(
        &self,
        state: Data<&AppState>,
        req: &Request,
    ) -> ApiResult<Json<crate::contract::portal::RecognisedResponse>> {
        let address = state
            .trusted_proxies
            .client_of(req)
            .map(|ip| ip.to_canonical().to_string())
            .unwrap_or_default();
        let found = ops::portal::recognise(&state.ctx(), &state.portal_keys(), address).await?;
        Ok(Json(found.into()))
    }

    /// Open a payment link (no login)
    ///
    /// The code of a link from a reminder SMS or from staff
    /// (`/portal/l/<code>`): answers what the suspension page shows (the
    /// customer's first name, status, what is due, open bills, the bill the
    /// link is for) and a payment-only token. 404 when the link is unknown,
    /// tampered with or past its last day.
    #[oai(path = "/api/v2/me/link", method = "post", operation_id = "me_link")]
    async fn link(
        &self,
        state: Data<&AppState>,
        body: JsonBody<crate::contract::portal::OpenLink>,
    ) -> ApiResult<Json<crate::contract::portal::RecognisedResponse>> {
        let found =
            ops::payment_links::open(&state.ctx(), &state.portal_keys(), &body.0.code).await?;
        Ok(Json(found.into()))
    }

    /// The gateways customers can pay with
    #[oai(
        path = "/api/v2/me/gateways",
        method = "get",
        operation_id = "me_gateways"
    )]
    async fn gateways(&self, state: Data<&AppState>) -> Json<Gateways> {
        Json(Gateways {
            gateways: state
                .gateways
                .available()
                .into_iter()
                .map(str::to_string)
                .collect(),
            currency: state.config.payments.currency.clone(),
            send_money: state
                .config
                .payments
                .manual
                .numbers()
                .into_iter()
                .map(
                    |(method, number)| crate::contract::portal::SendMoneyNumber {
                        method: method.into(),
                        number: number.into(),
                    },
                )
                .collect(),
        })
    }

    /// The customer's own profile
    ///
    /// Package, status, expiry, balance, what is due, and the router.
    #[oai(path = "/api/v2/me", method = "get", operation_id = "me_get")]
    async fn me(&self, state: Data<&AppState>, auth: CustomerAuth) -> ApiResult<Json<MeOne>> {
        let id = auth.full()?;
        let profile = ops::portal::profile(&state.ctx(), id).await?;
        Ok(Json(MeOne::of(profile)))
    }

    /// The customer's bills
    ///
    /// Newest first; `status` filters (`unpaid`, `partial`, `paid`, `cancelled`).
    #[oai(path = "/api/v2/me/bills", method = "get", operation_id = "me_bills")]
    async fn bills(
        &self,
        state: Data<&AppState>,
        auth: CustomerAuth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        status: Query<Option<BillStatusFilter>>,
    ) -> ApiResult<Json<BillList>> {
        let id = auth.full()?;
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = ops::portal::bills(
            &state.ctx(),
            id,
            status.0.map(|s| s.as_str().to_string()),
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(BillList::of(rows, total, &page)))
    }

    /// The customer's payments
    #[oai(
        path = "/api/v2/me/payments",
        method = "get",
        operation_id = "me_payments"
    )]
    async fn payments(
        &self,
        state: Data<&AppState>,
        auth: CustomerAuth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<PaymentList>> {
        let id = auth.full()?;
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) =
            ops::portal::payments(&state.ctx(), id, page.limit(), page.offset()).await?;
        Ok(Json(PaymentList::of(rows, total, &page)))
    }

    /// Start an online payment
    ///
    /// Pays a bill (`bill_id`: its open amount unless `amount` is given), an
    /// amount, or everything due. Answers the pending payment and the
    /// gateway's page to send the customer to; the payment counts once the
    /// appliance has confirmed it with the gateway. A payment-only token
    /// (suspension page, payment link) may do this. 503 when the gateway
    /// cannot be reached (nothing is charged).
    #[oai(path = "/api/v2/me/payments", method = "post", operation_id = "me_pay")]
    async fn pay(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: CustomerAuth,
        body: JsonBody<StartPayment>,
    ) -> ApiResult<PaymentStartedAnswer> {
        let StartPayment {
            gateway,
            bill_id,
            amount,
            method,
            sender,
            trx_id,
        } = body.0;
        let origin = match auth.0.reach {
            crate::auth::customer_tokens::Reach::Full => Origin::Portal,
            crate::auth::customer_tokens::Reach::Pay => Origin::Suspended,
        };
        let input = StartInput {
            customer_id: auth.customer_id(),
            gateway,
            bill_id,
            amount,
            origin,
            base_url: base_url(&state, req),
            manual: ManualClaim {
                method,
                sender,
                trx_id,
            },
        };
        let (row, redirect_url) =
            ops::online_payments::start(&state.ctx(), &state.gateways, input).await?;
        Ok(PaymentStartedAnswer::Created(Json(PaymentStarted {
            payment: row.into(),
            redirect_url,
        })))
    }

    /// The customer's online payments
    #[oai(
        path = "/api/v2/me/online-payments",
        method = "get",
        operation_id = "me_online_payments"
    )]
    async fn online_payments(
        &self,
        state: Data<&AppState>,
        auth: CustomerAuth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<OnlinePaymentList>> {
        let id = auth.full()?;
        let page = PageRequest::new(page.0, per_page.0);
        let filter = Filter {
            customer_id: Some(id),
            ..Filter::default()
        };
        let (rows, total) = ops::online_payments::list(
            &state.ctx(),
            &ops::Caller::customer(id),
            filter,
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(OnlinePaymentList::of(rows, total, &page)))
    }

    /// One online payment, by its reference
    ///
    /// What became of it (`pending`, `paid`, ...). A payment-only token may
    /// ask about its customer's payments.
    #[oai(
        path = "/api/v2/me/online-payments/:reference",
        method = "get",
        operation_id = "me_online_payment"
    )]
    async fn online_payment(
        &self,
        state: Data<&AppState>,
        auth: CustomerAuth,
        reference: Path<String>,
    ) -> ApiResult<Json<OnlinePaymentOne>> {
        let row = ops::online_payments::of_customer_by_reference(
            &state.ctx(),
            Some(auth.customer_id()),
            reference.0,
        )
        .await?;
        Ok(Json(OnlinePaymentOne::of(row)))
    }

    /// The customer's invoices
    #[oai(
        path = "/api/v2/me/invoices",
        method = "get",
        operation_id = "me_invoices"
    )]
    async fn invoices(
        &self,
        state: Data<&AppState>,
        auth: CustomerAuth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<InvoiceList>> {
        let id = auth.full()?;
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) =
            ops::portal::invoices(&state.ctx(), id, page.limit(), page.offset()).await?;
        Ok(Json(InvoiceList::of(rows, total, &page)))
    }

    /// One invoice, with its bills and payments (for printing)
    #[oai(
        path = "/api/v2/me/invoices/:id",
        method = "get",
        operation_id = "me_invoice"
    )]
    async fn invoice(
        &self,
        state: Data<&AppState>,
        auth: CustomerAuth,
        id: Path<i64>,
    ) -> ApiResult<Json<crate::contract::portal::PrintableInvoiceOne>> {
        let me = auth.full()?;
        let (invoice, bills, payments) = ops::portal::invoice(&state.ctx(), me, id.0).await?;
        let profile = ops::portal::profile(&state.ctx(), me).await?;
        Ok(Json(printed(
            &state.config.isp.name,
            profile,
            invoice,
            bills,
            payments,
        )))
    }

    /// The customer's usage
    ///
    /// Sessions and traffic as the router and the RADIUS server saw them.
    #[oai(path = "/api/v2/me/usage", method = "get", operation_id = "me_usage")]
    async fn usage(&self, state: Data<&AppState>, auth: CustomerAuth) -> ApiResult<Json<UsageOne>> {
        let id = auth.full()?;
        let (samples, sessions) = ops::portal::usage(&state.ctx(), id).await?;
        Ok(Json(UsageOne {
            data: Usage::of(id, samples, sessions),
        }))
    }

    /// Set a portal password
    ///
    /// The current password (the portal's, or the login's until one is set)
    /// and a new one of 8 to 128 characters. The router login is unchanged.
    /// Every other token of the customer stops working; the answer is a new
    /// token for this session.
    #[oai(
        path = "/api/v2/me/password",
        method = "put",
        operation_id = "me_password"
    )]
    async fn password(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: CustomerAuth,
        body: JsonBody<PasswordChange>,
    ) -> ApiResult<Json<CustomerTokenResponse>> {
        let id = auth.full()?;
        let address = address_key(&state.trusted_proxies, req);
        let PasswordChange {
            current_password,
            new_password,
        } = body.0;
        let token = ops::portal::change_password(
            &state.ctx(),
            &state.portal_keys(),
            id,
            &address,
            current_password,
            new_password,
        )
        .await?;
        Ok(Json(token.into()))
    }

    /// Log out
    ///
    /// This token stops working at once (also a payment-only token); the
    /// customer's sessions on other devices go on. Changing the portal
    /// password ends all of them.
    #[oai(
        path = "/api/v2/me/logout",
        method = "post",
        operation_id = "me_logout"
    )]
    async fn logout(
        &self,
        state: Data<&AppState>,
        auth: CustomerAuth,
    ) -> ApiResult<crate::api::auth::Revoked> {
        ops::portal::logout(&state.ctx(), &auth.0).await?;
        Ok(crate::api::auth::Revoked::NoContent)
    }

    /// File a complaint
    #[oai(
        path = "/api/v2/me/complaints",
        method = "post",
        operation_id = "me_complain"
    )]
    async fn complain(
        &self,
        state: Data<&AppState>,
        auth: CustomerAuth,
        body: JsonBody<MyComplaint>,
    ) -> ApiResult<MyComplaintCreated> {
        let id = auth.full()?;
        let MyComplaint { subject, body } = body.0;
        let row = ops::portal::complain(&state.ctx(), id, subject, body).await?;
        Ok(MyComplaintCreated::Created(Json(ComplaintOne::of(row))))
    }

    /// The customer's complaints
    #[oai(
        path = "/api/v2/me/complaints",
        method = "get",
        operation_id = "me_complaints"
    )]
    async fn complaints(
        &self,
        state: Data<&AppState>,
        auth: CustomerAuth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<ComplaintList>> {
        let id = auth.full()?;
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = ops::portal::complaints(&state.ctx(), id, page).await?;
        Ok(Json(ComplaintList::of(rows, total, &page)))
    }
}

// ---- The operations' results as the contract shows them ----

use crate::{
    contract::{
        money::Amount,
        portal::{Me, MyPackage, PrintableInvoice, PrintableInvoiceOne, RecognisedResponse},
    },
    ops::portal::{CustomerToken, Profile},
};

impl From<CustomerToken> for CustomerTokenResponse {
    fn from(t: CustomerToken) -> Self {
        Self {
            access_token: t.token.token,
            token_type: "bearer".into(),
            expires_in: t.token.expires_in,
            customer_id: t.customer_id,
            scope: match t.reach {
                crate::auth::customer_tokens::Reach::Full => "full".into(),
                crate::auth::customer_tokens::Reach::Pay => "pay".into(),
            },
        }
    }
}

impl From<Profile> for Me {
    fn from(p: Profile) -> Self {
        let c = p.customer;
        Self {
            id: c.id,
            name: c.name,
            phone: c.phone,
            email: c.email,
            address: c.address,
            username: c.username,
            connection_type: c.connection_type,
            status: c.status,
            package: p.package.map(|k| MyPackage {
                id: k.id,
                name: k.name,
                price: Amount(k.price),
                currency: k.currency,
                speed_down_kbps: k.speed_down_kbps,
                speed_up_kbps: k.speed_up_kbps,
                billing_cycle: k.billing_cycle,
                validity_days: k.validity_days,
            }),
            expires_at: c.expires_at,
            balance: Amount(c.balance),
            due: Amount(p.due),
            open_bills: p.open_bills,
            router: p.router_name,
            static_ip: c.static_ip,
            has_portal_password: p.has_portal_password,
        }
    }
}

impl From<crate::ops::portal::Recognised> for RecognisedResponse {
    fn from(r: crate::ops::portal::Recognised) -> Self {
        Self {
            known_by: r.known_by.as_str().into(),
            first_name: r.first_name,
            status: r.status,
            reason: r.reason,
            due: Amount(r.due),
            open_bills: r.open_bills.into_iter().map(Into::into).collect(),
            bill_id: r.bill_id,
            token: r.token.into(),
        }
    }
}

/// An invoice as printed: the ISP, the customer, its bills and payments.
fn printed(
    isp: &str,
    p: Profile,
    invoice: crate::store::invoices::InvoiceRow,
    bills: Vec<crate::store::bills::BillRow>,
    payments: Vec<crate::store::payments::PaymentRow>,
) -> PrintableInvoiceOne {
    PrintableInvoiceOne {
        data: PrintableInvoice {
            isp_name: isp.to_string(),
            customer_name: p.customer.name,
            customer_address: p.customer.address,
            customer_phone: p.customer.phone,
            username: p.customer.username,
            invoice: invoice.into(),
            bills: bills.into_iter().map(Into::into).collect(),
            payments: payments.into_iter().map(Into::into).collect(),
        },
    }
}
