//! Throttled staff password checks, shared by `POST /api/auth/login` and the
//! panel's login. Failures count per account from one address (5 in 15
//! minutes), per account from everywhere (50) and per address over all
//! accounts (20); a used-up key is refused with the seconds to wait. The
//! attempt is counted *before* the password is hashed, so parallel attempts
//! cannot slip past the count, and the hash runs on the bounded hashing
//! threads (refused at once when they are all busy). A user enrolled in
//! two-factor login also needs a right, unused code (`second_factor`). The
//! adapters map a
//! [`Refused`] to their answer (the API: 429 or 503 with `Retry-After`, 401).

use std::sync::Arc;

use time::OffsetDateTime;

use super::{
    client_addr::{throttle_key, TrustedProxies},
    hash_pool::{HashError, HashPool},
    password::DUMMY_HASH,
    sealed::SealKey,
    second_factor::{self, Outcome},
    service::{Auth, AuthError},
    throttle::{Limit, LoginThrottle, Reservation},
};
use crate::store::staff_users::StaffUser;

/// Why a credential check (or a throttled step like it) gave no answer.
#[derive(Debug)]
pub enum Refused {
    /// A throttle key is used up: `what` were too many (e.g. "failed login
    /// attempts"); try again in `wait` seconds.
    TooMany { wait: u64, what: &'static str },
    /// Every hashing thread is busy (or gone): try again in a moment.
    Busy(HashError),
    /// Wrong email or password, or a disabled user (one answer for all).
    Invalid,
    /// The password was right; the account's second factor was not sent.
    OtpRequired,
    /// The password was right; the second factor was wrong or used (counted
    /// as a failed attempt).
    OtpInvalid,
    /// The check failed for another reason.
    Failed(AuthError),
}

impl From<AuthError> for Refused {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => Refused::Invalid,
            other => Refused::Failed(other),
        }
    }
}

impl From<HashError> for Refused {
    fn from(e: HashError) -> Self {
        if e == HashError::Gone {
            tracing::error!("password hashing threads are gone");
        }
        Refused::Busy(e)
    }
}

/// The throttle's name for the request's client address.
pub fn address_key(proxies: &TrustedProxies, req: &poem::Request) -> String {
    throttle_key(proxies.client_of(req))
}

/// What a credential check uses.
#[derive(Clone)]
pub struct Guard {
    pub auth: Auth,
    pub throttle: Arc<LoginThrottle>,
    pub hash_pool: Arc<HashPool>,
    pub seal: Arc<SealKey>,
    pub now: OffsetDateTime,
}

/// What a login brings besides the password: the second factor, and whether
/// a user who must set one up may still log in to do so (the panel: its
/// session can only set it up) or is refused (an API token).
#[derive(Debug, Clone, Default)]
pub struct SecondFactor {
    pub otp: Option<String>,
    pub may_set_up: bool,
}

/// Verifies the credentials under the login throttle and the hashing limit,
/// then the second factor of an enrolled user (a wrong one counts as a failed
/// attempt); then runs `then` (on a blocking thread) with the verified user.
pub async fn check_credentials<T: Send + 'static>(
    guard: Guard,
    address: &str,
    email: String,
    password: String,
    factor: SecondFactor,
    then: impl FnOnce(&StaffUser) -> Result<T, AuthError> + Send + 'static,
) -> Result<T, Refused> {
    let account = email.trim().to_ascii_lowercase();
    let limits = Limit::for_login("account", &account, address);
    let reservation =
        guard
            .throttle
            .reserve(limits, guard.now)
            .map_err(|wait| Refused::TooMany {
                wait,
                what: "failed login attempts",
            })?;
    let (user, reservation) = match verify(&guard, reservation, email, password).await? {
        Ok(found) => found,
        Err(reservation) => {
            reservation.failed();
            tracing::info!(%account, "login failed");
            return Err(Refused::Invalid);
        }
    };
    let auth = guard.auth.clone();
    let seal = guard.seal.clone();
    let (user_id, now, otp) = (user.id, guard.now, factor.otp.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        second_factor::check(&auth.db, &seal, user_id, otp.as_deref(), now)
    })
    .await;
    let outcome = match outcome {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => {
            reservation.cancel();
            return Err(Refused::Failed(e));
        }
        Err(e) => {
            reservation.cancel();
            return Err(Refused::Failed(AuthError::Internal(e.to_string())));
        }
    };
    match outcome {
        Outcome::Passed => {}
        Outcome::NotEnrolled if !guard.auth.must_set_up(&user) || factor.may_set_up => {}
        Outcome::NotEnrolled => {
            reservation.cancel();
            return Err(Refused::Failed(AuthError::TwoFactorSetupRequired));
        }
        Outcome::Missing => {
            // Not a guess: the app asks for the code and sends it again.
            reservation.cancel();
            return Err(Refused::OtpRequired);
        }
        Outcome::Wrong => {
            reservation.failed();
            tracing::info!(%account, "second factor refused");
            return Err(Refused::OtpInvalid);
        }
    }
    // This attempt and the account's earlier failures from this address are
    // forgiven; the account-wide and address-wide counts keep what strangers
    // did.
    reservation.succeeded(&[0]);
    tokio::task::spawn_blocking(move || then(&user))
        .await
        .map_err(|e| Refused::Failed(AuthError::Internal(e.to_string())))?
        .map_err(Refused::from)
}

/// The password check itself: `Ok(Ok((user, reservation)))` when right (the
/// reservation still to settle), `Ok(Err(reservation))` when wrong, `Err`
/// when no check could be made (the reservation given back).
async fn verify(
    guard: &Guard,
    reservation: Reservation,
    email: String,
    password: String,
) -> Result<Result<(StaffUser, Reservation), Reservation>, Refused> {
    let permit = match guard.hash_pool.try_permit() {
        Ok(p) => p,
        Err(e) => {
            reservation.cancel();
            return Err(e.into());
        }
    };
    let auth = guard.auth.clone();
    let found = match tokio::task::spawn_blocking(move || auth.login_candidate(&email)).await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => {
            reservation.cancel();
            return Err(e.into());
        }
        Err(e) => {
            reservation.cancel();
            return Err(Refused::Failed(AuthError::Internal(e.to_string())));
        }
    };
    let (user, phc) = match found {
        Some((user, phc)) => (Some(user), phc),
        None => (None, DUMMY_HASH.to_string()),
    };
    let matched = match guard.hash_pool.verify(permit, password, phc).await {
        Ok(m) => m,
        Err(e) => {
            reservation.cancel();
            return Err(e.into());
        }
    };
    match user {
        Some(user) if matched && user.active => Ok(Ok((user, reservation))),
        _ => Ok(Err(reservation)),
    }
}
