//! The `Allow` header on 405 answers (RFC 9110 §15.5.6), listing the methods the
//! path does support: for API paths from the OpenAPI operations, for everything
//! else (web files, docs, metrics) `GET, HEAD`.

use std::{collections::BTreeSet, sync::OnceLock};

use poem::{
    http::{header, HeaderValue, StatusCode},
    Endpoint, IntoResponse, Request, Response, Result,
};
use poem_openapi::OpenApi;

use super::Apis;

/// Path templates of the API with the methods each supports.
struct AllowTable {
    routes: Vec<(Vec<String>, String)>,
}

fn segments(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect()
}

impl AllowTable {
    fn from_spec() -> Self {
        let mut routes = Vec::new();
        for api in <Apis as OpenApi>::meta() {
            for path in api.paths {
                let mut methods: BTreeSet<String> = path
                    .operations
                    .iter()
                    .map(|op| op.method.to_string())
                    .collect();
                if methods.contains("GET") {
                    methods.insert("HEAD".into());
                }
                let list = methods.into_iter().collect::<Vec<_>>().join(", ");
                routes.push((segments(&path.path), list));
            }
        }
        Self { routes }
    }

    fn allowed(&self, path: &str) -> &str {
        let want = segments(path);
        self.routes
            .iter()
            .find(|(template, _)| {
                template.len() == want.len()
                    && template
                        .iter()
                        .zip(&want)
                        .all(|(t, w)| t == w || (t.starts_with('{') && t.ends_with('}')))
            })
            .map_or("GET, HEAD", |(_, methods)| methods.as_str())
    }
}

fn table() -> &'static AllowTable {
    static TABLE: OnceLock<AllowTable> = OnceLock::new();
    TABLE.get_or_init(AllowTable::from_spec)
}

/// Middleware function (used with `EndpointExt::around`).
pub async fn add_allow_header<E: Endpoint>(
    ep: std::sync::Arc<E>,
    req: Request,
) -> Result<Response> {
    let path = req.uri().path().to_string();
    let mut resp = ep.call(req).await?.into_response();
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED
        && !resp.headers().contains_key(header::ALLOW)
    {
        let allowed = table().allowed(&path);
        if let Ok(value) = HeaderValue::from_str(allowed) {
            resp.headers_mut().insert(header::ALLOW, value);
        }
    }
    Ok(resp)
}

/// The methods allowed on `path`, as the `Allow` header lists them.
pub fn allowed_methods(path: &str) -> &'static str {
    table().allowed(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_list_their_operations() {
        assert_eq!(allowed_methods("/health"), "GET, HEAD");
        assert_eq!(allowed_methods("/style.css"), "GET, HEAD");
    }

    #[test]
    fn templates_match_one_segment_per_parameter() {
        let table = AllowTable {
            routes: vec![
                (segments("/api/v2/customers"), "GET, HEAD, POST".into()),
                (
                    segments("/api/v2/customers/{id}"),
                    "DELETE, GET, HEAD, PUT".into(),
                ),
            ],
        };
        assert_eq!(
            table.allowed("/api/v2/customers/17"),
            "DELETE, GET, HEAD, PUT"
        );
        assert_eq!(table.allowed("/api/v2/customers/"), "GET, HEAD, POST");
        assert_eq!(table.allowed("/api/v2/customers/17/x"), "GET, HEAD");
    }
}
