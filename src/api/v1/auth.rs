//! `POST /api/auth/login` and `POST /api/auth/refresh`.

use poem::{web::Data, Request};
use poem_openapi::{payload::Json, OpenApi};

use crate::{
    api::{login_guard::check_credentials, tokens::TokenPairResponse, ApiTags},
    contract::{
        auth::{LoginRequest, RefreshRequest},
        body::JsonOrForm,
    },
    error::{ApiError, ApiResult},
    state::AppState,
};

#[derive(Default)]
pub struct V1AuthApi;

#[OpenApi]
impl V1AuthApi {
    /// Log in (v1)
    ///
    /// Exchanges a staff user's email and password for an access token (JWT,
    /// 3600 s) and a single-use refresh token. Also accepts the OAuth 2.0
    /// password grant as a form (`grant_type=password&username=...&password=...`).
    /// Wrong email or password: 401 with the same message. Failures are counted
    /// per account from one address (5 in 15 minutes), per account (50) and per
    /// address (20); beyond that 429 with `Retry-After`. When every password
    /// hashing thread is busy: 503 with `Retry-After` at once.
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
        let LoginRequest { email, password } = body.0;
        let auth = state.auth.clone();
        let pair = check_credentials(&state, req, email.0, password, move |user| {
            auth.login_user(user)
        })
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
        let auth = state.auth.clone();
        let token = body.0.refresh_token.0;
        let pair = tokio::task::spawn_blocking(move || auth.refresh(&token))
            .await
            .map_err(ApiError::internal)??;
        Ok(Json(pair.into()))
    }
}
