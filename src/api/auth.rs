//! Tokens: `POST /api/auth/login` and `POST /api/auth/refresh` (v1, staff),
//! `POST /api/v2/auth/token` (client credentials) and `POST /api/v2/auth/revoke`
//! (v2). The bodies and the token answers (the seed's shapes) are in
//! `contract::auth`. The credential checks, throttles and token families are
//! the authentication service's (`auth::service`, `auth::login_guard`).

use base64::{engine::general_purpose::STANDARD, Engine};
use poem::{http::header, web::Data, Request};
use poem_openapi::{payload::Json, ApiResponse, OpenApi};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::{
        login_guard::{address_key, check_credentials, Refused, SecondFactor},
        principal::Tier,
        rate_limit::RateDecision,
        service::{Auth, AuthError},
        throttle::Limit,
        tokens::{ApiVersion, Subject},
    },
    contract::{
        auth::{
            AccessTokenResponse, LoginRequest, RefreshRequest, TokenPairResponse, TokenRequest,
        },
        body::JsonOrForm,
    },
    error::{ApiError, ApiResult, ErrorCode, FieldErrors},
    state::AppState,
};

#[derive(Default)]
pub struct AuthV1;

#[OpenApi]
impl AuthV1 {
    /// Log in (v1)
    ///
    /// Exchanges a staff user's email and password for an access token (JWT,
    /// 3600 s) and a single-use refresh token. Also accepts the OAuth 2.0
    /// password grant as a form (`grant_type=password&username=...&password=...`).
    /// Wrong email or password: 401 with the same message. Failures are counted
    /// per account from one address (5 in 15 minutes), per account (50) and per
    /// address (20); beyond that 429 with `Retry-After`. When every password
    /// hashing thread is busy: 503 with `Retry-After` at once.
    ///
    /// An account with two-factor login also needs `otp`: the 6-digit code of
    /// its authenticator app (each code works once) or one of its recovery
    /// codes (each once). Without it: 401 `OTP_REQUIRED`; wrong or used: 401
    /// `OTP_INVALID`, counted like a wrong password. A user whose role must
    /// use a second factor (`[security] require_2fa_for`) and who has not set
    /// one up is refused with 403 `TWO_FACTOR_SETUP_REQUIRED` until they do,
    /// in the panel.
    #[oai(
        path = "/api/auth/login",
        method = "post",
        operation_id = "v1_login",
        tag = "ApiTags::Auth"
    )]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonOrForm<LoginRequest>,
    ) -> ApiResult<Json<TokenPairResponse>> {
        let LoginRequest {
            email,
            password,
            otp,
        } = body.0;
        let auth = state.auth.clone();
        let address = address_key(&state.trusted_proxies, req);
        let factor = SecondFactor {
            otp,
            may_set_up: false,
        };
        let pair = check_credentials(
            state.login_guard(),
            &address,
            email.0,
            password,
            factor,
            move |user| auth.login_user(user),
        )
        .await?;
        Ok(Json(pair.into()))
    }

    /// Refresh a token pair (v1)
    ///
    /// Exchanges a refresh token for a new access token and refresh token. Each
    /// refresh token works once; presenting a used one again is taken as theft
    /// and revokes every token descended from the same login. Also accepts the
    /// OAuth 2.0 form `grant_type=refresh_token&refresh_token=...`.
    #[oai(
        path = "/api/auth/refresh",
        method = "post",
        operation_id = "v1_refresh",
        tag = "ApiTags::Auth"
    )]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: JsonOrForm<RefreshRequest>,
    ) -> ApiResult<Json<TokenPairResponse>> {
        let token = body.0.refresh_token.0;
        let pair = with_auth(&state, move |auth| auth.refresh(&token)).await?;
        Ok(Json(pair.into()))
    }
}

/// One call of the authentication service, off the async runtime (it hashes,
/// signs or writes).
async fn with_auth<T: Send + 'static>(
    state: &AppState,
    call: impl FnOnce(&Auth) -> Result<T, AuthError> + Send + 'static,
) -> ApiResult<T> {
    let auth = state.auth.clone();
    Ok(tokio::task::spawn_blocking(move || call(&auth))
        .await
        .map_err(ApiError::internal)??)
}

