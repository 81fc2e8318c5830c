//! The database handle: an r2d2 pool of connections (SQLite's, each set up
//! with the same pragmas, or PostgreSQL's), the single writer, and helpers
//! that run blocking work off the async runtime.

use std::{path::Path, sync::Arc, time::Duration};

use r2d2::{CustomizeConnection, Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;

use super::{
    migrations, pg_schema,
    sql::{self, Engine, PgManager, Transaction},
    writer::{Writer, WriterStats},
    StoreError,
};

/// The database file inside the data directory.
pub const DB_FILE_NAME: &str = "ispbills.db";

/// How long a reader waits for a pooled connection before the request is
/// answered busy (503) rather than left hanging.
const POOL_WAIT: Duration = Duration::from_secs(3);

/// Pragmas every connection gets. `synchronous=FULL`: an acknowledged write
/// survives a power cut, which is common where this runs.
/// `temp_store=MEMORY`: the statement journal of each grouped write's
/// savepoint stays in memory instead of a temporary file written per page.
const CONNECTION_PRAGMAS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = FULL;
     PRAGMA foreign_keys = ON;
     PRAGMA busy_timeout = 5000;
     PRAGMA temp_store = MEMORY;";

/// SQLite virtual-machine steps a [`Db::read_short`] may take on the calling
/// thread (a by-id read takes about a hundred, a first page of 20 customers
/// about 2,000, of 100 about 4,000; 10,000 steps are 0.1-0.6 ms), and how
/// often the count is checked.
const SHORT_READ_STEPS: i32 = 10_000;
const SHORT_READ_CHECK_EVERY: i32 = 1_000;

/// Prepared statements each connection keeps (rusqlite's default is 16; the
/// writer alone runs more distinct statements than that per minute).
const STATEMENT_CACHE: usize = 256;

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<Connection, rusqlite::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut Connection) -> Result<(), rusqlite::Error> {
        apply_pragmas(conn)
    }
}

/// Sets the project's pragmas (and statement cache) on a connection.
pub(crate) fn apply_pragmas(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(CONNECTION_PRAGMAS)
}

/// The answer when a write's closure panicked (its answer was dropped unsent).
fn write_lost() -> StoreError {
    StoreError::Task("the write failed and was rolled back".into())
}

/// A cloneable handle on the database: a pool of connections for reading, and
/// the single writer (group commit, see [`super::writer`]) for writing.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pools,
    writer: Arc<Writer>,
}

/// The readers' pool of the engine in use.
#[derive(Clone, Debug)]
enum Pools {
    Sqlite(Pool<SqliteConnectionManager>),
    Pg(Pool<PgManager>),
}

impl Db {
    /// Opens (creating if needed) `<data_dir>/ispbills.db` and applies pending
    /// migrations before anything else can use it.
    pub fn open(data_dir: &Path, pool_size: u32) -> Result<Self, StoreError> {
        super::private::dir(data_dir)?;
        let path = data_dir.join(DB_FILE_NAME);
        // Created 0600 before SQLite opens it: its -wal and -shm take its mode.
        super::private::file(&path)?;
        for side in ["-wal", "-shm", "-journal"] {
            super::private::existing_file(Path::new(&format!("{}{side}", path.display())));
        }
        let manager = SqliteConnectionManager::file(&path);
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(POOL_WAIT)
            // A file connection does not go stale: no test query per checkout.
            .test_on_check_out(false)
            .connection_customizer(Box::new(Pragmas))
            .build(manager)?;
        migrations::apply(&mut *pool.get()?)?;
        let conn = Connection::open(&path)?;
        apply_pragmas(&conn)?;
        let checkpoint = Connection::open(&path)?;
        apply_pragmas(&checkpoint)?;
        let writer = Arc::new(Writer::start(conn, checkpoint)?);
        Ok(Self {
            pool: Pools::Sqlite(pool),
            writer,
        })
    }

    /// Opens the database the configuration names: PostgreSQL when `url` is
    /// set (`postgres://...`), the embedded SQLite file in `data_dir` when it
    /// is empty.
    pub fn open_configured(data_dir: &Path, url: &str, pool_size: u32) -> Result<Self, StoreError> {
        if url.trim().is_empty() {
            Self::open(data_dir, pool_size)
        } else {
            Self::open_pg(url.trim(), pool_size)
        }
    }

    /// Connects to the PostgreSQL database at `url` and applies pending
    /// migrations (under a lock: of several nodes starting at once, one
    /// migrates and the others wait for it).
    pub fn open_pg(url: &str, pool_size: u32) -> Result<Self, StoreError> {
        let manager = PgManager::new(url)?;
        pg_schema::migrate(&manager.connect()?)?;
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(POOL_WAIT)
            .build(manager.clone())?;
        let writer = Arc::new(Writer::start_pg(manager)?);
        Ok(Self {
            pool: Pools::Pg(pool),
            writer,
        })
    }

