//! The database handle: an r2d2 pool of SQLite connections, each set up with the
//! same pragmas, and helpers that run blocking work off the async runtime.

use std::{path::Path, time::Duration};

use r2d2::{CustomizeConnection, Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{migrations, StoreError};

/// The database file inside the data directory.
pub const DB_FILE_NAME: &str = "ispbills.db";

/// Pragmas every connection gets. `synchronous=FULL`: an acknowledged write
/// survives a power cut, which is common where this runs.
const CONNECTION_PRAGMAS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = FULL;
     PRAGMA foreign_keys = ON;
     PRAGMA busy_timeout = 5000;";

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<Connection, rusqlite::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut Connection) -> Result<(), rusqlite::Error> {
        conn.execute_batch(CONNECTION_PRAGMAS)
    }
}

/// Sets the project's pragmas on a connection opened outside the pool.
pub(crate) fn apply_pragmas(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute_batch(CONNECTION_PRAGMAS)
}

/// A cloneable handle on the database.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool<SqliteConnectionManager>,
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
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(Pragmas))
            .build(manager)?;
        let db = Self { pool };
        migrations::apply(&mut *db.conn()?)?;
        Ok(db)
    }

    /// A connection from the pool (blocking).
    pub fn conn(&self) -> Result<PooledConnection<SqliteConnectionManager>, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`), committing on `Ok`.
    /// Blocking: call from a blocking thread, or use [`Db::write_async`].
    pub fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` with a connection for reading (blocking).
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.conn()?;
        f(&conn)
    }

    /// [`Db::write`] on a blocking thread, for async callers.
    pub async fn write_async<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.write(f))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// [`Db::read`] on a blocking thread, for async callers.
    pub async fn read_async<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read(f))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }
}
