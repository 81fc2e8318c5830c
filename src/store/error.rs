//! Errors of the store, in terms its callers can act on.

use super::sql::Error;

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
    Sql(#[from] super::sql::Error),
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
    /// The database could not take the work now (the writer's queue is full,
    /// the work waited too long, or another process holds the write lock):
    /// answered as 503 with `Retry-After`, nothing written.
    #[error("{0}")]
    Busy(String),
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

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e.into())
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError::Sql(e.into())
    }
}

/// PostgreSQL's SQLSTATE of an error, if the server answered one.
fn pg_state(e: &StoreError) -> Option<&postgres::error::SqlState> {
    match e {
        StoreError::Sql(Error::Postgres(e)) => e.code(),
        _ => None,
    }
}

impl StoreError {
    /// SQLite stopped the statement because its progress handler asked it to
    /// (see `Db::read_short`).
    pub(crate) fn is_interrupted(&self) -> bool {
        matches!(self, StoreError::Sql(Error::Sqlite(rusqlite::Error::SqliteFailure(f, _)))
            if f.code == rusqlite::ErrorCode::OperationInterrupted)
    }

    /// True when the database was busy rather than broken: SQLite's
    /// `SQLITE_BUSY`/`SQLITE_LOCKED`, a pool that had no connection in time,
    /// the writer's own refusal, or a PostgreSQL server that is gone,
    /// starting, shutting down or refusing connections (a failover), or that
    /// chose this transaction to end a deadlock.
    pub fn is_busy(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            StoreError::Busy(_) | StoreError::Pool(_) => true,
            StoreError::Sql(Error::Sqlite(rusqlite::Error::SqliteFailure(e, _))) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            StoreError::Sql(Error::Postgres(e)) if e.is_closed() => true,
            // The server went away mid-statement (a failover, a restart):
            // the connection is dropped and the next request reconnects.
            StoreError::Sql(Error::Postgres(e))
                if std::error::Error::source(e).is_some_and(|c| c.is::<std::io::Error>()) =>
            {
                true
            }
            _ => pg_state(self).is_some_and(|s| {
                [
                    SqlState::T_R_SERIALIZATION_FAILURE,
                    SqlState::T_R_DEADLOCK_DETECTED,
                    SqlState::ADMIN_SHUTDOWN,
                    SqlState::CRASH_SHUTDOWN,
                    SqlState::CANNOT_CONNECT_NOW,
                    SqlState::TOO_MANY_CONNECTIONS,
                    SqlState::READ_ONLY_SQL_TRANSACTION,
                ]
                .contains(s)
                    || s.code().starts_with("08")
            }),
        }
    }

    /// The same error told again, for each of several callers that share it
    /// (one group's failed commit): busy stays busy, the rest keep their text.
    pub fn retold(&self) -> StoreError {
        if self.is_busy() {
            StoreError::Busy(super::writer::BUSY.into())
        } else {
            StoreError::Task(self.to_string())
        }
    }

    /// One field's message.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![(field, message.into())])
    }

    /// True when a row could not go because others still point at it (a
    /// foreign key): the last line of defence behind the rules of the ops.
    pub fn still_referenced(&self) -> bool {
        matches!(
            self,
            StoreError::Sql(Error::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
        ) || pg_state(self) == Some(&postgres::error::SqlState::FOREIGN_KEY_VIOLATION)
    }

    /// True when the database refused a row because of a UNIQUE constraint.
    pub fn is_unique_violation(err: &Error) -> bool {
        match err {
            Error::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            Error::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }
}
