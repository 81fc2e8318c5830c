//! The public REST API (v1 and v2) as one OpenAPI service: handlers stay thin
//! (authorise, read the body with its contract, call one operation, answer with
//! the contract's shapes), and the mapping of framework errors into the one
//! envelope.

pub mod answers;
pub mod auth;
pub mod billing_run;
pub mod bills;
pub mod body_limit;
pub mod cards;
pub mod complaints;
pub mod customers;
pub mod dashboard;
pub mod devices;
pub mod exports;
pub mod framework_errors;
pub mod gate;
pub mod idempotent;
pub mod logs;
pub mod me;
pub mod monitoring;
pub mod online_payments;
pub mod operations;
pub mod operators;
pub mod packages;
pub mod payments;
pub mod radius;
pub mod routers;
pub mod security;
pub mod sms;
pub mod staff;
mod system;
pub mod vpn;
pub mod webhooks;
pub mod zabbix;

use poem_openapi::{OpenApiService, Tags};

use crate::VERSION;

/// Areas of the API; each operation carries one.
#[derive(Tags)]
pub enum ApiTags {
    /// Tokens: v1 login and refresh, v2 client credentials and revocation.
    Auth,
    /// Bills.
    Billing,
    /// Support complaints.
    Complaints,
    /// Customers and their subscriptions.
    Customers,
    /// The customer API: a customer's own login, profile, bills and online
    /// payments (for the ISP's customer app and the portal).
    Customer,
    /// Summaries for the app's home screen and the NOC.
    Dashboard,
    /// CSV exports of customers, bills, payments and the audit trail.
    Exports,
    /// Logs, including the API request log.
    Logs,
    /// Routers, IP pools and other network inventory.
    Network,
    /// ONUs, radios, status checks and the device access log.
    Monitoring,
    /// Resellers.
    Operators,
    /// Internet packages (plans) customers subscribe to.
    Packages,
    /// SMS: send, broadcast, history and credits.
    Sms,
    /// Staff users: roles, disabling, passwords (administrators only).
    Staff,
    /// Health and version of the appliance.
    System,
    /// VPN accounts and their client configs.
    Vpn,
    /// Webhooks: endpoints, their deliveries, tests and redelivery.
    Webhooks,
}

/// All API operations, in one document (each part a unit struct, so the whole
/// is built with `Apis::default()`).
pub type Apis = (
    security::SecuritySchemes,
    system::SystemApi,
    V1Apis,
    V2Apis,
    (cards::CardsV1, cards::CardsV2),
    sms::SmsApi,
    routers::RoutersApi,
    radius::RadiusApi,
    devices::SnmpDevicesApi,
    monitoring::MonitoringApi,
    zabbix::ZabbixApi,
    (vpn::VpnApi, me::MeApi),
);

/// API v1 operations.
pub type V1Apis = (
    auth::AuthV1,
    customers::CustomersV1,
    operators::OperatorsV1,
    dashboard::DashboardV1,
    // The v1 billing routes, in the document's order.
    (
        bills::BillsV1,
        payments::PaymentsV1,
        customers::SubscriptionsV1,
        bills::InvoicesV1,
    ),
    logs::LogsV1,
);

/// API v2 operations.
pub type V2Apis = (
    auth::AuthV2,
    logs::LogsV2,
    packages::PackagesV2,
    customers::CustomersV2,
    // The v2 billing routes, in the document's order.
    (
        bills::BillsV2,
        payments::PaymentsV2,
        bills::CustomerBillsV2,
        online_payments::OnlinePaymentsV2,
        billing_run::BillingRunV2,
    ),
    webhooks::V2WebhooksApi,
    complaints::V2ComplaintsApi,
    staff::StaffV2,
    operators::OperatorsV2,
    exports::ExportsV2,
);

/// The OpenAPI service. Paths in it are absolute (`/health`, `/api/v1/...`).
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(Apis::default(), "ISPBills API", VERSION).description(DESCRIPTION)
}

/// The OpenAPI document as pretty JSON (what `/docs/api/openapi.json` serves and
/// `assets/openapi.json` holds).
pub fn spec_json() -> String {
    service().spec()
}

const DESCRIPTION: &str = "\
REST API of the ISPBills appliance. API v2 is preferred for new integrations; v1 \
remains for backward compatibility.

**Errors.** Every non-2xx answer has the body \
`{\"error\":{\"code\",\"message\",\"details\"}}`. Codes: BAD_REQUEST 400 (malformed \
JSON), UNAUTHENTICATED 401, FORBIDDEN 403, NOT_FOUND 404, METHOD_NOT_ALLOWED 405, \
CONFLICT 409, PAYLOAD_TOO_LARGE 413, URI_TOO_LONG 414, UNSUPPORTED_MEDIA_TYPE 415, \
VALIDATION_ERROR 422 (`details` holds one array of messages per field), RATE_LIMITED 429, \
HEADERS_TOO_LARGE 431, INTERNAL_ERROR 500, SERVICE_UNAVAILABLE 503. A staff login whose account \
uses two-factor login answers OTP_REQUIRED 401 without `otp` and OTP_INVALID 401 with a wrong or \
used one; TWO_FACTOR_SETUP_REQUIRED 403 when the user's role must use it and they have not set it \
up yet (in the panel).

**Pagination.** Lists take `page` (default 1) and `per_page` (default 20, max 100) and \
answer `{\"data\":[...],\"meta\":{\"current_page\",\"per_page\",\"total\",\"last_page\"}}`. \
A customer search in the default order stops counting 100 matches past the page asked \
for: when there are more, `total` is the matches counted and `meta` adds \
`\"total_capped\":true` (absent otherwise).

**Money** is shown in major units (`1500`, `250.5`) with a `currency` (default BDT). \
**Times** are UTC, RFC 3339 with `Z` and whole seconds (`2026-04-10T08:15:00Z`).";
