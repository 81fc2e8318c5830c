//! First run: `GET /admin/api/setup` says whether setup is needed; `POST
//! /admin/api/setup {setup_code, email, name, password}` creates the first
//! admin — only with the setup code from the server log (or `ispbills admin
//! setup-code`), only while no staff user exists — and logs them in.

use poem::{web::Data, Request};
use poem_openapi::{payload::Json, ApiResponse, Object, OpenApi};

use super::{session::SessionView, AdminTags};
use crate::{
    api::login_guard::{address_key, hashing_unavailable, too_many},
    auth::{
        sessions::{cookie, csrf_token},
        setup_code,
        throttle::{Limit, PER_SETUP_ADDRESS},
    },
    contract::{body::JsonBody, setup::Setup},
    domain::staff::Role,
    error::{ApiError, ApiResult, ErrorCode},
    state::AppState,
    store::{staff_users, StoreError},
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
        let count = state.db.read_async(staff_users::count).await?;
        Ok(Json(SetupState {
            setup_required: count == 0,
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
            &address_key(&state, req),
            PER_SETUP_ADDRESS,
        )];
        let now = state.clock.now();
        let reservation = state
            .login_throttle
            .reserve(limits, now)
            .map_err(|wait| too_many(wait, "wrong setup codes"))?;
        let count = match state.db.read_async(staff_users::count).await {
            Ok(n) => n,
            Err(e) => {
                reservation.cancel();
                return Err(e.into());
            }
        };
        if count > 0 {
            reservation.cancel();
            return Err(ApiError::conflict(
                "Setup is already complete; log in instead.",
            ));
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
        let permit = state.hash_pool.try_permit().map_err(hashing_unavailable)?;
        let hash = state
            .hash_pool
            .hash(permit, secret)
            .await
            .map_err(hashing_unavailable)?
            .map_err(ApiError::internal)?;
        let user = state
            .db
            .write_async(move |tx| {
                // Checked again under the write lock: two setups cannot both win.
                if staff_users::count(tx)? > 0 {
                    return Err(StoreError::Conflict(
                        "Setup is already complete; log in instead.".into(),
                    ));
                }
                staff_users::create(
                    tx,
                    &staff_users::NewStaffUser {
                        email: &email,
                        name: name.trim(),
                        role: Role::Admin,
                        password_hash: &hash,
                        operator_id: None,
                    },
                    now,
                )
            })
            .await?;
        if let Err(e) = setup_code::remove(&data_dir) {
            tracing::warn!(error = %e, "setup: could not remove the setup code file");
        }
        tracing::info!(user = %user.email, "first admin created by setup");
        let auth = state.auth.clone();
        let session_user = user.clone();
        let token = tokio::task::spawn_blocking(move || auth.open_session(&session_user))
            .await
            .map_err(ApiError::internal)??;
        Ok(SetupDone::Created(
            Json(SessionView {
                user: (&user).into(),
                csrf_token: csrf_token(&token),
            }),
            cookie(Some(&token), secure),
        ))
    }
}
