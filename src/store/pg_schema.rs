//! PostgreSQL's schema: the files of `migrations/postgres/`, applied in
//! order at start (and by `ispbills migrate`) under an advisory lock, so that
//! of several nodes starting together one migrates and the others wait.
//!
//! PostgreSQL's history starts at version 23 (`0023_baseline.sql` creates
//! what SQLite has after its migrations 1-23); every later migration comes
//! in a pair, the same number and name in `migrations/` and
//! `migrations/postgres/`, so a version means the same schema on both.

use rust_embed::RustEmbed;

use super::{
    migrations::{embedded, Migration},
    sql::{Connection, PgConn},
    StoreError,
};

#[derive(RustEmbed)]
#[folder = "migrations/postgres/"]
struct PgMigrationFiles;

/// The first version PostgreSQL has a file for.
pub const BASELINE: i64 = 23;

/// The session-level advisory lock held while migrating.
const MIGRATE_LOCK: i64 = 0x6973_7062_6d69_6772;

/// PostgreSQL's migrations, in order.
pub fn all() -> Result<Vec<Migration>, StoreError> {
    embedded::<PgMigrationFiles>(BASELINE)
}

/// The schema version: the highest applied migration (0 on an empty
/// database).
pub fn current_version(conn: &Connection<'_>) -> Result<i64, StoreError> {
    let exists: bool = conn.query_row(
        "SELECT to_regclass('schema_migrations') IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?)
}

/// Applies every pending migration, each in its own transaction, holding the
/// migration lock throughout; returns the versions applied. Refuses a
/// database written by a newer ispbills.
pub fn migrate(conn: &PgConn) -> Result<Vec<i64>, StoreError> {
    let c = Connection::pg(conn);
    c.execute_batch(&format!("SELECT pg_advisory_lock({MIGRATE_LOCK})"))?;
    let done = apply_all(&c, &all()?);
    let unlocked = c.execute_batch(&format!("SELECT pg_advisory_unlock({MIGRATE_LOCK})"));
    let applied = done?;
    unlocked?;
    Ok(applied)
}

/// Applies every migration inside the caller's transaction (on an empty
/// database: `ispbills db copy` creates the schema and the rows in one
/// transaction), holding the migration lock until it ends.
pub fn create_in_transaction(c: &Connection<'_>) -> Result<Vec<i64>, StoreError> {
    c.execute_batch(&format!("SELECT pg_advisory_xact_lock({MIGRATE_LOCK})"))?;
    let mut applied = Vec::new();
    for m in all()?
        .iter()
        .filter(|m| m.version > current_version(c).unwrap_or(0))
    {
        c.execute_batch(&m.sql).map_err(|e| {
            StoreError::Migration(format!("{:04}_{} failed: {e}", m.version, m.name))
        })?;
        record(c, m)?;
        applied.push(m.version);
    }
    Ok(applied)
}

/// Records `m` as applied.
fn record(c: &Connection<'_>, m: &Migration) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, \
         to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
        rusqlite::params![m.version, m.name],
    )?;
    Ok(())
}

fn apply_all(c: &Connection<'_>, migrations: &[Migration]) -> Result<Vec<i64>, StoreError> {
    let latest = migrations.last().map_or(0, |m| m.version);
    let version = current_version(c)?;
    if version > latest {
        return Err(StoreError::Migration(format!(
            "the database is at schema version {version}, newer than this ispbills \
             knows ({latest}); install the newer version or restore a backup"
        )));
    }
    let mut applied = Vec::new();
    for m in migrations.iter().filter(|m| m.version > version) {
        c.execute_batch("BEGIN")?;
        let ran = c
            .execute_batch(&m.sql)
            .map_err(|e| StoreError::Migration(format!("{:04}_{} failed: {e}", m.version, m.name)))
            .and_then(|()| record(c, m));
        match ran {
            Ok(_) => c.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = c.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        tracing::info!(version = m.version, name = %m.name, "applied migration (PostgreSQL)");
        applied.push(m.version);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every SQLite migration after the baseline has its PostgreSQL twin:
    /// the same number and name.
    #[test]
    fn every_migration_after_the_baseline_exists_for_both_engines() {
        let sqlite = super::super::migrations::all().unwrap();
        let pg = all().unwrap();
        assert_eq!(pg.first().map(|m| m.version), Some(BASELINE));
        let later: Vec<(i64, &str)> = sqlite
            .iter()
            .filter(|m| m.version > BASELINE)
            .map(|m| (m.version, m.name.as_str()))
            .collect();
        let pg_later: Vec<(i64, &str)> = pg
            .iter()
            .filter(|m| m.version > BASELINE)
            .map(|m| (m.version, m.name.as_str()))
            .collect();
        assert_eq!(later, pg_later);
        assert_eq!(
            sqlite.last().map(|m| m.version),
            pg.last().map(|m| m.version)
        );
    }
}
