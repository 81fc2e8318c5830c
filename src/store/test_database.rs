//! Test support: the database a test runs on. With `ISPBILLS_TEST_DATABASE_URL`
//! set (a PostgreSQL server a test run may create databases on, e.g.
//! `postgres://postgres@127.0.0.1:55432/postgres`), every test gets a fresh,
//! empty PostgreSQL database of its own; without it, the embedded SQLite file
//! in the test's directory. `scripts/test` runs the suites both ways.

use std::path::Path;

use super::{sql::PgManager, Db, StoreError};

/// The variable that names the PostgreSQL server tests run on.
pub const TEST_DATABASE_URL: &str = "ISPBILLS_TEST_DATABASE_URL";

/// The `[database] url` a test should use: a new database on the server of
/// [`TEST_DATABASE_URL`], or empty (SQLite) when it is not set.
pub fn fresh_url() -> Result<String, StoreError> {
    let base = match std::env::var(TEST_DATABASE_URL) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => return Ok(String::new()),
    };
    let name = format!("ispbills_test_{}", uuid::Uuid::new_v4().simple());
    let admin = PgManager::new(&base)?.connect()?;
    super::sql::Connection::pg(&admin).execute_batch(&format!("CREATE DATABASE {name}"))?;
    Ok(with_database(&base, &name))
}

/// The file in a data directory that remembers its test database's URL.
const URL_FILE: &str = "test-database-url";

/// The `[database] url` of the test whose data directory is `dir`: empty
/// (SQLite) without [`TEST_DATABASE_URL`]; else the database made for `dir`
/// the first time it is asked for (remembered in the directory), so that a
/// test that reopens its data directory, or runs the command line on it,
/// finds the same database.
pub fn url_for(dir: &Path) -> Result<String, StoreError> {
    let file = dir.join(URL_FILE);
    if let Ok(url) = std::fs::read_to_string(&file) {
        return Ok(url);
    }
    let url = fresh_url()?;
    if !url.is_empty() {
        std::fs::create_dir_all(dir)?;
        std::fs::write(&file, &url)?;
    }
    Ok(url)
}

/// Opens the test's database: see [`url_for`].
pub fn open(dir: &Path, pool_size: u32) -> Result<Db, StoreError> {
    Db::open_configured(dir, &url_for(dir)?, pool_size)
}

/// `url` with its database name replaced by `name` (its options kept).
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = head.find("://").map_or(0, |i| i + 3);
    let host_part = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    format!("{host_part}/{name}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_the_options_kept() {
        assert_eq!(
            with_database("postgres://u:p@h:5/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:5", "t1"), "postgres://h:5/t1");
        assert_eq!(
            with_database("postgresql://h/db", "t2"),
            "postgresql://h/t2"
        );
    }
}
