//! Throttled staff password checks, shared by `POST /api/auth/login` and the
//! panel's login: after 5 failures in 15 minutes for one address or one account,
//! 429 with `Retry-After` until the oldest failure ages out.

use poem::web::RemoteAddr;

use crate::{
    app::AppState,
    auth::service::AuthError,
    error::{ApiError, ErrorCode},
    store::staff_users::StaffUser,
};

/// Verifies the credentials under the login throttle; then runs `then` (on a
/// blocking thread) with the verified user.
pub async fn check_credentials<T: Send + 'static>(
    state: &AppState,
    remote: &RemoteAddr,
    email: String,
    password: String,
    then: impl FnOnce(&StaffUser) -> Result<T, AuthError> + Send + 'static,
) -> Result<T, ApiError> {
    let account = format!("account:{}", email.trim().to_ascii_lowercase());
    let ip = remote
        .as_socket_addr()
        .map_or_else(|| "ip:unknown".to_string(), |a| format!("ip:{}", a.ip()));
    let keys = [ip, account.clone()];
    let now = state.clock.now();
    if let Some(wait) = state.login_throttle.retry_after(&keys, now) {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            format!("Too many failed login attempts. Try again in {wait} seconds."),
        )
        .with_retry_after(wait));
    }
    let auth = state.auth.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let user = auth.verify_staff(&email, &password)?;
        then(&user)
    })
    .await
    .map_err(ApiError::internal)?;
    match outcome {
        Ok(out) => {
            state.login_throttle.clear(&account);
            Ok(out)
        }
        Err(AuthError::InvalidCredentials) => {
            state.login_throttle.record_failure(&keys, now);
            tracing::info!(%account, "login failed");
            Err(AuthError::InvalidCredentials.into())
        }
        Err(e) => Err(e.into()),
    }
}
