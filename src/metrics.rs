//! The Prometheus metrics registry: requests by route, method and status, a
//! latency histogram by route, the connection layer's counters, and counters
//! kept elsewhere (the password hash pool). It knows no HTTP: the `/metrics`
//! endpoint and the middleware that feeds it are in `http::metrics`.

use std::{borrow::Cow, sync::Mutex};

use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

// Labels borrow where they can (operation ids and methods are static), so
// counting a request allocates nothing once its series exists.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Cow<'static, str>,
    method: Cow<'static, str>,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Cow<'static, str>,
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
    pub fn observe(
        &self,
        route: &'static str,
        method: Cow<'static, str>,
        status: u16,
        seconds: f64,
    ) {
        let route = Cow::Borrowed(route);
        self.requests
            .get_or_create(&RequestLabels {
                route: route.clone(),
                method,
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route })
            .observe(seconds);
    }

    /// Adds a counter kept elsewhere (`ispbills_<name>_total`).
    pub fn register_counter(&self, name: &str, help: &str, counter: Counter) {
        self.registry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .register(name, help, counter);
    }

    /// Adds a metric kept elsewhere (a gauge family, say).
    pub fn register_metric(
        &self,
        name: &str,
        help: &str,
        metric: impl prometheus_client::registry::Metric,
    ) {
        self.registry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .register(name, help, metric);
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

/// The HTTP method's name as a static string when it is one of the standard
/// nine: what bounded labels (metrics, counted request-log rows) are made of.
pub fn standard_method(method: &str) -> Option<&'static str> {
    const STANDARD: [&str; 9] = [
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE",
    ];
    STANDARD.into_iter().find(|m| *m == method)
}
