//! The browser side: files from `web/`, compiled in with rust-embed and served at
//! `/`. `index.html` is never cached (it names the version); other files carry
//! an ETag and are cached (the panel's scripts and styles revalidated on use).

use poem::{
    error::NotFoundError,
    http::{header, Method, StatusCode},
    Request, Response,
};
use rust_embed::RustEmbed;

use crate::{
    error::{ApiError, ErrorCode},
    VERSION,
};

#[derive(RustEmbed)]
#[folder = "web/"]
struct WebFiles;

const INDEX: &str = "index.html";

/// Serves `/` and every other path that no API route claimed.
#[poem::handler]
pub fn static_file(req: &Request) -> poem::Result<Response> {
    let path = req.uri().path().trim_start_matches('/');
    let path = if path.is_empty() { INDEX } else { path };
    // The portal's pages are named without `.html` (`/portal/`,
    // `/portal/suspended`).
    let page;
    let path = match path.strip_prefix("portal") {
        Some("" | "/") => "portal/index.html",
        Some(rest) if !rest.contains('.') && rest.starts_with('/') => {
            page = format!("portal{rest}.html");
            page.as_str()
        }
        _ => path,
    };
    let Some(file) = WebFiles::get(path) else {
        return Err(NotFoundError.into());
    };
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(ApiError::of(ErrorCode::MethodNotAllowed).into());
    }
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    if path == INDEX || (path.starts_with("portal/") && path.ends_with(".html")) {
        let html = String::from_utf8_lossy(&file.data).replace("{{version}}", VERSION);
        return Ok(Response::builder()
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(html));
    }
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
    let cached = etag_matches(req, &etag);
    // The panel's own code and word catalogues are kept by browsers but checked on every load (a
    // cheap 304 on the LAN), so after an upgrade old and new modules never mix;
    // anything else (vendored libraries, images) may be reused for a day.
    let own_code = path.ends_with(".js") || path.ends_with(".css") || path.ends_with(".json");
    let builder = Response::builder().header(header::ETAG, etag).header(
        header::CACHE_CONTROL,
        if own_code {
            "no-cache"
        } else {
            "public, max-age=86400"
        },
    );
    if cached {
        return Ok(builder.status(StatusCode::NOT_MODIFIED).finish());
    }
    Ok(builder
        .header(header::CONTENT_TYPE, mime.as_ref())
        .body(file.data.into_owned()))
}

/// Whether the request's `If-None-Match` names `etag` (the browser has it).
fn etag_matches(req: &Request, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /branding/logo`: the ISP's logo (`[isp] logo`) for invoices and
/// receipts, read from its file on each request (so a new logo shows without
/// a restart; an ETag of its size and time answers 304 when unchanged); 404
/// when none is set, or the file is gone or has grown past 1 MiB.
#[poem::handler]
pub async fn isp_logo(
    req: &Request,
    state: poem::web::Data<&crate::state::AppState>,
) -> poem::Result<Response> {
    let isp = &state.config.isp;
    let Some(mime) = isp.logo_type() else {
        return Err(NotFoundError.into());
    };
    let meta = match tokio::fs::metadata(&isp.logo).await {
        Ok(m) if m.is_file() && m.len() <= crate::config::LOGO_MAX_BYTES => m,
        Ok(m) => {
            tracing::warn!(
                "isp.logo `{}` is not a file of at most 1 MiB ({} bytes)",
                isp.logo,
                m.len()
            );
            return Err(NotFoundError.into());
        }
        Err(e) => {
            tracing::warn!("isp.logo `{}` could not be read: {e}", isp.logo);
            return Err(NotFoundError.into());
        }
    };
    // Size and modification time: a new file gets a new tag.
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let etag = format!("\"{:x}-{modified:x}\"", meta.len());
    let builder = Response::builder()
        .header(header::ETAG, etag.as_str())
        .header(header::CACHE_CONTROL, "no-cache");
    if etag_matches(req, &etag) {
        return Ok(builder.status(StatusCode::NOT_MODIFIED).finish());
    }
    match tokio::fs::read(&isp.logo).await {
        Ok(bytes) => Ok(builder.header(header::CONTENT_TYPE, mime).body(bytes)),
        Err(e) => {
            tracing::warn!("isp.logo `{}` could not be read: {e}", isp.logo);
            Err(NotFoundError.into())
        }
    }
}
