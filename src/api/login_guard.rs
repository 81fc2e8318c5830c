//! Throttled staff password checks, shared by `POST /api/auth/login` and the
//! panel's login. Failures count per account from one address (5 in 15
//! minutes), per account from everywhere (50) and per address over all
//! accounts (20); a used-up key is 429 with `Retry-After`. The attempt is
//! counted *before* the password is hashed, so parallel attempts cannot slip
//! past the count, and the hash runs on the bounded hashing threads (503 at
//! once when they are all busy).

use poem::Request;

use crate::{
    auth::{
        client_addr::throttle_key,
        hash_pool::HashError,
        password::DUMMY_HASH,
        service::AuthError,
        throttle::{Limit, Reservation},
    },
    error::{ApiError, ErrorCode},
    state::AppState,
    store::staff_users::StaffUser,
};

/// 429 for a used-up throttle key.
pub fn too_many(wait: u64, what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RateLimited,
        format!("Too many {what}. Try again in {wait} seconds."),
    )
    .with_retry_after(wait)
}

/// 503 when every hashing thread is busy (or gone).
pub fn hashing_unavailable(e: HashError) -> ApiError {
    if e == HashError::Gone {
        tracing::error!("password hashing threads are gone");
    }
    ApiError::new(
        ErrorCode::ServiceUnavailable,
        "Too many sign-ins are being checked right now. Try again in a moment.",
    )
    .with_retry_after(1)
}

/// The throttle's name for the request's client address.
pub fn address_key(state: &AppState, req: &Request) -> String {
    throttle_key(state.trusted_proxies.client_of(req))
}

/// Verifies the credentials under the login throttle and the hashing limit;
/// then runs `then` (on a blocking thread) with the verified user.
pub async fn check_credentials<T: Send + 'static>(
    state: &AppState,
    req: &Request,
    email: String,
    password: String,
    then: impl FnOnce(&StaffUser) -> Result<T, AuthError> + Send + 'static,
) -> Result<T, ApiError> {
    let account = email.trim().to_ascii_lowercase();
    let limits = Limit::for_login("account", &account, &address_key(state, req));
    let reservation = state
        .login_throttle
        .reserve(limits, state.clock.now())
        .map_err(|wait| too_many(wait, "failed login attempts"))?;
    let user = match verify(state, reservation, email, password).await? {
        Ok(user) => user,
        Err(reservation) => {
            reservation.failed();
            tracing::info!(%account, "login failed");
            return Err(AuthError::InvalidCredentials.into());
        }
    };
    tokio::task::spawn_blocking(move || then(&user))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

/// The password check itself: `Ok(Ok(user))` when right (the reservation
/// settled as a success), `Ok(Err(reservation))` when wrong, `Err` when no
/// check could be made (the reservation given back).
async fn verify(
    state: &AppState,
    reservation: Reservation,
    email: String,
    password: String,
) -> Result<Result<StaffUser, Reservation>, ApiError> {
    let permit = match state.hash_pool.try_permit() {
        Ok(p) => p,
        Err(e) => {
            reservation.cancel();
            return Err(hashing_unavailable(e));
        }
    };
    let auth = state.auth.clone();
    let found = match tokio::task::spawn_blocking(move || auth.login_candidate(&email)).await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => {
            reservation.cancel();
            return Err(e.into());
        }
        Err(e) => {
            reservation.cancel();
            return Err(ApiError::internal(e));
        }
    };
    let (user, phc) = match found {
        Some((user, phc)) => (Some(user), phc),
        None => (None, DUMMY_HASH.to_string()),
    };
    let matched = match state.hash_pool.verify(permit, password, phc).await {
        Ok(m) => m,
        Err(e) => {
            reservation.cancel();
            return Err(hashing_unavailable(e));
        }
    };
    match user {
        Some(user) if matched && user.active => {
            // This attempt and the account's earlier failures from this
            // address are forgiven; the account-wide and address-wide counts
            // keep what strangers did.
            reservation.succeeded(&[0]);
            Ok(Ok(user))
        }
        _ => Ok(Err(reservation)),
    }
}
