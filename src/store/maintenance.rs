//! Whole-database maintenance: online backup and integrity checks.

use std::{
    fs::File,
    path::{Path, PathBuf},
    time::Duration,
};

use rusqlite::{backup::Backup, Connection, OpenFlags};

use super::{db::apply_pragmas, StoreError};

/// Copies the live database at `db_path` to `out` with SQLite's online backup API,
/// which is safe while `serve` is writing. The copy is written next to `out`,
/// checked, synced, and only then renamed into place.
pub fn backup(db_path: &Path, out: &Path) -> Result<(), StoreError> {
    if !db_path.is_file() {
        return Err(StoreError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no database at {}", db_path.display()),
        )));
    }
    let src = Connection::open_with_flags(db_path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    apply_pragmas(&src)?;
    let tmp = temp_path(out);
    let _ = std::fs::remove_file(&tmp);
    // 0600 from the start (a backup holds everything the database does).
    super::private::file(&tmp)?;
    {
        let mut dst = Connection::open(&tmp)?;
        {
            let backup = Backup::new(&src, &mut dst)?;
            // 256 pages at a time, yielding between steps so writers are not starved.
            backup.run_to_completion(256, Duration::from_millis(5), None)?;
        }
        // A backup is a single self-contained file: no WAL beside it.
        dst.pragma_update(None, "journal_mode", "DELETE")?;
        let problems = check_connection(&dst)?;
        if !problems.is_empty() {
            let _ = std::fs::remove_file(&tmp);
            return Err(StoreError::Integrity(problems.join("; ")));
        }
    }
    File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, out)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn temp_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// Runs `PRAGMA integrity_check` and `PRAGMA foreign_key_check` on the database
/// at `db_path`; returns every problem found (empty when healthy).
pub fn check(db_path: &Path) -> Result<Vec<String>, StoreError> {
    if !db_path.is_file() {
        return Err(StoreError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no database at {}", db_path.display()),
        )));
    }
    let conn = Connection::open_with_flags(db_path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    check_connection(&conn)
}

pub(crate) fn check_connection(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for row in rows {
        let row = row?;
        if row != "ok" {
            problems.push(format!("integrity: {row}"));
        }
    }
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| {
        Ok(format!(
            "foreign key: row {} of table {} points to a missing row in {}",
            r.get::<_, Option<i64>>(1)?
                .map_or_else(|| "?".to_string(), |v| v.to_string()),
            r.get::<_, String>(0)?,
            r.get::<_, String>(2)?
        ))
    })?;
    for row in rows {
        problems.push(row?);
    }
    Ok(problems)
}

/// A trivial query, to tell that the database answers.
pub fn ping(conn: &super::sql::Connection<'_>) -> Result<(), StoreError> {
    conn.prepare_cached("SELECT 1")?.query_row([], |_| Ok(()))?;
    Ok(())
}