/// `Authorization: Basic base64(client_id:client_secret)` (RFC 6749 §2.3.1).
fn basic_credentials(req: &Request) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| form_urlencoded_decode(s).unwrap_or_else(|| s.to_string());
    Some((unescape(id), unescape(secret)))
}

/// RFC 6749 has clients form-encode id and secret inside Basic.
fn form_urlencoded_decode(s: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("v={s}")).ok()?;
    pairs.into_iter().next().map(|(_, v)| v)
}

#[derive(ApiResponse)]
pub enum Revoked {
    /// The token no longer works.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct AuthV2;

#[OpenApi]
impl AuthV2 {
    /// Get an access token (v2)
    ///
    /// OAuth 2.0 client credentials: exchanges a v2 client's id and secret for a
    /// `v2_` access token valid 1800 s. Send JSON `{"client_id","client_secret"}`,
    /// or the form `grant_type=client_credentials` with the credentials in the form
    /// or in HTTP Basic. Unknown client or wrong secret: 401. Failures are
    /// counted per client id from one address (5 in 15 minutes), per client id
    /// (50) and per address (20); beyond that 429 with `Retry-After`. Each token
    /// minted counts as one request against the client's per-minute rate limit
    /// (429 with `Retry-After` when it is used up).
    #[oai(
        path = "/api/v2/auth/token",
        method = "post",
        operation_id = "v2_token",
        tag = "ApiTags::Auth"
    )]
    async fn token(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonOrForm<TokenRequest>,
    ) -> ApiResult<Json<AccessTokenResponse>> {
        let basic = basic_credentials(req);
        let body = body.0;
        let (id, secret) = match (body.client_id, body.client_secret, basic) {
            (Some(id), Some(secret), _) => (id.0, secret.0),
            (None, None, Some(basic)) => basic,
            (id, secret, _) => {
                let mut errors = FieldErrors::new();
                if id.is_none() {
                    errors.add("client_id", "The client id field is required.");
                }
                if secret.is_none() {
                    errors.add("client_secret", "The client secret field is required.");
                }
                return Err(ApiError::validation(errors));
            }
        };
        let address = address_key(&state.trusted_proxies, req);
        let limits = Limit::for_login("client", id.trim(), &address);
        let reservation = state
            .login_throttle
            .reserve(limits, state.clock.now())
            .map_err(|wait| Refused::TooMany {
                wait,
                what: "failed token requests",
            })?;
        let auth = state.auth.clone();
        let verified = tokio::task::spawn_blocking(move || auth.verify_client(&id, &secret))
            .await
            .map_err(ApiError::internal)?;
        let client = match verified {
            Ok(client) => {
                reservation.succeeded(&[0]);
                client
            }
            Err(AuthError::InvalidCredentials) => {
                reservation.failed();
                return Err(AuthError::InvalidCredentials.into());
            }
            Err(e) => {
                reservation.cancel();
                return Err(e.into());
            }
        };
        let tier = Tier::parse(&client.tier).unwrap_or(Tier::Standard);
        if let RateDecision::Limited {
            retry_after_secs, ..
        } = state
            .rate_limits
            .check_subject(ApiVersion::V2, tier, &Subject::Client(client.id))
        {
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "This client has used up its requests for this minute. \
                     Try again in {retry_after_secs} seconds."
                ),
            )
            .with_retry_after(retry_after_secs));
        }
        let token = with_auth(&state, move |auth| auth.mint_v2(&client)).await?;
        Ok(Json(token.into()))
    }

    /// Revoke the access token (v2)
    ///
    /// The token in the `Authorization` header stops working at once: the very
    /// next request with it gets 401.
    #[oai(
        path = "/api/v2/auth/revoke",
        method = "post",
        operation_id = "v2_revoke",
        tag = "ApiTags::Auth"
    )]
    async fn revoke(&self, state: Data<&AppState>, auth: V2Auth) -> ApiResult<Revoked> {
        with_auth(&state, move |service| service.revoke(&auth.0)).await?;
        Ok(Revoked::NoContent)
    }
}
