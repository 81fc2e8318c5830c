//! What an operation answers when it does not do what was asked, in terms the
//! adapters map to their own answers (the API to its error envelope).

use crate::store::StoreError;

/// Why an operation refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input the rules refuse: one message per field (API: 422).
    #[error("{}", .0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<(String, String)>),
    /// No such thing, or not one the caller may see (API: 404).
    #[error("not found")]
    NotFound,
    /// The current state does not allow it; the text says why (API: 409).
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this; the text says why (API: 403).
    #[error("{0}")]
    Forbidden(String),
    /// A device or service it needs did not answer; the text says which (API: 503).
    #[error("{0}")]
    Unavailable(String),
    /// The database is busy: nothing was done, the caller may try again in a
    /// moment (API: 503 with `Retry-After`).
    #[error("{0}")]
    Busy(String),
    /// Credentials or a code that do not match (API: 401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many attempts: try again in `wait` seconds (API: 429).
    #[error("{message}")]
    TooMany { wait: u64, message: String },
    /// The store failed (API: 500, logged, never shown).
    #[error(transparent)]
    Store(StoreError),
    /// Something else failed that the caller cannot fix (API: 500).
    #[error("{0}")]
    Internal(String),
}

pub type OpResult<T> = Result<T, Error>;

/// The answer when a row cannot go because other records point at it.
pub const STILL_REFERENCED: &str = "This is still referenced by other records.";

impl Error {
    /// One field's message.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid(vec![(field.to_string(), message.into())])
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        if err.still_referenced() {
            return Error::Conflict(STILL_REFERENCED.to_string());
        }
        if err.is_busy() {
            tracing::warn!(error = %err, "database busy: answered 503");
            return Error::Busy(crate::store::BUSY.to_string());
        }
        match err {
            StoreError::Conflict(msg) => Error::Conflict(msg),
            StoreError::NotFound => Error::NotFound,
            StoreError::Invalid(fields) => Error::Invalid(
                fields
                    .into_iter()
                    .map(|(f, m)| (f.to_string(), m))
                    .collect(),
            ),
            other => Error::Store(other),
        }
    }
}
