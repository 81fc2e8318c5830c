//! Errors of the store, in terms its callers can act on.

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

/// What the database found wrong with an input, collected field by field so
/// that one answer names them all ([`StoreError::Invalid`]).
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<(&'static str, String)>);

impl Problems {
    /// Notes `message` against `field` when `wrong`.
    pub(crate) fn check(&mut self, wrong: bool, field: &'static str, message: &str) {
        if wrong {
            self.0.push((field, message.to_string()));
        }
    }

    /// `Ok` when nothing was noted.
    pub(crate) fn into_result(self) -> Result<(), StoreError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(self.0))
        }
    }
}

impl StoreError {
    /// One field's message.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![(field, message.into())])
    }

    /// True when a row could not go because others still point at it (a
    /// foreign key): the last line of defence behind the rules of the ops.
    pub fn still_referenced(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
        )
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
