//! Nightly backups kept in rotation, restoring one, and the lock that keeps
//! one `serve` per data directory (so a restore never swaps the database
//! under a running server).

use std::{
    fs::{File, OpenOptions, TryLockError},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use rusqlite::{backup::Backup, Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    db::DB_FILE_NAME,
    maintenance::{backup, check_connection},
    migrations, StoreError,
};

/// The `[backup]` section: nightly backups (`ispbills backup`, run by the ispbills-backup timer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// How many backups `<data_dir>/backups` keeps (the oldest go first).
    pub keep: usize,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self { keep: 14 }
    }
}

impl BackupConfig {
    /// At least one backup is kept.
    pub fn check(&self) -> Result<(), String> {
        if self.keep == 0 {
            return Err("key `backup.keep`: must be at least 1".into());
        }
        Ok(())
    }
}

/// The file `serve` holds locked while it runs.
pub const LOCK_FILE_NAME: &str = "ispbills.lock";
/// Where rotated backups go, under the data directory.
pub const BACKUP_DIR_NAME: &str = "backups";

const PREFIX: &str = "ispbills-";
const SUFFIX: &str = ".db";

fn busy(dir: &Path) -> StoreError {
    StoreError::Io(std::io::Error::new(
        std::io::ErrorKind::WouldBlock,
        format!(
            "another ispbills is serving {}; stop it first (systemctl stop ispbills)",
            dir.display()
        ),
    ))
}

/// Locks `dir` for this process (released when the file is dropped or the
/// process ends, however it ends).
pub fn lock_data_dir(dir: &Path) -> Result<File, StoreError> {
    super::private::dir(dir)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(dir.join(LOCK_FILE_NAME))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(busy(dir)),
        Err(TryLockError::Error(e)) => Err(e.into()),
    }
}

/// What a rotated backup did.
#[derive(Debug)]
pub struct Rotated {
    pub written: PathBuf,
    pub removed: Vec<PathBuf>,
}

/// Writes `<data_dir>/backups/ispbills-<UTC time to the ms>.db` (online, safe while
/// `serve` runs), then removes the oldest so that `keep` remain.
pub fn backup_rotated(
    data_dir: &Path,
    keep: usize,
    now: OffsetDateTime,
) -> Result<Rotated, StoreError> {
    let dir = data_dir.join(BACKUP_DIR_NAME);
    super::private::dir(&dir)?;
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    );
    let out = dir.join(format!("{PREFIX}{stamp}{SUFFIX}"));
    if out.exists() {
        return Err(StoreError::Conflict(format!(
            "{} exists already",
            out.display()
        )));
    }
    backup(&data_dir.join(DB_FILE_NAME), &out)?;
    let mut all = rotated_backups(&dir)?;
    let mut removed = Vec::new();
    while all.len() > keep.max(1) {
        let oldest = all.remove(0);
        std::fs::remove_file(&oldest)?;
        removed.push(oldest);
    }
    Ok(Rotated {
        written: out,
        removed,
    })
}

/// The rotated backups in `dir`, oldest first (their names sort by time).
pub fn rotated_backups(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// The schema version of the restored copy (newer migrations run at the next start).
    pub version: i64,
    /// The database it replaced, kept under this name.
    pub previous: Option<PathBuf>,
}

/// Checks that `from` is a healthy ispbills database this version can run.
fn check_backup(from: &Path) -> Result<i64, StoreError> {
    if !from.is_file() {
        return Err(StoreError::Refused(format!(
            "{} is not a file",
            from.display()
        )));
    }
    let conn = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let ours: Result<i64, _> = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |r| r.get(0),
    );
    if !matches!(ours, Ok(1)) {
        return Err(StoreError::Refused(format!(
            "{} is not an ispbills database",
            from.display()
        )));
    }
    let version = migrations::current_version(&super::sql::Connection::sqlite(&conn))?;
    let latest = migrations::all()?.last().map_or(0, |m| m.version);
    if version > latest {
        return Err(StoreError::Refused(format!(
            "{} is at schema version {version}, made by a newer ispbills (this one knows {latest})",
            from.display()
        )));
    }
    let problems = check_connection(&conn)?;
    if !problems.is_empty() {
        return Err(StoreError::Refused(format!(
            "{} is damaged: {}",
            from.display(),
            problems.join("; ")
        )));
    }
    Ok(version)
}

/// Replaces the database in `data_dir` with the backup `from`, after checking
/// it (integrity, foreign keys, schema version) and only while no `serve`
/// holds the directory. The current database stays beside it as
/// `ispbills.db.before-restore-<time>` (with its WAL). Every step leaves a
/// whole database in place: the copy is checked and synced before it is
/// renamed over the old one.
pub fn restore(data_dir: &Path, from: &Path, now: OffsetDateTime) -> Result<Restored, StoreError> {
    let version = check_backup(from)?;
    let _lock = lock_data_dir(data_dir)?;
    let db_path = data_dir.join(DB_FILE_NAME);
    let tmp = data_dir.join(format!("{DB_FILE_NAME}.restore-partial"));
    let _ = std::fs::remove_file(&tmp);
    super::private::file(&tmp)?;
    {
        let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut dst = Connection::open(&tmp)?;
        Backup::new(&src, &mut dst)?.run_to_completion(1024, std::time::Duration::ZERO, None)?;
        dst.pragma_update(None, "journal_mode", "DELETE")?;
        let problems = check_connection(&dst)?;
        if !problems.is_empty() {
            drop(dst);
            let _ = std::fs::remove_file(&tmp);
            return Err(StoreError::Integrity(problems.join("; ")));
        }
    }
    File::open(&tmp)?.sync_all()?;
    let previous = if db_path.exists() {
        // Fold the WAL into the old database first (nothing else has it open),
        // so the file set aside is whole by itself. A damaged database may
        // refuse; its WAL then moves along with it.
        if let Ok(old) = Connection::open(&db_path) {
            let _ = old.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        let aside = data_dir.join(format!(
            "{DB_FILE_NAME}.before-restore-{}",
            now.unix_timestamp()
        ));
        // A second name for the old file first, so a crash at any point leaves
        // either the old or the new database under the real name.
        std::fs::hard_link(&db_path, &aside)?;
        for ext in ["-wal", "-journal"] {
            let side = PathBuf::from(format!("{}{ext}", db_path.display()));
            if side.exists() {
                std::fs::rename(&side, format!("{}{ext}", aside.display()))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    let _ = std::fs::remove_file(format!("{}-shm", db_path.display()));
    std::fs::rename(&tmp, &db_path)?;
    File::open(data_dir)?.sync_all()?;
    Ok(Restored { version, previous })
}
