//! Application state and the route tree: the one place things are wired together.

use std::sync::Arc;

use poem::{get, middleware::CatchPanic, Endpoint, EndpointExt, IntoEndpoint, Response, Route};

use crate::{
    api::{self, body_limit::BodyLimit, framework_errors, gate::ApiGate, operations},
    auth::{rate_limit::RateLimits, service::Auth, throttle::LoginThrottle},
    clock::Clock,
    config::Config,
    http_security::SecurityHeaders,
    jobs::request_log::RequestLogSink,
    metrics::{metrics_endpoint, Metrics, RequestMetrics},
    store::Db,
    web,
};

/// Shared by every handler (through `Data<&AppState>`); cloning is one
/// reference-count increment.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What the application shares.
pub struct Shared {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub auth: Auth,
    pub rate_limits: Arc<RateLimits>,
    pub login_throttle: Arc<LoginThrottle>,
    /// The bounded password hashing threads.
    pub hash_pool: Arc<crate::auth::hash_pool::HashPool>,
    /// `[server] trusted_proxies`, parsed: who may name the client.
    pub trusted_proxies: Arc<crate::auth::client_addr::TrustedProxies>,
    pub request_log: RequestLogSink,
    /// Key of recharge-card PIN hashes.
    pub pin_key: Arc<crate::auth::keys::JwtKey>,
    /// Key sealing secrets the appliance must read back (webhook secrets).
    pub seal_key: Arc<crate::auth::sealed::SealKey>,
    /// The MikroTik routers: reconciliation, disconnects.
    pub routers: Arc<crate::network::hub::RouterHub>,
    /// SNMP vendor profiles (embedded and from the data dir).
    pub profiles: Arc<crate::drivers::snmp::profile::Profiles>,
    /// Zabbix, behind a short-lived cache.
    pub zabbix: Arc<crate::monitoring::zabbix::ZabbixService>,
}

/// The whole HTTP application.
pub fn routes(state: AppState) -> impl Endpoint<Output = Response> {
    with_common_layers(api_and_web_routes(), state)
}

/// Every route of the appliance, without the common layers.
pub fn api_and_web_routes() -> Route {
    let service = api::service();
    let spec = service.spec_endpoint();
    let docs = service.swagger_ui();
    // The API's paths are absolute, so it is mounted with `at` (which keeps the
    // path) rather than `nest` (which would strip it).
    let api = Arc::new(service.into_endpoint());
    let admin = crate::admin::service();
    Route::new()
        .at("/admin/api/*rest", admin)
        .at("/health", api.clone())
        .at("/api/*rest", api.with(ApiGate::new(operations::table())))
        .nest("/docs/api", docs)
        .at("/docs/api/openapi.json", spec)
        .at("/metrics", get(metrics_endpoint))
        .at("/", web::static_file)
        .at("/*path", web::static_file)
}

/// The layers every route gets: errors into the envelope, panics into a 500,
/// the body limit, metrics and request logs, the browser-hardening headers,
/// and the shared state.
pub fn with_common_layers(routes: Route, state: AppState) -> impl Endpoint<Output = Response> {
    routes
        .catch_all_error(|err| async move { framework_errors::to_response_keeping_operation(err) })
        .with(CatchPanic::new().with_handler(framework_errors::panic_response))
        .around(operations::add_allow_header)
        .with(BodyLimit {
            limit: state.config.server.body_limit_bytes,
        })
        .with(RequestMetrics)
        .with(SecurityHeaders::default())
        .data(state)
        .map_to_response()
}
