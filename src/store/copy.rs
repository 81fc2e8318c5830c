//! `ispbills db copy`: the whole database from one engine to the other.
//!
//! Up (SQLite -> PostgreSQL): into an empty PostgreSQL database, in one
//! transaction on it: the schema (every migration), then every table's rows
//! with `COPY`, the identity sequences moved past the copied ids, and a check
//! that each table has as many rows and each money column (`*_minor`) the
//! same sum on both sides, and that the customers' and operators' balances
//! are their ledgers' sums. Any difference rolls the whole copy back.
//!
//! Back (PostgreSQL -> SQLite): into a new SQLite file, from one snapshot of
//! the PostgreSQL database, with the same checks; the file is removed when
//! anything fails. It is a database like a backup, installed with
//! `ispbills restore --from FILE`.
//!
//! Tables the schema derives are not copied but rebuilt by the target's own
//! triggers as the customers arrive: the customers' counts, and SQLite's
//! FTS5 search index. Rows a migration seeds (the auth epoch) are replaced by
//! the source's.

use std::{collections::BTreeMap, path::Path};

use rusqlite::types::Value;

use super::{
    migrations, pg_schema,
    sql::{Connection, PgConn, PgManager},
    StoreError,
};

/// Tables derived from others by triggers, the target's own migrations'
/// bookkeeping, and the nodes' leases (held by processes, not data): not
/// copied.
fn derived(table: &str) -> bool {
    table == "schema_migrations"
        || table == "customer_counts"
        || table.starts_with("customers_search")
}

/// Rows per `COPY` chunk written at once.
const CHUNK_BYTES: usize = 256 * 1024;

/// What a copy moved and checked.
#[derive(Debug, Default)]
pub struct CopyReport {
    /// Each copied table and its rows, in the order copied.
    pub tables: Vec<(String, i64)>,
    /// Each money column (`table.column`) and its sum, equal on both sides.
    pub sums: Vec<(String, i64)>,
    /// The schema version of both databases.
    pub version: i64,
}

/// The copy failed its own check: nothing was kept.
fn mismatch(what: String) -> StoreError {
    StoreError::Refused(format!("copy check failed, nothing was kept: {what}"))
}

