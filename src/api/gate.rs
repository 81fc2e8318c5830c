//! The API gate, in front of every `/api` route: authenticates the bearer token
//! the operation's security scheme asks for, applies the caller's rate limit,
//! checks the operation's scopes (as the OpenAPI document declares them), then
//! hands the caller to the handler. Every request — answered here or by the
//! handler — is queued for the request log (which counts, rather than lists,
//! the rejected requests of unknown callers: see `jobs::request_log`).

use std::{sync::Arc, time::Instant};

use poem::{
    http::{header, HeaderName, HeaderValue, StatusCode},
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
};

use super::{
    framework_errors,
    operations::OperationTable,
    security::{scheme_api, CUSTOMER_SCHEME},
};
use crate::{
    auth::{
        client_addr::ClientAddr,
        customer_tokens::CustomerClaims,
        principal::Principal,
        rate_limit::RateDecision,
        scope::Scope,
        service::AuthError,
        sessions::{cookie_token, csrf_matches, CSRF_HEADER},
        tokens::ApiVersion,
    },
    error::{ApiError, ErrorCode},
    jobs::request_log::RequestRecord,
    ops::denials::{self, Denial},
    state::AppState,
    store::audit::Who,
};

/// The gate, enforcing what `table` declares.
pub struct ApiGate {
    table: &'static OperationTable,
}

impl ApiGate {
    /// A gate for the operations of `table` (the real API's: [`operations::table`]).
    pub fn new(table: &'static OperationTable) -> Self {
        Self { table }
    }
}

impl<E: Endpoint> Middleware<E> for ApiGate {
    type Output = ApiGateEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ApiGateEndpoint {
            inner: ep,
            table: self.table,
        }
    }
}

pub struct ApiGateEndpoint<E> {
    inner: E,
    table: &'static OperationTable,
}

/// The bearer token of the request, if any.
pub(crate) fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

pub(crate) fn unauthenticated(err: ApiError, token_given: bool) -> Response {
    let mut resp = err.into_response();
    let challenge = if token_given {
        r#"Bearer realm="ispbills", error="invalid_token""#
    } else {
        r#"Bearer realm="ispbills""#
    };
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    resp
}

type Found = std::result::Result<Arc<Principal>, AuthError>;

impl<E: Endpoint> ApiGateEndpoint<E> {
    /// The caller of a bearer token: a token seen before is answered from
    /// memory; else one database read.
    async fn bearer_principal(
        state: &AppState,
        token: String,
        api: ApiVersion,
    ) -> std::result::Result<Found, Response> {
        match state.auth.authenticate_cached(&token, api) {
            Ok(Some(p)) => Ok(Ok(p)),
            Err(e) => Ok(Err(e)),
            Ok(None) => {
                let auth = state.auth.clone();
                tokio::task::spawn_blocking(move || auth.authenticate(&token, api))
                    .await
                    .map_err(|e| ApiError::internal(e).into_response())
            }
        }
    }

    /// The admin panel calling the API with its session cookie: only together
    /// with the session's `X-CSRF-Token` header (which other sites cannot
    /// read), so a cookie alone never authenticates an API request.
    async fn panel_principal(
        state: &AppState,
        req: &Request,
        api: ApiVersion,
    ) -> std::result::Result<Option<Found>, Response> {
        let (Some(token), Some(presented)) = (
            cookie_token(req.headers()),
            req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()),
        ) else {
            return Ok(None);
        };
        if !csrf_matches(&token, presented) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "The CSRF token is missing or wrong; reload the panel.",
            )
            .into_response());
        }
        let auth = state.auth.clone();
        let found = tokio::task::spawn_blocking(move || auth.session_principal(&token, api))
            .await
            .map_err(|e| ApiError::internal(e).into_response())?;
        Ok(match found {
            Ok(Some(p)) => Some(Ok(Arc::new(p))),
            Ok(None) => None,
            // A known user who must first set up a second factor: 403, not
            // a bad token.
            Err(AuthError::TwoFactorSetupRequired) => {
                return Err(ApiError::from(AuthError::TwoFactorSetupRequired).into_response())
            }
            Err(e) => Some(Err(e)),
        })
    }

    /// A customer's token (bearer only: the portal sends it from script),
    /// then the customer's rate limit.
    async fn admit_customer(
        state: &AppState,
        req: &Request,
        rate: &mut Option<RateDecision>,
    ) -> std::result::Result<Arc<CustomerClaims>, Response> {
        let Some(token) = bearer(req) else {
            return Err(unauthenticated(
                ApiError::new(ErrorCode::Unauthenticated, "An access token is required."),
                false,
            ));
        };
        let claims = crate::ops::portal::authenticate(&state.ctx(), &state.auth.signer, &token)
            .await
            .map_err(|e| unauthenticated(e.into(), true))?;
        let decision = state.rate_limits.check_customer(claims.customer_id);
        *rate = Some(decision);
        if let RateDecision::Limited {
            retry_after_secs, ..
        } = decision
        {
            return Err(ApiError::of(ErrorCode::RateLimited)
                .with_retry_after(retry_after_secs)
                .into_response());
        }
        Ok(Arc::new(claims))
    }

    /// Authenticates, limits and authorises; `Err` is the answer to send.
    /// `caller` is set once the caller is known, also when it is then refused
    /// (rate limit, scopes), so the request log names it.
    async fn admit(
        state: &AppState,
        req: &Request,
        scheme: &str,
        scopes: &[&str],
        rate: &mut Option<RateDecision>,
        caller: &mut Option<Arc<Principal>>,
    ) -> std::result::Result<Arc<Principal>, Response> {
        let Some(api) = scheme_api(scheme) else {
            return Err(
                ApiError::internal(format!("unknown security scheme {scheme}")).into_response(),
            );
        };
        let found = match bearer(req) {
            Some(token) => Self::bearer_principal(state, token, api).await?,
            None => match Self::panel_principal(state, req, api).await? {
                Some(found) => found,
                None => {
                    return Err(unauthenticated(
                        ApiError::new(ErrorCode::Unauthenticated, "An access token is required."),
                        false,
                    ))
                }
            },
        };
        let principal = found.map_err(|e| match e {
            // A known user who must first set up a second factor: 403.
            AuthError::TwoFactorSetupRequired => ApiError::from(e).into_response(),
            e => unauthenticated(e.into(), true),
        })?;
        *caller = Some(principal.clone());
        let decision = state.rate_limits.check(&principal);
        *rate = Some(decision);
        if let RateDecision::Limited {
            retry_after_secs, ..
        } = decision
        {
            return Err(ApiError::of(ErrorCode::RateLimited)
                .with_retry_after(retry_after_secs)
                .into_response());
        }
        let missing: Vec<&str> = scopes
            .iter()
            .copied()
            .filter(|name| !Scope::parse(name).is_some_and(|s| principal.has(s)))
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("This token lacks the scope(s): {}.", missing.join(", ")),
            )
            .into_response());
        }
        Ok(principal)
    }
}