    /// Which engine this database runs on.
    pub fn engine(&self) -> Engine {
        match self.pool {
            Pools::Sqlite(_) => Engine::Sqlite,
            Pools::Pg(_) => Engine::Postgres,
        }
    }

    /// A SQLite connection from the pool (blocking), for what only SQLite
    /// has; refused on PostgreSQL.
    pub fn conn(&self) -> Result<PooledConnection<SqliteConnectionManager>, StoreError> {
        match &self.pool {
            Pools::Sqlite(p) => Ok(p.get()?),
            Pools::Pg(_) => Err(StoreError::Task(
                "this needs the embedded SQLite database".into(),
            )),
        }
    }

    /// Runs `f` in a write transaction and returns once it is durable: `Ok`
    /// keeps `f`'s changes, `Err` rolls them back. The single writer runs it,
    /// committed together with other callers' writes (group commit): `f` sees
    /// their changes made before it, and must not start another write.
    /// Blocking: call from a blocking thread, or use [`Db::write_async`].
    pub fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.writer.submit(f, move |out| {
            let _ = tx.send(out);
        })?;
        rx.recv().unwrap_or_else(|_| Err(write_lost()))
    }

    /// The writer's counters (writes, groups, busy refusals) for `/metrics`.
    pub fn writer_stats(&self) -> WriterStats {
        self.writer.stats.clone()
    }

    /// Runs `f` with a connection for reading (blocking).
    pub fn read<T>(
        &self,
        f: impl FnOnce(&sql::Connection<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.pool {
            Pools::Sqlite(p) => f(&sql::Connection::sqlite(&*p.get()?)),
            Pools::Pg(p) => f(&sql::Connection::pg(&*p.get()?)),
        }
    }

    /// [`Db::write`] on a blocking thread, for async callers.
    pub async fn write_async<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.writer.submit(f, move |out| {
            let _ = tx.send(out);
        })?;
        rx.await.unwrap_or_else(|_| Err(write_lost()))
    }

    /// A short read (one row by key, a ping, a first page) for async callers:
    /// run at once on the calling thread when a pooled connection is free,
    /// which saves the hand-off to a blocking thread (most of the cost of such
    /// a read); on a blocking thread like [`Db::read_async`] when none is.
    /// Bounded: a read that runs past [`SHORT_READ_STEPS`] SQLite steps (a
    /// page whose filter skips most rows, say) is interrupted and run again on
    /// a blocking thread, so the async runtime is never held up for more than
    /// a fraction of a millisecond.
    pub async fn read_short<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&sql::Connection<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        // PostgreSQL's client blocks: its reads always go to a blocking thread.
        let Pools::Sqlite(pool) = &self.pool else {
            return self.read_async(f).await;
        };
        let Some(conn) = pool.try_get() else {
            return self.read_async(f).await;
        };
        let mut checks = 0;
        conn.progress_handler(
            SHORT_READ_CHECK_EVERY,
            Some(move || {
                checks += 1;
                checks > SHORT_READ_STEPS / SHORT_READ_CHECK_EVERY
            }),
        )?;
        let first = f(&sql::Connection::sqlite(&conn));
        conn.progress_handler(0, None::<fn() -> bool>)?;
        drop(conn);
        match first {
            Err(e) if e.is_interrupted() => self.read_async(f).await,
            done => done,
        }
    }

    /// [`Db::read`] on a blocking thread, for async callers.
    pub async fn read_async<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&sql::Connection<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read(f))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use super::*;

    /// Runs `sql` (one integer) through `read_short`; the answer and how many
    /// times the read was started.
    async fn short(db: &Db, sql: &'static str) -> (i64, usize) {
        let starts = Arc::new(AtomicUsize::new(0));
        let counted = starts.clone();
        let n = db
            .read_short(move |c| {
                counted.fetch_add(1, Ordering::SeqCst);
                Ok(c.query_row(sql, [], |r| r.get(0))?)
            })
            .await
            .unwrap();
        (n, starts.load(Ordering::SeqCst))
    }

    /// The bundled SQLite is built as `.cargo/config.toml` asks: without
    /// the shared page cache of `SQLITE_ENABLE_MEMORY_MANAGEMENT` and its
    /// global lock, and without memory statistics (readers on several threads
    /// queued on both). A build that lost the flags (`LIBSQLITE3_FLAGS` set in
    /// the environment, cargo run from another directory) fails here.
    #[test]
    fn sqlite_is_built_without_its_global_locks() {
        let conn = Connection::open_in_memory().unwrap();
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_short_read_that_runs_long_moves_to_a_blocking_thread() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), 2).unwrap();
        assert_eq!(short(&db, "SELECT 7").await, (7, 1));
        let long = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n \
                    WHERE x < 200000) SELECT count(*) FROM n";
        assert_eq!(short(&db, long).await, (200_000, 2));
        // The connection went back to the pool without the step limit.
        let n: i64 = db
            .read(|c| Ok(c.query_row(long, [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 200_000);
    }
}
