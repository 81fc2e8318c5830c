//! One interface over the two database engines: the embedded SQLite file and
//! PostgreSQL. The store's files write their SQL once, in the subset both
//! engines understand, with SQLite's `?1` placeholders (rewritten to `$1` for
//! PostgreSQL), and run it through [`Connection`] and [`Transaction`]; rows
//! come back as [`Row`], whose columns read into any type that reads from a
//! SQLite value (`rusqlite::types::FromSql`), on either engine. Arguments are
//! anything that is `rusqlite::ToSql`: on PostgreSQL each is converted to the
//! type the server inferred for its placeholder.
//!
//! Where the engines differ (full-text search, date arithmetic, pragmas) a
//! store file asks [`Connection::engine`] and writes each engine's form.

mod args;
mod dialect;
mod pg;
mod pg_tls;
mod pg_types;
mod placeholders;
mod row;

use std::fmt;

pub use args::Params;
pub use pg::{PgConn, PgManager};
pub use placeholders::numbered as numbered_placeholders;
pub use row::Row;

/// Which database engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine's name as `/health` and the logs show it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgresql",
        }
    }
}

/// What went wrong running a statement, on either engine.
#[derive(Debug)]
pub enum Error {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// A statement meant to find a row found none.
    NoRows,
    /// A column or argument that does not convert; the text says which.
    Conversion(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sqlite(e) => e.fmt(f),
            Error::Postgres(e) => match e.as_db_error() {
                Some(db) => write!(f, "{}: {}", db.code().code(), db.message()),
                // The client's own errors say what failed ("error performing
                // TLS handshake"), their cause why (a certificate, a refused
                // connection): both.
                None => match std::error::Error::source(e) {
                    Some(cause) => write!(f, "{e}: {cause}"),
                    None => e.fmt(f),
                },
            },
            Error::NoRows => f.write_str("query returned no rows"),
            Error::Conversion(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NoRows,
            e => Error::Sqlite(e),
        }
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

/// A statement's result on either engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `.optional()` on a one-row result: no row is `None`, as in rusqlite.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A connection to either engine: a SQLite connection of the pool (or the
/// writer's), or a PostgreSQL one. Cheap to copy; the store's functions take
/// it by reference.
#[derive(Clone, Copy)]
pub struct Connection<'a> {
    inner: Inner<'a>,
}

#[derive(Clone, Copy)]
enum Inner<'a> {
    Sqlite(&'a rusqlite::Connection),
    Pg(&'a PgConn),
}

impl fmt::Debug for Connection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Connection({})", self.engine().name())
    }
}

impl<'a> Connection<'a> {
    /// A SQLite connection seen through the common interface.
    pub fn sqlite(conn: &'a rusqlite::Connection) -> Self {
        Self {
            inner: Inner::Sqlite(conn),
        }
    }

    /// A PostgreSQL connection seen through the common interface.
    pub fn pg(conn: &'a PgConn) -> Self {
        Self {
            inner: Inner::Pg(conn),
        }
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Pg(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection underneath, for what only SQLite has (pragmas,
    /// the online backup, the FTS5 index's upkeep); `None` on PostgreSQL.
    pub fn as_sqlite(&self) -> Option<&'a rusqlite::Connection> {
        match self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Pg(_) => None,
        }
    }

    /// The PostgreSQL connection underneath; `None` on SQLite.
    pub fn as_pg(&self) -> Option<&'a PgConn> {
        match self.inner {
            Inner::Sqlite(_) => None,
            Inner::Pg(c) => Some(c),
        }
    }

    /// Runs statements without arguments, one after another.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Pg(c) => c.batch(sql),
        }
    }

    /// Statements without arguments whose answer nobody waits for (a
    /// savepoint's end, the next one's start): on PostgreSQL they go with the
    /// next statement, in its round trip, and a failure is that statement's;
    /// on SQLite they run now.
    pub fn defer_batch(&self, sql: &str) -> Result<()> {
        match self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Pg(c) => {
                c.defer(sql);
                Ok(())
            }
        }
    }

    /// Whether statements [`Connection::defer_batch`] queued failed when they
    /// went out with a later statement (that statement failed for it).
    pub fn deferred_failed(&self) -> bool {
        match self.inner {
            Inner::Sqlite(_) => false,
            Inner::Pg(c) => c.deferred_failed(),
        }
    }

    /// Drops what [`Connection::defer_batch`] left unsent (before a rollback).
    pub fn forget_deferred(&self) {
        if let Inner::Pg(c) = self.inner {
            c.forget_deferred();
        }
    }

    /// Runs one statement and answers how many rows it changed (parsed anew
    /// on SQLite; see [`Connection::exec`] for the cached form).
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        match self.inner {
            Inner::Sqlite(c) => params.with(|a| Ok(c.execute(sql, a)?)),
            Inner::Pg(c) => params.with(|a| c.execute(sql, a)),
        }
    }

    /// `execute` with the statement prepared once per connection and kept: a
    /// write repeated per request is parsed once, not once per call.
    pub fn exec<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// The one row `sql` selects, read by `f`; [`Error::NoRows`] when none.
    pub fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// A statement, parsed now.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'a>> {
        Ok(Statement {
            inner: match self.inner {
                Inner::Sqlite(c) => StmtInner::Sqlite(c.prepare(sql)?),
                Inner::Pg(c) => StmtInner::Pg(c, sql.to_string()),
            },
        })
    }

    /// A statement from the connection's cache (parsed on first use).
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'a>> {
        Ok(Statement {
            inner: match self.inner {
                Inner::Sqlite(c) => StmtInner::SqliteCached(c.prepare_cached(sql)?),
                Inner::Pg(c) => StmtInner::Pg(c, sql.to_string()),
            },
        })
    }
}

