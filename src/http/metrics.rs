//! `GET /metrics` and the middleware that measures, counts and logs every
//! request into the registry (`crate::metrics`).

use std::{borrow::Cow, sync::Arc, time::Instant};

use poem::{
    http::header, web::Data, Endpoint, IntoResponse, Middleware, Request, Response, Result,
};
use poem_openapi::OperationId;

use crate::{
    api::{
        framework_errors,
        gate::{bearer, unauthenticated},
    },
    auth::{scope::Scope, tokens::ApiVersion},
    error::{ApiError, ErrorCode},
    metrics::Metrics,
    state::AppState,
};

/// `GET /metrics`: only with a bearer token (a v2 client's, or a v1 token)
/// that has the `metrics:read` scope; 401 without a valid token, 403 without
/// the scope.
#[poem::handler]
pub async fn metrics_endpoint(req: &Request, state: Data<&AppState>) -> Response {
    let Some(token) = bearer(req) else {
        return unauthenticated(
            ApiError::new(ErrorCode::Unauthenticated, "An access token is required."),
            false,
        );
    };
    let api = if token.starts_with("v2_") {
        ApiVersion::V2
    } else {
        ApiVersion::V1
    };
    let found = match state.auth.authenticate_cached(&token, api) {
        Ok(Some(p)) => Ok(p),
        Err(e) => Err(e),
        Ok(None) => {
            let auth = state.auth.clone();
            match tokio::task::spawn_blocking(move || auth.authenticate(&token, api)).await {
                Ok(found) => found,
                Err(e) => return ApiError::internal(e).into_response(),
            }
        }
    };
    let principal = match found {
        Ok(p) => p,
        Err(e) => return unauthenticated(e.into(), true),
    };
    if !principal.has(Scope::MetricsRead) {
        return ApiError::new(
            ErrorCode::Forbidden,
            "This token lacks the scope(s): metrics:read.",
        )
        .into_response();
    }
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )
        .body(state.metrics.render())
}

/// A bounded route label: the operation id for API routes, else a coarse name
/// from the path (`path_label`), so that scanning random paths cannot blow up
/// the number of series.
fn route_label(path_label: &'static str, resp: &Response) -> &'static str {
    if let Some(op) = resp.data::<OperationId>() {
        return op.0;
    }
    if path_label == "web" && resp.status().as_u16() == 404 {
        "unmatched"
    } else {
        path_label
    }
}

/// The coarse label of a path that is not an API operation.
fn path_label(path: &str) -> &'static str {
    if path.starts_with("/docs/api") {
        "docs"
    } else if path == "/metrics" {
        "metrics"
    } else {
        "web"
    }
}

/// Middleware: measures, counts and logs every request; also the last place an
/// error becomes an envelope response.
pub struct RequestMetrics {
    metrics: Arc<Metrics>,
}

impl RequestMetrics {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Self { metrics }
    }
}

impl<E: Endpoint> Middleware<E> for RequestMetrics {
    type Output = RequestMetricsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RequestMetricsEndpoint {
            inner: ep,
            metrics: self.metrics.clone(),
        }
    }
}

pub struct RequestMetricsEndpoint<E> {
    inner: E,
    metrics: Arc<Metrics>,
}

impl<E: Endpoint> Endpoint for RequestMetricsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let started = Instant::now();
        let method = req.method().clone();
        let path_label = path_label(req.uri().path());
        // The path is kept only when the request line is logged.
        let path = tracing::enabled!(tracing::Level::INFO).then(|| req.uri().path().to_string());
        let resp = match self.inner.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) => framework_errors::to_response(err),
        };
        let elapsed = started.elapsed().as_secs_f64();
        let status = resp.status().as_u16();
        let route = route_label(path_label, &resp);
        let method_label = crate::metrics::standard_method(method.as_str())
            .map_or_else(|| Cow::Owned(method.to_string()), Cow::Borrowed);
        self.metrics.observe(route, method_label, status, elapsed);
        if let Some(path) = path {
            tracing::info!(
                method = %method,
                path = %path,
                route = %route,
                status,
                ms = (elapsed * 1000.0).round() as u64,
                "request"
            );
        }
        Ok(resp)
    }
}
