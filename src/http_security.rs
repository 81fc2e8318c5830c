//! Browser hardening on every answer: a Content-Security-Policy (the panel's
//! allows only its own files — no inline script or style; the API docs page
//! gets its own, allowing exactly its inline scripts by hash),
//! `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (and
//! `frame-ancestors 'none'`) and `Referrer-Policy: no-referrer`. Also: whether a
//! request reached the appliance over HTTPS (`[server] public_url`, or a
//! trusted proxy's `X-Forwarded-Proto`), for the session cookie's `Secure`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use base64::Engine;
use poem::{
    http::{header, HeaderValue},
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};
use sha2::{Digest, Sha256};

use crate::{auth::client_addr::TrustedProxies, config::ServerConfig};

/// The policy of the panel, its JSON endpoints, the API and everything else:
/// scripts, styles and images only from the appliance itself.
pub const PANEL_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Where the API documentation (Swagger UI) is served.
pub const DOCS_PREFIX: &str = "/docs/api";

/// The docs page's policy: its inline scripts (the Swagger UI bundle and its
/// start-up script, fixed for a build) allowed by their SHA-256, never
/// `'unsafe-inline'` scripts; inline styles allowed (Swagger UI's stylesheet is
/// inline and React sets style attributes).
pub fn docs_csp(script_hashes: &[String]) -> String {
    let mut scripts = String::from("'self'");
    for h in script_hashes {
        scripts.push_str(&format!(" 'sha256-{h}'"));
    }
    format!(
        "default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Base64 SHA-256 of every inline `<script>` (one without `src`) of `html`,
/// as CSP hash sources take them.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = find_ci(rest, "<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let open_tag = &after[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = find_ci(&after[body_start..], "</script") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !open_tag.to_ascii_lowercase().contains(" src=") {
            let digest = Sha256::digest(body.as_bytes());
            out.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        rest = &after[body_start + close..];
    }
    out
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

/// Middleware: the hardening headers on every answer.
#[derive(Default, Clone)]
pub struct SecurityHeaders {
    /// The docs policy per path, computed from the page once (it is fixed).
    docs: Arc<Mutex<HashMap<String, HeaderValue>>>,
}

impl<E: Endpoint> Middleware<E> for SecurityHeaders {
    type Output = SecurityHeadersEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        SecurityHeadersEndpoint {
            inner: ep,
            docs: self.docs.clone(),
        }
    }
}

pub struct SecurityHeadersEndpoint<E> {
    inner: E,
    docs: Arc<Mutex<HashMap<String, HeaderValue>>>,
}

fn is_html(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

impl<E: Endpoint> SecurityHeadersEndpoint<E> {
    /// The docs policy for an HTML page at `path`, hashing its inline scripts
    /// the first time it is served.
    async fn docs_policy(&self, path: &str, resp: &mut Response) -> HeaderValue {
        let known = self
            .docs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned();
        if let Some(v) = known {
            return v;
        }
        let body = resp.take_body().into_bytes().await.unwrap_or_default();
        let hashes = inline_script_hashes(&String::from_utf8_lossy(&body));
        resp.set_body(body);
        let value = HeaderValue::from_str(&docs_csp(&hashes))
            .unwrap_or_else(|_| HeaderValue::from_static(PANEL_CSP));
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        if docs.len() < 16 {
            docs.insert(path.to_string(), value.clone());
        }
        value
    }
}

impl<E: Endpoint> Endpoint for SecurityHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        // Only the docs' paths are kept (the rest costs no allocation).
        let docs_path = req
            .uri()
            .path()
            .starts_with(DOCS_PREFIX)
            .then(|| req.uri().path().to_string());
        let mut resp = match self.inner.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        let csp = match docs_path {
            Some(path) if is_html(&resp) => self.docs_policy(&path, &mut resp).await,
            _ => HeaderValue::from_static(PANEL_CSP),
        };
        let headers = resp.headers_mut();
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        Ok(resp)
    }
}

/// Whether the browser reached the appliance over HTTPS: `public_url` says so,
/// or the request came from a trusted proxy with `X-Forwarded-Proto: https`.
pub fn request_is_https(config: &ServerConfig, proxies: &TrustedProxies, req: &Request) -> bool {
    if config.public_https() {
        return true;
    }
    let Some(peer) = req.remote_addr().as_socket_addr().map(|a| a.ip()) else {
        return false;
    };
    proxies.contains(peer)
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let html =
            "<html><script src=\"/a.js\"></script><SCRIPT charset=\"UTF-8\">alert(1)</SCRIPT>\
                    <script>\n let x = 2;\n</script>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        let expected =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"alert(1)"));
        assert_eq!(hashes[0], expected);
        assert!(docs_csp(&hashes).contains(&format!("'sha256-{expected}'")));
        assert!(!docs_csp(&hashes).contains("script-src 'self' 'unsafe-inline'"));
    }
}
