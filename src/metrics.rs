//! Prometheus metrics (`GET /metrics`): requests by route, method and status, and
//! a latency histogram by route. Also logs one line per request.

use std::{sync::Mutex, time::Instant};

use poem::{
    http::header, web::Data, Endpoint, IntoResponse, Middleware, Request, Response, Result,
};
use poem_openapi::OperationId;
use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

use crate::{
    api::{
        framework_errors,
        gate::{bearer, unauthenticated},
    },
    auth::{scope::Scope, tokens::ApiVersion},
    error::{ApiError, ErrorCode},
    state::AppState,
};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// The appliance's metrics registry.
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    connections: ConnMetrics,
}

/// Counters of the connection layer (src/http): shared handles, so the
/// acceptor and each connection update the same series.
#[derive(Debug, Clone, Default)]
pub struct ConnMetrics {
    /// Connections open now.
    pub open: Gauge,
    /// New connections answered 503 and closed because the cap was reached.
    pub refused: Counter,
    /// Idle connections closed to make room for a new one at the cap.
    pub evicted: Counter,
    /// Connections closed for not sending a whole request head in time.
    pub header_timeouts: Counter,
    /// Keep-alive connections closed after being idle too long.
    pub idle_timeouts: Counter,
    /// Malformed requests answered by the HTTP layer itself (400, 414, 431).
    pub malformed: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
        });
        let mut registry = Registry::with_prefix("ispbills");
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            latency.clone(),
        );
        let connections = ConnMetrics::default();
        for (name, help, counter) in [
            (
                "http_connections_refused",
                "New connections refused (503) at the connection cap",
                &connections.refused,
            ),
            (
                "http_connections_evicted",
                "Idle connections closed to make room at the connection cap",
                &connections.evicted,
            ),
            (
                "http_header_timeouts",
                "Connections closed for not sending a request head in time",
                &connections.header_timeouts,
            ),
            (
                "http_idle_timeouts",
                "Keep-alive connections closed after the idle timeout",
                &connections.idle_timeouts,
            ),
            (
                "http_malformed_requests",
                "Malformed requests answered by the HTTP layer (400, 414, 431)",
                &connections.malformed,
            ),
        ] {
            registry.register(name, help, counter.clone());
        }
        registry.register(
            "http_connections_open",
            "HTTP connections open now",
            connections.open.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            latency,
            connections,
        }
    }

    /// Handles on the connection-layer series.
    pub fn connections(&self) -> ConnMetrics {
        self.connections.clone()
    }

    /// Records one answered request.
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// Adds a counter kept elsewhere (`ispbills_<name>_total`).
    pub fn register_counter(&self, name: &str, help: &str, counter: Counter) {
        self.registry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .register(name, help, counter);
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        if encode(&mut out, &registry).is_err() {
            tracing::error!("could not encode metrics");
        }
        out
    }
}

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

/// A bounded route label: the operation id for API routes, else a coarse name,
/// so that scanning random paths cannot blow up the number of series.
fn route_label(path: &str, resp: &Response) -> String {
    if let Some(op) = resp.data::<OperationId>() {
        return op.0.to_string();
    }
    let label = if path.starts_with("/docs/api") {
        "docs"
    } else if path == "/metrics" {
        "metrics"
    } else if resp.status().as_u16() == 404 {
        "unmatched"
    } else {
        "web"
    };
    label.to_string()
}

/// Middleware: measures, counts and logs every request; also the last place an
/// error becomes an envelope response.
pub struct RequestMetrics;

impl<E: Endpoint> Middleware<E> for RequestMetrics {
    type Output = RequestMetricsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RequestMetricsEndpoint { inner: ep }
    }
}

pub struct RequestMetricsEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for RequestMetricsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let started = Instant::now();
        let method = req.method().to_string();
        let path = req.uri().path().to_string();
        let metrics = req.data::<AppState>().map(|s| s.metrics.clone());
        let resp = match self.inner.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) => framework_errors::to_response(err),
        };
        let elapsed = started.elapsed().as_secs_f64();
        let status = resp.status().as_u16();
        let route = route_label(&path, &resp);
        if let Some(metrics) = metrics {
            metrics.observe(&route, &method, status, elapsed);
        }
        tracing::info!(
            method = %method,
            path = %path,
            route = %route,
            status,
            ms = (elapsed * 1000.0).round() as u64,
            "request"
        );
        Ok(resp)
    }
}