/// A write transaction: the connection it runs on, opened and committed by
/// the store's writer. Dereferences to [`Connection`].
#[derive(Debug)]
pub struct Transaction<'a> {
    conn: Connection<'a>,
}

impl<'a> Transaction<'a> {
    /// The connection of a transaction the caller has begun.
    pub fn on(conn: Connection<'a>) -> Self {
        Self { conn }
    }

    /// Runs a statement whose answer the write does not read (an event
    /// appended, a row whose id nobody needs). On SQLite it runs now; on
    /// PostgreSQL it goes out with the write's next statement, or at the
    /// write's end, in one round trip with them: an error comes back from
    /// that statement or from the write's end, and fails the write as any
    /// error does.
    pub fn exec_later<P: Params>(&self, sql: &str, params: P) -> Result<()> {
        match self.conn.inner {
            Inner::Sqlite(_) => self.conn.exec(sql, params).map(|_| ()),
            Inner::Pg(c) => params.with(|a| c.execute_later(sql, a)),
        }
    }

    /// Sends what [`Transaction::exec_later`] queued (the writer, at the
    /// end of each write).
    pub(crate) fn flush_later(&self) -> Result<()> {
        match self.conn.inner {
            Inner::Sqlite(_) => Ok(()),
            Inner::Pg(c) => c.flush_later(),
        }
    }

    /// Drops what [`Transaction::exec_later`] queued (the write failed).
    pub(crate) fn forget_later(&self) {
        if let Inner::Pg(c) = self.conn.inner {
            c.forget_later();
        }
    }
}

impl<'a> std::ops::Deref for Transaction<'a> {
    type Target = Connection<'a>;
    fn deref(&self) -> &Connection<'a> {
        &self.conn
    }
}

/// A prepared statement of either engine.
pub struct Statement<'c> {
    inner: StmtInner<'c>,
}

enum StmtInner<'c> {
    Sqlite(rusqlite::Statement<'c>),
    SqliteCached(rusqlite::CachedStatement<'c>),
    /// PostgreSQL's is prepared when it first runs, with the parameter
    /// types its arguments need (from the connection's cache after that).
    Pg(&'c PgConn, String),
}

impl<'c> Statement<'c> {
    /// Runs the statement; how many rows it changed.
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        match &mut self.inner {
            StmtInner::Sqlite(s) => params.with(|a| Ok(s.execute(a)?)),
            StmtInner::SqliteCached(s) => params.with(|a| Ok(s.execute(a)?)),
            StmtInner::Pg(c, sql) => params.with(|a| c.execute(sql, a)),
        }
    }

    /// The first row, read by `f`; [`Error::NoRows`] when none.
    pub fn query_row<T, P, F>(&mut self, params: P, f: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(r) => f(&r),
            None => Err(Error::NoRows),
        }
    }

    /// Whether the statement finds a row.
    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        Ok(self.query(params)?.next()?.is_some())
    }

    /// The rows, to step through with [`Rows::next`].
    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        match &mut self.inner {
            StmtInner::Sqlite(s) => params.with(|a| Ok(Rows::Sqlite(s.query(a)?))),
            StmtInner::SqliteCached(s) => params.with(|a| Ok(Rows::Sqlite(s.query(a)?))),
            StmtInner::Pg(c, sql) => params.with(|a| {
                Ok(Rows::Pg {
                    rows: c.query(sql, a)?,
                    at: 0,
                })
            }),
        }
    }

    /// Each row read by `f`, as an iterator of results.
    pub fn query_map<T, P, F>(&mut self, params: P, f: F) -> Result<MappedRows<'_, F>>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        Ok(MappedRows {
            rows: self.query(params)?,
            f,
        })
    }
}

/// The rows of a query, stepped through one at a time.
pub enum Rows<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Pg { rows: Vec<postgres::Row>, at: usize },
}

impl Rows<'_> {
    /// The next row, or `None` after the last (named as rusqlite names it;
    /// a row borrows the rows, so this cannot be an `Iterator`).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Rows::Sqlite(r) => Ok(r.next()?.map(Row::Sqlite)),
            Rows::Pg { rows, at } => {
                let row = rows.get(*at).map(Row::Pg);
                *at += 1;
                Ok(row)
            }
        }
    }
}

/// [`Statement::query_map`]'s iterator.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> Result<T>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match self.rows.next() {
            Ok(Some(r)) => Some((self.f)(&r)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
