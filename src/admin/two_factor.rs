//! The logged-in user's own two-factor login (`/admin/api/session/two-factor`):
//! its state, setting it up (QR code and key, then a first code), new
//! recovery codes and turning it off. A session that must set it up first
//! (`[security] require_2fa_for`) may call these and nothing else.

use poem::{web::Data, Request};
use poem_openapi::{payload::Json, ApiResponse, Object, OpenApi};

use super::{session::SetupSession, AdminTags};
use crate::{
    auth::{
        login_guard::{address_key, Refused},
        throttle::Limit,
    },
    contract::{body::JsonBody, session::TwoFactorCode},
    error::{ApiError, ApiResult},
    ops::{self, two_factor, OpResult},
    state::AppState,
    store::staff_users::StaffUser,
};

/// Runs `op`, which checks a current code, under the login throttle of the
/// user from this address: a wrong code counts as a failed login, so codes
/// cannot be guessed here any faster than at the login.
async fn throttled<T>(
    state: &AppState,
    req: &Request,
    user: &StaffUser,
    op: impl std::future::Future<Output = OpResult<T>>,
) -> ApiResult<T> {
    let address = address_key(&state.trusted_proxies, req);
    let account = user.email.to_ascii_lowercase();
    let reservation = state
        .login_throttle
        .reserve(
            Limit::for_login("account", &account, &address),
            state.clock.now(),
        )
        .map_err(|wait| {
            ApiError::from(Refused::TooMany {
                wait,
                what: "wrong codes",
            })
        })?;
    match op.await {
        Ok(v) => {
            reservation.succeeded(&[0]);
            Ok(v)
        }
        Err(e @ ops::Error::Invalid(_)) => {
            reservation.failed();
            Err(e.into())
        }
        Err(e) => {
            reservation.cancel();
            Err(e.into())
        }
    }
}

/// Whether two-factor login is on.
#[derive(Debug, Object)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// The user's role must use it: it cannot be turned off.
    pub required: bool,
    /// Unused recovery codes (0 when off).
    pub recovery_codes_left: i64,
}

/// What an authenticator app needs: scan `qr_svg` or type `manual_key`.
#[derive(Debug, Object)]
pub struct TwoFactorSetup {
    /// The secret in base32, for typing into the app.
    pub manual_key: String,
    /// The `otpauth://totp/...` address the QR code holds.
    pub otpauth_url: String,
    /// The QR code as an SVG image (drawn by the appliance).
    pub qr_svg: String,
}

/// One-time recovery codes: shown once, each works once in place of a code.
#[derive(Debug, Object)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

#[derive(ApiResponse)]
pub enum TwoFactorOff {
    /// Two-factor login is off.
    #[oai(status = 204)]
    NoContent,
}

pub struct TwoFactorApi;

#[OpenApi(tag = "AdminTags::Session")]
impl TwoFactorApi {
    /// The user's two-factor login.
    #[oai(
        path = "/admin/api/session/two-factor",
        method = "get",
        operation_id = "admin_two_factor"
    )]
    async fn status(
        &self,
        state: Data<&AppState>,
        SetupSession(session): SetupSession,
    ) -> ApiResult<Json<TwoFactorStatus>> {
        let required = state.auth.two_factor_roles.contains(&session.user.role);
        let s = two_factor::status(&state.ctx(), &session.user, required).await?;
        Ok(Json(TwoFactorStatus {
            enabled: s.enabled,
            required: s.required,
            recovery_codes_left: s.recovery_codes_left,
        }))
    }

    /// Starts setting it up: a new secret, shown as a QR code and a key
    /// (409 when already on).
    #[oai(
        path = "/admin/api/session/two-factor/setup",
        method = "post",
        operation_id = "admin_two_factor_setup"
    )]
    async fn setup(
        &self,
        state: Data<&AppState>,
        SetupSession(session): SetupSession,
    ) -> ApiResult<Json<TwoFactorSetup>> {
        let s = two_factor::begin(&state.ctx(), &state.seal_key, &session.user).await?;
        Ok(Json(TwoFactorSetup {
            manual_key: s.manual_key,
            otpauth_url: s.otpauth_url,
            qr_svg: s.qr_svg,
        }))
    }

    /// Confirms the setup with the app's first code: two-factor login is on;
    /// the answer holds the ten recovery codes, shown this once.
    #[oai(
        path = "/admin/api/session/two-factor/confirm",
        method = "post",
        operation_id = "admin_two_factor_confirm"
    )]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        SetupSession(session): SetupSession,
        body: JsonBody<TwoFactorCode>,
    ) -> ApiResult<Json<RecoveryCodes>> {
        let who = session.caller().who();
        let codes = two_factor::confirm(
            &state.ctx(),
            &state.seal_key,
            &session.user,
            &body.0.code,
            &session.token,
            who,
        )
        .await?;
        Ok(Json(RecoveryCodes {
            recovery_codes: codes,
        }))
    }

    /// New recovery codes after a current code; the old ones stop working.
    /// Wrong codes count as failed logins (429 after too many).
    #[oai(
        path = "/admin/api/session/two-factor/recovery-codes",
        method = "post",
        operation_id = "admin_two_factor_recovery_codes"
    )]
    async fn recovery_codes(
        &self,
        state: Data<&AppState>,
        req: &Request,
        SetupSession(session): SetupSession,
        body: JsonBody<TwoFactorCode>,
    ) -> ApiResult<Json<RecoveryCodes>> {
        let who = session.caller().who();
        let ctx = state.ctx();
        let op = two_factor::renew_recovery_codes(
            &ctx,
            &state.seal_key,
            &session.user,
            &body.0.code,
            who,
        );
        let codes = throttled(&state, req, &session.user, op).await?;
        Ok(Json(RecoveryCodes {
            recovery_codes: codes,
        }))
    }

    /// Turns it off after a current code (409 while the role must use it).
    /// Wrong codes count as failed logins (429 after too many).
    #[oai(
        path = "/admin/api/session/two-factor/disable",
        method = "post",
        operation_id = "admin_two_factor_disable"
    )]
    async fn disable(
        &self,
        state: Data<&AppState>,
        req: &Request,
        SetupSession(session): SetupSession,
        body: JsonBody<TwoFactorCode>,
    ) -> ApiResult<TwoFactorOff> {
        let required = state.auth.two_factor_roles.contains(&session.user.role);
        let who = session.caller().who();
        let ctx = state.ctx();
        let op = two_factor::disable(
            &ctx,
            &state.seal_key,
            &session.user,
            &body.0.code,
            required,
            who,
        );
        throttled(&state, req, &session.user, op).await?;
        Ok(TwoFactorOff::NoContent)
    }
}
