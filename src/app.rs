//! The route tree: the one place the HTTP application is wired together.

use std::sync::Arc;

use poem::{get, middleware::CatchPanic, Endpoint, EndpointExt, IntoEndpoint, Response, Route};

use crate::{
    api::{self, body_limit::BodyLimit, framework_errors, gate::ApiGate, operations},
    http::metrics::{metrics_endpoint, RequestMetrics},
    http_security::SecurityHeaders,
    state::AppState,
    web,
};

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
        .at("/portal/pay/bkash", get(crate::portal_pages::bkash_return))
        .at("/portal/l/:code", get(crate::portal_pages::payment_link))
        .at(
            "/portal/pay/sslcommerz",
            poem::post(crate::portal_pages::sslcommerz_return),
        )
        .at(
            "/portal/pay/sslcommerz/ipn",
            poem::post(crate::portal_pages::sslcommerz_ipn),
        )
        .at("/branding/logo", get(web::isp_logo))
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
        .with(RequestMetrics::new(state.metrics.clone()))
        .with(SecurityHeaders::default())
        .data(state)
        .map_to_response()
}
