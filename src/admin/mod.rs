//! The admin panel's JSON endpoints under `/admin/api/...`: staff log in with a
//! cookie session (HttpOnly, SameSite=Strict; mutations need the CSRF header).
//! Not part of the public API document. Everything else the panel shows it
//! reads and changes through the public API itself: the API gate accepts the
//! session cookie together with its `X-CSRF-Token` header as the staff user.

mod clients;
mod dashboard;
mod session;
mod setup;
mod sms;
mod two_factor;
mod webhooks;

use poem_openapi::{OpenApiService, Tags};

pub use session::StaffSession;

#[derive(Tags)]
pub enum AdminTags {
    /// Panel login sessions.
    Session,
    /// API clients and the API request log (Integrations -> API Management).
    ApiManagement,
    /// Dashboard chart data.
    Dashboard,
    /// SMS templates.
    Sms,
}

pub type AdminApis = (
    session::SessionApi,
    two_factor::TwoFactorApi,
    setup::SetupApi,
    clients::ClientsApi,
    webhooks::WebhooksApi,
    dashboard::DashboardApi,
    sms::SmsApi,
);

/// The panel's JSON service (paths are absolute: `/admin/api/...`).
pub fn service() -> OpenApiService<AdminApis, ()> {
    OpenApiService::new(
        (
            session::SessionApi,
            two_factor::TwoFactorApi,
            setup::SetupApi,
            clients::ClientsApi,
            webhooks::WebhooksApi,
            dashboard::DashboardApi,
            sms::SmsApi,
        ),
        "ISPBills admin panel API",
        crate::VERSION,
    )
}
