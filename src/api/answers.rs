//! How the answers of the layers below become the one error envelope: an
//! operation's [`ops::Error`](crate::ops::Error), a [`StoreError`] and an
//! [`AuthError`]. These conversions serve every adapter (the API, the panel);
//! they live here, above the error type and the operations both, so that
//! neither imports the other.

use crate::{
    auth::service::AuthError,
    error::{ApiError, ErrorCode, FieldErrors},
    ops,
    store::StoreError,
};

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        ops::Error::from(err).into()
    }
}

impl From<ops::Error> for ApiError {
    fn from(err: ops::Error) -> Self {
        use ops::Error;
        match err {
            Error::Invalid(fields) => {
                let mut errors = FieldErrors::new();
                for (field, message) in fields {
                    errors.add(field, message);
                }
                ApiError::validation(errors)
            }
            Error::NotFound => ApiError::not_found(),
            Error::Conflict(msg) => ApiError::conflict(msg),
            Error::Forbidden(msg) => ApiError::new(ErrorCode::Forbidden, msg),
            Error::Unavailable(msg) => ApiError::new(ErrorCode::ServiceUnavailable, msg),
            Error::Busy(msg) => {
                ApiError::new(ErrorCode::ServiceUnavailable, msg).with_retry_after(1)
            }
            Error::Unauthenticated(msg) => ApiError::new(ErrorCode::Unauthenticated, msg),
            Error::TooMany { wait, message } => {
                ApiError::new(ErrorCode::RateLimited, message).with_retry_after(wait)
            }
            Error::Store(e) => ApiError::internal(e),
            Error::Internal(e) => ApiError::internal(e),
        }
    }
}

impl From<crate::auth::login_guard::Refused> for ApiError {
    fn from(r: crate::auth::login_guard::Refused) -> Self {
        use crate::auth::login_guard::Refused;
        match r {
            Refused::TooMany { wait, what } => ApiError::new(
                ErrorCode::RateLimited,
                format!("Too many {what}. Try again in {wait} seconds."),
            )
            .with_retry_after(wait),
            Refused::Busy(_) => ApiError::new(
                ErrorCode::ServiceUnavailable,
                "Too many sign-ins are being checked right now. Try again in a moment.",
            )
            .with_retry_after(1),
            Refused::Invalid => AuthError::InvalidCredentials.into(),
            Refused::OtpRequired => ApiError::new(
                ErrorCode::OtpRequired,
                "This account uses two-factor login: send the 6-digit code from its authenticator app (or a recovery code) in `otp`.",
            ),
            Refused::OtpInvalid => ApiError::new(
                ErrorCode::OtpInvalid,
                "That code is wrong, expired or was already used.",
            ),
            Refused::Failed(e) => e.into(),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => ApiError::new(
                ErrorCode::Unauthenticated,
                "These credentials do not match our records.",
            ),
            AuthError::InvalidToken(reason) => {
                tracing::debug!(%reason, "token refused");
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "The token is missing, invalid, expired or revoked.",
                )
            }
            AuthError::TwoFactorSetupRequired => ApiError::new(
                ErrorCode::TwoFactorSetupRequired,
                "Your role must log in with a second factor: set it up in the panel first.",
            ),
            AuthError::Store(e) => e.into(),
            AuthError::Internal(e) => ApiError::internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use poem::http::StatusCode;

    use super::*;

    #[test]
    fn a_busy_database_is_503_with_retry_after_never_500() {
        let locked = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        for busy in [
            StoreError::Busy(crate::store::BUSY.into()),
            StoreError::from(locked),
        ] {
            let e = ApiError::from(busy);
            assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(e.retry_after, Some(1));
        }
        let broken = ApiError::from(StoreError::Task("disk on fire".into()));
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
