//! First run: `GET /admin/api/setup` says whether setup is needed; `POST
//! /admin/api/setup {setup_code, email, name, password}` creates the first
//! admin — only with the setup code from the server log (or `ispbills admin
//! setup-code`), only while no staff user exists — and logs them in.

use poem::{web::Data, Request};
use poem_openapi::{payload::Json, ApiResponse, Object, OpenApi};

use super::{session::SessionView, AdminTags};
use crate::{
    auth::{
        login_guard::{address_key, Refused},
        sessions::cookie,
        setup_code,
        throttle::{Limit, PER_SETUP_ADDRESS},
    },
    contract::{body::JsonBody, setup::Setup},
    error::{ApiError, ApiResult, ErrorCode},
    ops,
    state::AppState,
};

#[derive(Debug, Object)]
pub struct SetupState {
    /// True while no staff user exists: the panel shows the setup page.
    pub setup_required: bool,
}

#[derive(ApiResponse)]
pub enum SetupDone {
    /// The first admin exists and is logged in (session cookie set).
    #[oai(status = 201)]
    Created(Json<SessionView>, #[oai(header = "Set-Cookie")] String),
}

pub struct SetupApi;

#[OpenApi(tag = "AdminTags::Session")]
impl SetupApi {
    /// Whether first-run setup is needed.
    #[oai(
        path = "/admin/api/setup",
        method = "get",
        operation_id = "admin_setup_state"
    )]
    async fn state(&self, state: Data<&AppState>) -> ApiResult<Json<SetupState>> {
        Ok(Json(SetupState {
            setup_required: ops::staff::setup_required(&state.ctx()).await?,
        }))
    }

    /// Create the first admin with the setup code (5 wrong codes in 15 minutes
    /// from one address: 429 with `Retry-After` for that address only).
    #[oai(
        path = "/admin/api/setup",
        method = "post",
        operation_id = "admin_setup"
    )]
    async fn setup(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<Setup>,
    ) -> ApiResult<SetupDone> {
        let secure = crate::http_security::request_is_https(
            &state.config.server,
            &state.trusted_proxies,
            req,
        );
        let Setup {
            code,
            email,
            name,
            password: secret,
        } = body.0;
        // Counted per address (a stranger's wrong codes block only their own
        // address), before the code is looked at.
        let limits = vec![Limit::new(
            "setup",
            &address_key(&state.trusted_proxies, req),
            PER_SETUP_ADDRESS,
        )];
        let now = state.clock.now();
        let reservation =
            state
                .login_throttle
                .reserve(limits, now)
                .map_err(|wait| Refused::TooMany {
                    wait,
                    what: "wrong setup codes",
                })?;
        match ops::staff::setup_required(&state.ctx()).await {
            Ok(true) => {}
            Ok(false) => {
                reservation.cancel();
                return Err(ops::staff::setup_done().into());
            }
            Err(e) => {
                reservation.cancel();
                return Err(e.into());
            }
        }
        let data_dir = state.config.data_dir.clone();
        let code_dir = data_dir.clone();
        let matched = tokio::task::spawn_blocking(move || setup_code::matches(&code_dir, &code))
            .await
            .map_err(ApiError::internal)?;
        if !matched {
            reservation.failed();
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "The setup code is wrong. It is printed in the server log at start \
                 (journalctl -u ispbills) and by `ispbills admin setup-code`.",
            ));
        }
        reservation.succeeded(&[]);
        let permit = state.hash_pool.try_permit().map_err(Refused::from)?;
        let hash = state
            .hash_pool
            .hash(permit, secret)
            .await
            .map_err(Refused::from)?
            .map_err(ApiError::internal)?;
        let user = ops::staff::create_first_admin(&state.ctx(), email, name, hash).await?;
        if let Err(e) = setup_code::remove(&data_dir) {
            tracing::warn!(error = %e, "setup: could not remove the setup code file");
        }
        let auth = state.auth.clone();
        let session_user = user.clone();
        let token = tokio::task::spawn_blocking(move || auth.open_session(&session_user))
            .await
            .map_err(ApiError::internal)??;
        Ok(SetupDone::Created(
            Json(SessionView::new(
                &state.config.isp,
                &user,
                &token,
                state.auth.must_set_up(&user),
            )),
            cookie(Some(&token), secure),
        ))
    }
}
