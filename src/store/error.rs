//! Errors of the store, in terms its callers can act on.

use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the text says which, in the user's words.
    #[error("{0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    /// Input that only the database can judge (a taken email, a missing
    /// package): one message per field, answered as 422.
    #[error("{}", .0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<(&'static str, String)>),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migration: {0}")]
    Migration(String),
    #[error("integrity check failed: {0}")]
    Integrity(String),
    /// A file the store will not take (a restore of something unsuitable);
    /// the text says why.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("background task failed: {0}")]
    Task(String),
}

impl StoreError {
    /// One field's message.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![(field, message.into())])
    }

    /// True when SQLite refused a row because of a UNIQUE constraint.
    pub fn is_unique_violation(err: &rusqlite::Error) -> bool {
        matches!(
            err,
            rusqlite::Error::SqliteFailure(e, _)
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(msg) => ApiError::conflict(msg),
            StoreError::NotFound => ApiError::not_found(),
            // A last line of defence: a row still referenced elsewhere.
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
            {
                ApiError::conflict("This is still referenced by other records.")
            }
            StoreError::Invalid(fields) => {
                let mut errors = crate::error::FieldErrors::new();
                for (field, message) in fields {
                    errors.add(field, message);
                }
                ApiError::validation(errors)
            }
            other => ApiError::internal(other),
        }
    }
}
