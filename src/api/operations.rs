//! The API's operations as the OpenAPI document declares them: path template,
//! method, operation id and security (scheme and scopes). The API gate enforces
//! authentication and scopes from this table, the request log names routes by
//! it, and 405 answers list the allowed methods from it (`Allow`, RFC 9110).

use std::{
    collections::{BTreeSet, HashMap},
    sync::OnceLock,
};

use poem::{
    http::{header, HeaderValue, Method, StatusCode},
    Endpoint, IntoResponse, Request, Response, Result,
};
use poem_openapi::OpenApi;

use super::Apis;

/// One operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub method: Method,
    /// The path template, e.g. `/api/v2/customers/{id}`.
    pub template: String,
    pub operation_id: Option<&'static str>,
    /// The security scheme the operation requires, with its scopes.
    pub security: Option<(&'static str, Vec<&'static str>)>,
}

/// All operations, matched by path segments (`{param}` matches one segment).
pub struct OperationTable {
    routes: Vec<(Vec<String>, Operation)>,
    /// Indexes into `routes` (in their order) by method and number of
    /// segments: a lookup tries a handful of templates, not all of them.
    by_shape: HashMap<(Method, usize), Vec<usize>>,
}

/// The number of segments `matches` splits `path` into.
fn segment_count(path: &str) -> usize {
    path.trim_matches('/').split('/').count()
}

fn segments(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect()
}

/// Whether `path` fits `template` (without allocating: this runs per request).
fn matches(template: &[String], path: &str) -> bool {
    let mut parts = path.trim_matches('/').split('/');
    for t in template {
        match parts.next() {
            Some(p) if t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) => {}
            _ => return false,
        }
    }
    parts.next().is_none()
}

impl OperationTable {
    /// From the operations of [`Apis`].
    pub fn from_spec() -> Self {
        Self::of::<Apis>()
    }

    /// From the operations of any OpenAPI type.
    pub fn of<T: OpenApi>() -> Self {
        let mut ops = Vec::new();
        for api in T::meta() {
            for path in api.paths {
                for op in path.operations {
                    let security = op
                        .security
                        .first()
                        .and_then(|req| req.iter().next())
                        .map(|(scheme, scopes)| (*scheme, scopes.clone()));
                    ops.push(Operation {
                        method: op.method,
                        template: path.path.clone(),
                        operation_id: op.operation_id,
                        security,
                    });
                }
            }
        }
        Self::new(ops)
    }

    pub fn new(ops: Vec<Operation>) -> Self {
        let routes: Vec<(Vec<String>, Operation)> = ops
            .into_iter()
            .map(|op| (segments(&op.template), op))
            .collect();
        let mut by_shape: HashMap<(Method, usize), Vec<usize>> = HashMap::new();
        for (i, (template, op)) in routes.iter().enumerate() {
            by_shape
                .entry((op.method.clone(), template.len()))
                .or_default()
                .push(i);
        }
        Self { routes, by_shape }
    }

    /// The operation answering `method` on `path`.
    pub fn find(&self, method: &Method, path: &str) -> Option<&Operation> {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.by_shape
            .get(&(method.clone(), segment_count(path)))?
            .iter()
            .filter_map(|&i| self.routes.get(i))
            .find(|(t, _)| matches(t, path))
            .map(|(_, op)| op)
    }

    /// What `Allow` lists for `path` (`GET, HEAD` for paths outside the API).
    pub fn allowed(&self, path: &str) -> String {
        let mut methods: BTreeSet<String> = self
            .routes
            .iter()
            .filter(|(t, _)| matches(t, path))
            .map(|(_, op)| op.method.to_string())
            .collect();
        if methods.is_empty() || methods.contains("GET") {
            methods.insert("GET".into());
            methods.insert("HEAD".into());
        }
        methods.into_iter().collect::<Vec<_>>().join(", ")
    }
}

/// The table of the real API (built once).
pub fn table() -> &'static OperationTable {
    static TABLE: OnceLock<OperationTable> = OnceLock::new();
    TABLE.get_or_init(OperationTable::from_spec)
}

/// Middleware function (with `EndpointExt::around`): adds `Allow` to 405s.
pub async fn add_allow_header<E: Endpoint>(
    ep: std::sync::Arc<E>,
    req: Request,
) -> Result<Response> {
    let path = req.uri().path().to_string();
    let mut resp = ep.call(req).await?.into_response();
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED
        && !resp.headers().contains_key(header::ALLOW)
    {
        if let Ok(value) = HeaderValue::from_str(&table().allowed(&path)) {
            resp.headers_mut().insert(header::ALLOW, value);
        }
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: Method, template: &str) -> Operation {
        Operation {
            method,
            template: template.into(),
            operation_id: None,
            security: None,
        }
    }

    #[test]
    fn templates_match_one_segment_per_parameter() {
        let table = OperationTable::new(vec![
            op(Method::GET, "/api/v2/customers"),
            op(Method::POST, "/api/v2/customers"),
            op(Method::GET, "/api/v2/customers/{id}"),
            op(Method::PUT, "/api/v2/customers/{id}"),
            op(Method::DELETE, "/api/v2/customers/{id}"),
        ]);
        assert_eq!(
            table.allowed("/api/v2/customers/17"),
            "DELETE, GET, HEAD, PUT"
        );
        assert_eq!(table.allowed("/api/v2/customers"), "GET, HEAD, POST");
        assert_eq!(table.allowed("/api/v2/customers/17/x"), "GET, HEAD");
        let found = table.find(&Method::PUT, "/api/v2/customers/9").unwrap();
        assert_eq!(found.template, "/api/v2/customers/{id}");
        assert!(table.find(&Method::PATCH, "/api/v2/customers/9").is_none());
        assert_eq!(
            table
                .find(&Method::HEAD, "/api/v2/customers")
                .unwrap()
                .method,
            Method::GET
        );
    }

    #[test]
    fn the_index_finds_what_a_scan_of_every_route_finds() {
        let table = table();
        let methods = [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
        ];
        for (_, op) in &table.routes {
            let path = op
                .template
                .split('/')
                .map(|s| if s.starts_with('{') { "7" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            for extra in ["", "/x", "/"] {
                let path = format!("{path}{extra}");
                for method in &methods {
                    let scanned = table
                        .routes
                        .iter()
                        .find(|(t, o)| o.method == *method && matches(t, &path))
                        .map(|(_, o)| o);
                    assert_eq!(table.find(method, &path), scanned, "{method} {path}");
                }
            }
        }
        assert!(table.find(&Method::GET, "/api/v2/customers/7").is_some());
    }

    #[test]
    fn the_real_table_knows_health() {
        assert_eq!(table().allowed("/health"), "GET, HEAD");
        assert_eq!(
            table().find(&Method::GET, "/health").unwrap().operation_id,
            Some("health")
        );
    }
}
