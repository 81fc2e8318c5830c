//! Schema migrations: numbered SQL files in `migrations/` (`NNNN_name.sql`),
//! compiled into the binary and applied in order, each in its own transaction.
//! The schema version is SQLite's `user_version`; `schema_migrations` records
//! when each one was applied.

use rusqlite::{Connection, TransactionBehavior};
use rust_embed::RustEmbed;

use super::{rows, sql, StoreError};

#[derive(RustEmbed)]
#[folder = "migrations/"]
struct MigrationFiles;

/// One migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub version: i64,
    pub name: String,
    pub sql: String,
}

/// All migrations in the binary, in order. File names must be `NNNN_name.sql`,
/// numbered from 1 without gaps.
pub fn all() -> Result<Vec<Migration>, StoreError> {
    embedded::<MigrationFiles>(1)
}

/// The migrations of one folder compiled into the binary (its files, not its
/// subfolders), numbered from `first` without gaps.
pub(super) fn embedded<E: RustEmbed>(first: i64) -> Result<Vec<Migration>, StoreError> {
    let mut out = Vec::new();
    for file in E::iter().filter(|f| f.ends_with(".sql") && !f.contains('/')) {
        let stem = file.trim_end_matches(".sql");
        let (num, name) = stem
            .split_once('_')
            .ok_or_else(|| StoreError::Migration(format!("bad migration file name {file}")))?;
        let version: i64 = num
            .parse()
            .map_err(|_| StoreError::Migration(format!("bad migration number in {file}")))?;
        let content = E::get(&file)
            .ok_or_else(|| StoreError::Migration(format!("missing migration {file}")))?;
        let sql = String::from_utf8(content.data.into_owned())
            .map_err(|_| StoreError::Migration(format!("{file} is not UTF-8")))?;
        out.push(Migration {
            version,
            name: name.to_string(),
            sql,
        });
    }
    out.sort_by_key(|m| m.version);
    for (i, m) in out.iter().enumerate() {
        if m.version != i as i64 + first {
            return Err(StoreError::Migration(format!(
                "migrations must be numbered {first}, {}, {}...; found {} at position {}",
                first + 1,
                first + 2,
                m.version,
                i + 1
            )));
        }
    }
    Ok(out)
}

/// The schema version of the open database.
pub fn current_version(conn: &sql::Connection<'_>) -> Result<i64, StoreError> {
    match conn.as_sqlite() {
        Some(c) => sqlite_version(c),
        None => super::pg_schema::current_version(conn),
    }
}

/// SQLite's schema version: its `user_version`.
fn sqlite_version(conn: &Connection) -> Result<i64, StoreError> {
    rows::value(&sql::Connection::sqlite(conn), "PRAGMA user_version", [])
}

/// Applies every pending migration; returns the versions applied. Refuses a
/// database written by a newer ispbills.
pub fn apply(conn: &mut Connection) -> Result<Vec<i64>, StoreError> {
    apply_migrations(conn, &all()?)
}

/// Applies the pending ones of `migrations` (ordered, numbered from 1), each in
/// its own transaction: a failing migration leaves no trace and stops the run.
pub fn apply_migrations(
    conn: &mut Connection,
    migrations: &[Migration],
) -> Result<Vec<i64>, StoreError> {
    let latest = migrations.last().map_or(0, |m| m.version);
    let mut applied = Vec::new();
    for m in migrations {
        // A migration that rebuilds a table others point at runs with foreign
        // keys off (SQLite's procedure for schema changes ALTER TABLE cannot
        // make): dropping the old table must not cascade. They are checked
        // before it commits, and turned on again whatever happened.
        let fk_off = m.sql.starts_with(FOREIGN_KEYS_OFF);
        if fk_off {
            conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        }
        let done = apply_one(conn, m, latest, fk_off);
        if fk_off {
            conn.execute_batch("PRAGMA foreign_keys = ON")?;
        }
        if done? {
            applied.push(m.version);
        }
    }
    Ok(applied)
}

/// The first line of a migration that must run with foreign keys off.
const FOREIGN_KEYS_OFF: &str = "-- ispbills: foreign_keys off";

/// Applies `m` unless the database has it already (then `Ok(false)`).
fn apply_one(
    conn: &mut Connection,
    m: &Migration,
    latest: i64,
    check_foreign_keys: bool,
) -> Result<bool, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read the version inside the write lock, so two processes starting at
    // once cannot both apply the same migration.
    let version = sqlite_version(&tx)?;
    if version > latest {
        return Err(StoreError::Migration(format!(
            "the database is at schema version {version}, newer than this ispbills \
             knows ({latest}); install the newer version or restore a backup"
        )));
    }
    if m.version <= version {
        return Ok(false);
    }
    tx.execute_batch(&m.sql)
        .map_err(|e| StoreError::Migration(format!("{:04}_{} failed: {e}", m.version, m.name)))?;
    if check_foreign_keys {
        let broken: i64 =
            tx.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if broken > 0 {
            return Err(StoreError::Migration(format!(
                "{:04}_{} failed: it leaves {broken} broken foreign key(s)",
                m.version, m.name
            )));
        }
    }
    tx.prepare_cached(
        "INSERT INTO schema_migrations (version, name, applied_at)
         VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
    )?
    .execute(rusqlite::params![m.version, m.name])?;
    tx.pragma_update(None, "user_version", m.version)?;
    tx.commit()?;
    tracing::info!(version = m.version, name = %m.name, "applied migration");
    Ok(true)
}