impl<E: Endpoint> Endpoint for ApiGateEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let started = Instant::now();
        let Some(state) = req.data::<AppState>().cloned() else {
            return Ok(ApiError::internal("application state missing").into_response());
        };
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        // The same client address as the login throttle (trusted proxies).
        let ip = state.trusted_proxies.client_of(&req);
        let op = self.table.find(&method, &path);
        let mut rate = None;
        let mut caller = None;
        let mut customer = None;
        let mut resp = match op.and_then(|o| o.security.as_ref()) {
            None => self.call_inner(req).await,
            Some((scheme, _)) if *scheme == CUSTOMER_SCHEME => {
                match Self::admit_customer(&state, &req, &mut rate).await {
                    Ok(claims) => {
                        customer = Some(claims.customer_id);
                        req.extensions_mut().insert(claims);
                        self.call_inner(req).await
                    }
                    Err(answer) => answer,
                }
            }
            Some((scheme, scopes)) => {
                match Self::admit(&state, &req, scheme, scopes, &mut rate, &mut caller).await {
                    Ok(principal) => {
                        req.extensions_mut().insert(principal);
                        req.extensions_mut().insert(ClientAddr(ip));
                        self.call_inner(req).await
                    }
                    Err(answer) => answer,
                }
            }
        };
        match rate {
            Some(RateDecision::Allowed { limit, remaining }) => {
                set_rate_headers(&mut resp, limit, remaining)
            }
            Some(RateDecision::Limited { limit, .. }) => set_rate_headers(&mut resp, limit, 0),
            None => {}
        }
        if resp.status() == StatusCode::FORBIDDEN {
            let actor = match (&caller, customer) {
                (Some(p), _) => Some(p.label()),
                (None, Some(id)) => Some(format!("customer:{id}")),
                (None, None) => None,
            };
            if let Some(actor) = actor {
                resp = record_denial(&state, actor, ip, customer, &method, &path, resp).await;
            }
        }
        state.request_log.record(RequestRecord {
            at: state.clock.now(),
            api_client_id: caller.as_ref().and_then(|p| p.client_id()),
            staff_user_id: caller.as_ref().and_then(|p| p.user_id()),
            method,
            route: op.map_or("unmatched", |o| o.template.as_str()),
            path,
            status: resp.status().as_u16(),
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            ip,
        });
        Ok(resp)
    }
}

impl<E: Endpoint> ApiGateEndpoint<E> {
    async fn call_inner(&self, req: Request) -> Response {
        match self.inner.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) => framework_errors::to_response_keeping_operation(err),
        }
    }
}

/// Writes the refusal `resp` of a known caller to the audit trail (rate
/// limited per caller: `ops::denials`) and hands the answer back unchanged.
async fn record_denial(
    state: &AppState,
    actor: String,
    ip: Option<std::net::IpAddr>,
    customer_id: Option<i64>,
    method: &poem::http::Method,
    path: &str,
    resp: Response,
) -> Response {
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = body.into_bytes().await else {
        return Response::from_parts(parts, poem::Body::empty());
    };
    let message = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(String::from))
        .unwrap_or_default();
    let who = Who {
        actor,
        source: ip.map(|a| a.to_string()),
    };
    let denial = Denial {
        method: method.to_string(),
        path: path.to_string(),
        message,
        customer_id,
    };
    if let Err(e) = denials::record(&state.ctx(), &state.denials, who, denial).await {
        tracing::warn!(error = %e, "could not record a refused request in the audit trail");
    }
    Response::from_parts(parts, poem::Body::from(bytes))
}

const RATE_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const RATE_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

fn set_rate_headers(resp: &mut Response, limit: u32, remaining: u32) {
    let headers = resp.headers_mut();
    headers.insert(RATE_LIMIT, HeaderValue::from(limit));
    headers.insert(RATE_REMAINING, HeaderValue::from(remaining));
}