/// Copies the SQLite database at `source` (migrated to the latest schema;
/// the caller holds the data directory's lock) into the empty PostgreSQL
/// database at `url`.
pub fn sqlite_to_pg(source: &Path, url: &str) -> Result<CopyReport, StoreError> {
    let src = rusqlite::Connection::open_with_flags(
        source,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    src.execute_batch("BEGIN")?; // one snapshot throughout
    let src_sql = Connection::sqlite(&src);
    let version = migrations::current_version(&src_sql)?;
    let latest = migrations::all()?.last().map_or(0, |m| m.version);
    if version != latest {
        return Err(StoreError::Refused(format!(
            "the SQLite database is at schema version {version}, this ispbills at {latest}: \
             run `ispbills migrate` first"
        )));
    }
    let target = PgManager::new(url)?.connect()?;
    let pg = Connection::pg(&target);
    pg.execute_batch("BEGIN")?;
    let done = copy_up(&src, &target, version);
    match done {
        Ok(report) => {
            pg.execute_batch("COMMIT")?;
            Ok(report)
        }
        Err(e) => {
            let _ = pg.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn copy_up(
    src: &rusqlite::Connection,
    target: &PgConn,
    version: i64,
) -> Result<CopyReport, StoreError> {
    let pg = Connection::pg(target);
    let existing: Vec<String> = pg
        .prepare(
            "SELECT table_name FROM information_schema.tables \
             WHERE table_schema = current_schema() ORDER BY 1",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if !existing.is_empty() {
        return Err(StoreError::Refused(format!(
            "the PostgreSQL database is not empty ({} table(s): {}); copy into a new, empty database",
            existing.len(),
            existing.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    pg_schema::create_in_transaction(&pg)?;
    let pg_version = pg_schema::current_version(&pg)?;
    if pg_version != version {
        return Err(mismatch(format!(
            "PostgreSQL's schema is at version {pg_version}, SQLite's at {version}"
        )));
    }
    let src_sql = Connection::sqlite(src);
    let tables = tables_in_order(src)?;
    for t in &tables {
        let exists: bool = pg.query_row("SELECT to_regclass(?1) IS NOT NULL", [t], |r| r.get(0))?;
        if !exists {
            return Err(mismatch(format!("PostgreSQL's schema has no table {t}")));
        }
    }
    // Rows the migrations seeded, children first.
    for t in tables.iter().rev() {
        pg.execute_batch(&format!("DELETE FROM {t}"))?;
    }
    let mut report = CopyReport {
        version,
        ..CopyReport::default()
    };
    for t in &tables {
        let cols = columns(src, t)?;
        let list = cols.join(", ");
        let mut stmt = src.prepare(&format!("SELECT {list} FROM {t}"))?;
        let mut rows = stmt.query([])?;
        let mut n = 0i64;
        target.copy_in(&format!("COPY {t} ({list}) FROM STDIN"), |w| {
            let mut buf = String::with_capacity(CHUNK_BYTES + 4096);
            while let Some(row) = rows.next().map_err(std::io::Error::other)? {
                for i in 0..cols.len() {
                    if i > 0 {
                        buf.push('\t');
                    }
                    let v: Value = row.get(i).map_err(std::io::Error::other)?;
                    copy_text(&v, &mut buf);
                }
                buf.push('\n');
                n += 1;
                if buf.len() >= CHUNK_BYTES {
                    w.write_all(buf.as_bytes())?;
                    buf.clear();
                }
            }
            w.write_all(buf.as_bytes())
        })?;
        report.tables.push((t.clone(), n));
    }
    // Identity columns go on after the highest id copied.
    let identities: Vec<String> = pg
        .prepare(
            "SELECT table_name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for t in identities {
        pg.execute_batch(&format!(
            "SELECT setval(pg_get_serial_sequence('{t}', 'id'), m, true) \
             FROM (SELECT MAX(id) AS m FROM {t}) AS x WHERE m IS NOT NULL"
        ))?;
    }
    report.sums = verify(&src_sql, &pg, &tables, &report.tables)?;
    Ok(report)
}

/// Copies the PostgreSQL database at `url` into a new SQLite file `file`.
pub fn pg_to_sqlite(url: &str, file: &Path) -> Result<CopyReport, StoreError> {
    if file.exists() {
        return Err(StoreError::Refused(format!(
            "{} exists; give a new file",
            file.display()
        )));
    }
    let source = PgManager::new(url)?.connect()?;
    let pg = Connection::pg(&source);
    pg.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
    let done = (|| {
        let mut dst = rusqlite::Connection::open(file)?;
        migrations::apply(&mut dst)?;
        dst.execute_batch("PRAGMA foreign_keys = ON; BEGIN")?;
        let report = copy_down(&source, &dst)?;
        dst.execute_batch("COMMIT")?;
        Ok(report)
    })();
    let _ = pg.execute_batch("ROLLBACK");
    if done.is_err() {
        let _ = std::fs::remove_file(file);
        for side in ["-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{side}", file.display()));
        }
    }
    done
}

fn copy_down(source: &PgConn, dst: &rusqlite::Connection) -> Result<CopyReport, StoreError> {
    let pg = Connection::pg(source);
    let lite = Connection::sqlite(dst);
    let version = pg_schema::current_version(&pg)?;
    let latest = migrations::current_version(&lite)?;
    if version != latest {
        return Err(StoreError::Refused(format!(
            "the PostgreSQL database is at schema version {version}, this ispbills at {latest}: \
             use the ispbills version that wrote it"
        )));
    }
    let tables = tables_in_order(dst)?;
    for t in tables.iter().rev() {
        dst.execute_batch(&format!("DELETE FROM {t}"))?;
    }
    let mut report = CopyReport {
        version,
        ..CopyReport::default()
    };
    for t in &tables {
        let cols = columns(dst, t)?;
        let list = cols.join(", ");
        let placeholders = super::sql::numbered_placeholders(1, cols.len());
        let mut insert =
            dst.prepare(&format!("INSERT INTO {t} ({list}) VALUES ({placeholders})"))?;
        let mut n = 0i64;
        source.for_each_row(&format!("SELECT {list} FROM {t} ORDER BY 1"), |values| {
            insert.execute(rusqlite::params_from_iter(values.iter()))?;
            n += 1;
            Ok(())
        })?;
        report.tables.push((t.clone(), n));
    }
    report.sums = verify(&pg, &lite, &tables, &report.tables)?;
    Ok(report)
}

/// SQLite's tables to copy (all but the derived ones), parents before the
/// tables whose foreign keys point at them.
fn tables_in_order(conn: &rusqlite::Connection) -> Result<Vec<String>, StoreError> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let names: Vec<String> = names.into_iter().filter(|t| !derived(t)).collect();
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &names {
        let refs: Vec<String> = conn
            .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")?
            .query_map([t], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        parents.insert(
            t.clone(),
            refs.into_iter()
                .filter(|p| p != t && names.contains(p))
                .collect(),
        );
    }
    let mut ordered: Vec<String> = Vec::with_capacity(names.len());
    while ordered.len() < names.len() {
        let before = ordered.len();
        for t in &names {
            if !ordered.contains(t) && parents[t].iter().all(|p| ordered.contains(p)) {
                ordered.push(t.clone());
            }
        }
        if ordered.len() == before {
            return Err(StoreError::Migration(
                "the tables' foreign keys form a cycle".into(),
            ));
        }
    }
    Ok(ordered)
}

/// A table's columns, in order.
fn columns(conn: &rusqlite::Connection, table: &str) -> Result<Vec<String>, StoreError> {
    Ok(conn
        .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
        .query_map([table], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Each table's rows and money sums on both sides, and the balances against
/// their ledgers on the target; the sums checked.
fn verify(
    src: &Connection<'_>,
    dst: &Connection<'_>,
    tables: &[String],
    copied: &[(String, i64)],
) -> Result<Vec<(String, i64)>, StoreError> {
    for (t, n) in copied {
        let count = |c: &Connection<'_>| -> Result<i64, StoreError> {
            Ok(c.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))?)
        };
        let (a, b) = (count(src)?, count(dst)?);
        if a != b || a != *n {
            return Err(mismatch(format!(
                "{t}: {a} row(s) in the source, {n} copied, {b} in the target"
            )));
        }
    }
    let mut sums = Vec::new();
    let sqlite_side = if src.engine() == super::sql::Engine::Sqlite {
        src
    } else {
        dst
    };
    for t in tables {
        let money: Vec<String> = sqlite_side
            .prepare("SELECT name FROM pragma_table_info(?1) WHERE name LIKE '%\\_minor' ESCAPE '\\' ORDER BY cid")?
            .query_map([t], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for col in money {
            let sum = |c: &Connection<'_>| -> Result<i64, StoreError> {
                Ok(c.query_row(
                    &format!("SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) FROM {t}"),
                    [],
                    |r| r.get(0),
                )?)
            };
            let (a, b) = (sum(src)?, sum(dst)?);
            if a != b {
                return Err(mismatch(format!(
                    "{t}.{col}: {a} in the source, {b} in the target"
                )));
            }
            sums.push((format!("{t}.{col}"), a));
        }
    }
    // The balances are their ledgers' sums, and the customers' counts (kept
    // by the target's triggers) add up to the customers.
    for (balances, ledger) in [
        (
            "SELECT CAST(COALESCE(SUM(balance_minor), 0) AS BIGINT) FROM customers",
            "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM customer_ledger",
        ),
        (
            "SELECT CAST(COALESCE(SUM(balance_minor), 0) AS BIGINT) FROM operators",
            "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM operator_ledger",
        ),
        (
            "SELECT COUNT(*) FROM customers",
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM customer_counts",
        ),
    ] {
        let pair = |c: &Connection<'_>| -> Result<(i64, i64), StoreError> {
            Ok((
                c.query_row(balances, [], |r| r.get(0))?,
                c.query_row(ledger, [], |r| r.get(0))?,
            ))
        };
        let (a, b) = pair(dst)?;
        let (sa, sb) = pair(src)?;
        if (a, b) != (sa, sb) {
            return Err(mismatch(format!(
                "`{balances}` / `{ledger}`: {sa} / {sb} in the source, {a} / {b} in the target"
            )));
        }
    }
    Ok(sums)
}

/// A SQLite value in `COPY`'s text format.
fn copy_text(v: &Value, out: &mut String) {
    use std::fmt::Write as _;
    match v {
        Value::Null => out.push_str("\\N"),
        Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Real(f) if f.is_nan() => out.push_str("NaN"),
        Value::Real(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Real(f) => {
            let _ = write!(out, "{f}");
        }
        Value::Text(s) => {
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
        Value::Blob(b) => {
            out.push_str("\\\\x");
            for byte in b {
                let _ = write!(out, "{byte:02x}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_in_copy_text_format() {
        let mut out = String::new();
        for v in [
            Value::Null,
            Value::Integer(-42),
            Value::Real(1.5),
            Value::Text("a\tb\nc\\d\re".into()),
            Value::Blob(vec![0, 255]),
        ] {
            copy_text(&v, &mut out);
            out.push('|');
        }
        assert_eq!(out, "\\N|-42|1.5|a\\tb\\nc\\\\d\\re|\\\\x00ff|");
    }
}
