//! The store on a real SQLite file: pragmas on every pooled connection, and
//! migrations on a fresh database, on an existing one, and when they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ispbills::store::{
    migrations::{self, Migration},
    Db, StoreError,
};
use rusqlite::Connection;
use tempfile::TempDir;

fn m(version: i64, name: &str, sql: &str) -> Migration {
    Migration {
        version,
        name: name.into(),
        sql: sql.into(),
    }
}

#[test]
fn every_pooled_connection_has_the_pragmas() {
    let dir = TempDir::new().unwrap();
    let db = Db::open(dir.path(), 4).unwrap();
    // Hold several connections at once so more than one is created.
    let conns: Vec<_> = (0..4).map(|_| db.conn().unwrap()).collect();
    for c in &conns {
        let journal: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        let fk: i64 = c
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        let busy: i64 = c
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!((journal.as_str(), sync, fk, busy), ("wal", 2, 1, 5000));
    }
}

#[test]
fn a_fresh_database_gets_every_migration() {
    let dir = TempDir::new().unwrap();
    let db = Db::open(dir.path(), 2).unwrap();
    let all = migrations::all().unwrap();
    let version = db.read(migrations::current_version).unwrap();
    assert_eq!(version, all.len() as i64);
    let recorded: i64 = db
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(recorded, all.len() as i64);
    assert!(dir.path().join("ispbills.db").is_file());
}

#[test]
fn an_existing_database_is_upgraded_and_keeps_its_rows() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("t.db");
    let v1 = m(1, "people", "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
                            CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);");
    let v2 = m(
        2,
        "people_phone",
        "ALTER TABLE people ADD COLUMN phone TEXT;",
    );
    let mut conn = Connection::open(&path).unwrap();
    assert_eq!(
        migrations::apply_migrations(&mut conn, std::slice::from_ref(&v1)).unwrap(),
        vec![1]
    );
    conn.execute("INSERT INTO people (name) VALUES ('Rafiq')", [])
        .unwrap();
    drop(conn);

    let mut conn = Connection::open(&path).unwrap();
    let applied = migrations::apply_migrations(&mut conn, &[v1.clone(), v2.clone()]).unwrap();
    assert_eq!(applied, vec![2]);
    let (name, phone): (String, Option<String>) = conn
        .query_row("SELECT name, phone FROM people", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((name.as_str(), phone), ("Rafiq", None));
    assert_eq!(
        migrations::current_version(&ispbills::store::sql::Connection::sqlite(&conn)).unwrap(),
        2
    );
    // Nothing left to do.
    assert!(migrations::apply_migrations(&mut conn, &[v1, v2])
        .unwrap()
        .is_empty());
}

#[test]
fn the_real_migrations_apply_on_top_of_an_existing_database() {
    let dir = TempDir::new().unwrap();
    {
        let db = ispbills::store::test_database::open(dir.path(), 1).unwrap();
        db.write(move |tx| {
            tx.execute(
                "INSERT INTO staff_users (email, name, role, password_hash, created_at, updated_at)
                 VALUES ('a@b.co', 'A', 'admin', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    }
    let db = ispbills::store::test_database::open(dir.path(), 1).unwrap();
    let n = db.read(ispbills::store::staff_users::count).unwrap();
    assert_eq!(n, 1);
}

/// Migration 0018 renames the staff role `operator` to `operator_staff` by
/// rebuilding staff_users: ids, sessions, complaints' assignees and the
/// triggers stay, and the old name is no longer accepted by the table.
#[test]
fn the_operator_role_becomes_operator_staff_and_nothing_else_moves() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("t.db");
    let all = migrations::all().unwrap();
    let before: Vec<_> = all.iter().filter(|m| m.version < 18).cloned().collect();
    let mut conn = Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    migrations::apply_migrations(&mut conn, &before).unwrap();
    conn.execute_batch(
        "INSERT INTO operators (id, name, created_at, updated_at) VALUES (1, 'A', 'x', 'x');
         INSERT INTO staff_users (id, email, name, role, password_hash, created_at, updated_at, operator_id)
         VALUES (5, 'r@b.co', 'R', 'operator', 'h', 'x', 'x', 1),
                (6, 'a@b.co', 'A', 'admin', 'h', 'x', 'x', NULL);
         INSERT INTO staff_sessions (staff_user_id, token_hash, created_at, expires_at)
         VALUES (5, 't5', 'x', 'y'), (6, 't6', 'x', 'y');",
    )
    .unwrap();
    let epoch = |c: &Connection| -> i64 {
        c.query_row("SELECT value FROM auth_epoch", [], |r| r.get(0))
            .unwrap()
    };
    let epoch_before = epoch(&conn);
    assert_eq!(
        migrations::apply_migrations(&mut conn, &all).unwrap(),
        (18..=all.len() as i64).collect::<Vec<_>>()
    );
    let roles: Vec<(i64, String, Option<i64>)> = conn
        .prepare("SELECT id, role, operator_id FROM staff_users ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        roles,
        vec![
            (5, "operator_staff".to_string(), Some(1)),
            (6, "admin".to_string(), None)
        ]
    );
    let sessions: i64 = conn
        .query_row("SELECT COUNT(*) FROM staff_sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sessions, 2, "the rebuild must not cascade");
    assert!(epoch(&conn) > epoch_before);
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1, "foreign keys are on again");
    // The triggers are back, the old name is refused, cascades still work.
    conn.execute("UPDATE staff_users SET active = 0 WHERE id = 6", [])
        .unwrap();
    assert!(epoch(&conn) > epoch_before + 1);
    assert!(conn
        .execute("UPDATE staff_users SET role = 'operator' WHERE id = 5", [])
        .is_err());
    conn.execute("DELETE FROM staff_users WHERE id = 5", [])
        .unwrap();
    let sessions: i64 = conn
        .query_row("SELECT COUNT(*) FROM staff_sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sessions, 1);
}

#[test]
fn a_failing_migration_leaves_no_trace() {
    let dir = TempDir::new().unwrap();
    let mut conn = Connection::open(dir.path().join("t.db")).unwrap();
    let v1 = m(1, "base", "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);");
    let bad = m(
        2,
        "bad",
        "CREATE TABLE half_done (id INTEGER); INSERT INTO nowhere VALUES (1);",
    );
    let err = migrations::apply_migrations(&mut conn, &[v1, bad]).unwrap_err();
    assert!(
        matches!(err, StoreError::Migration(ref msg) if msg.contains("0002_bad")),
        "{err}"
    );
    assert_eq!(
        migrations::current_version(&ispbills::store::sql::Connection::sqlite(&conn)).unwrap(),
        1
    );
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0);
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = TempDir::new().unwrap();
    {
        let conn = Connection::open(dir.path().join("ispbills.db")).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let err = Db::open(dir.path(), 1).unwrap_err().to_string();
    assert!(err.contains("newer"), "{err}");
}

#[test]
fn migration_files_are_numbered_without_gaps() {
    let all = migrations::all().unwrap();
    assert!(!all.is_empty());
    for (i, m) in all.iter().enumerate() {
        assert_eq!(m.version, i as i64 + 1);
    }
}

#[test]
fn the_auth_epoch_moves_on_auth_changes_only() {
    use ispbills::store::{api_clients, auth_tokens};
    let dir = TempDir::new().unwrap();
    let db = ispbills::store::test_database::open(dir.path(), 1).unwrap();
    let epoch = || db.read(auth_tokens::auth_epoch).unwrap();
    let client = db
        .write(move |tx| {
            api_clients::create(
                tx,
                &api_clients::NewApiClient {
                    name: "c",
                    api: "v2",
                    client_uuid: Some("u"),
                    secret_hash: Some("h"),
                    scopes: "",
                    tier: "standard",
                    now: "2026-01-01T00:00:00Z",
                },
            )
        })
        .unwrap();
    let e0 = epoch();
    db.write(move |tx| api_clients::touch(tx, client.id, "2026-01-02T00:00:00Z"))
        .unwrap();
    assert_eq!(epoch(), e0, "recording use is not an auth change");
    db.write(move |tx| {
        api_clients::update(tx, client.id, None, Some("logs:read"), None).map(|_| ())
    })
    .unwrap();
    let e1 = epoch();
    assert!(e1 > e0);
    db.write(move |tx| auth_tokens::revoke_jti(tx, "j", 1))
        .unwrap();
    let e2 = epoch();
    assert!(e2 > e1);
    db.write(move |tx| api_clients::delete(tx, client.id))
        .unwrap();
    assert!(epoch() > e2);
}

#[test]
fn kept_counts_match_counted_rows_through_every_change() {
    use ispbills::domain::visibility::Visibility;
    use ispbills::store::{
        customers::{self, CustomerChanges, CustomerFilter, NewCustomer},
        operators, packages,
    };
    use time::macros::datetime;
    let dir = TempDir::new().unwrap();
    let db = ispbills::store::test_database::open(dir.path(), 1).unwrap();
    let now = datetime!(2026-04-01 00:00:00 UTC);
    db.write(move |tx| {
        let fields = |name: &str| packages::PackageFields {
            name: name.into(),
            price: ispbills::domain::money::Money(100),
            currency: "BDT".into(),
            speed_down_kbps: 1,
            speed_up_kbps: 1,
            billing_cycle: "monthly".into(),
            validity_days: 30,
            router_profile: None,
            wholesale_price: None,
        };
        let p1 = packages::create(tx, &fields("A"), "2026-04-01T00:00:00Z")?.id;
        let p2 = packages::create(tx, &fields("B"), "2026-04-01T00:00:00Z")?.id;
        let op = operators::create(
            tx,
            &operators::OperatorFields {
                name: Some("Op".into()),
                ..Default::default()
            },
            "2026-04-01T00:00:00Z",
        )?
        .id;
        let who = ispbills::store::audit::Who::job("test");
        for i in 0..30 {
            let c = customers::create(
                tx,
                &NewCustomer {
                    name: format!("C{i}"),
                    phone: "01712345678".into(),
                    connection_type: "static".into(),
                    package_id: [None, Some(p1), Some(p2)][i % 3],
                    operator_id: (i % 4 == 0).then_some(op),
                    ..Default::default()
                },
                now,
            )?;
            if i % 5 == 0 {
                customers::set_status(tx, &who, c.id, Visibility::ALL, "suspended", "t", now)?;
            }
            if i % 7 == 0 {
                customers::update(
                    tx,
                    &who,
                    c.id,
                    Visibility::ALL,
                    &CustomerChanges {
                        package_id: Some(p2),
                        operator_id: Some(None),
                        ..Default::default()
                    },
                    now,
                )?;
            }
            if i % 11 == 0 {
                customers::delete(tx, &who, c.id, Visibility::ALL, now)?;
            }
        }
        let check = |filter: CustomerFilter,
                     vis: Visibility,
                     tx: &ispbills::store::Tx<'_>|
         -> Result<(), StoreError> {
            let (_, kept) = customers::list(tx, &filter, vis, 1, 0)?;
            // The same filter with a search that matches everyone forces a real count.
            let mut counted_filter = filter.clone();
            counted_filter.created_from = Some("2000-01-01T00:00:00Z".into());
            let (_, counted) = customers::list(tx, &counted_filter, vis, 1, 0)?;
            assert_eq!(kept, counted, "{filter:?} {vis:?}");
            Ok(())
        };
        for status in [
            None,
            Some("active".to_string()),
            Some("suspended".to_string()),
        ] {
            for package_id in [None, Some(p1), Some(p2)] {
                for operator_id in [None, Some(op)] {
                    let filter = CustomerFilter {
                        status: status.clone(),
                        package_id,
                        operator_id,
                        ..Default::default()
                    };
                    check(filter.clone(), Visibility::ALL, tx)?;
                    check(
                        filter,
                        Visibility {
                            operator_id: Some(op),
                        },
                        tx,
                    )?;
                }
            }
        }
        Ok(())
    })
    .unwrap();
}

/// A parameter PostgreSQL cannot type from its first use (`?1 IS NULL OR
/// id = ?1`) runs on both engines with NULL and with values, and preparing
/// it first inside a write leaves the write's transaction usable.
#[test]
fn untyped_parameters_run_with_nulls_and_values_inside_a_write() {
    use rusqlite::params;
    let dir = TempDir::new().unwrap();
    let db = ispbills::store::test_database::open(dir.path(), 2).unwrap();
    const COUNT: &str = "SELECT COUNT(*) FROM operators \
                         WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL OR name = ?2 COLLATE NOCASE)";
    let id: i64 = db
        .write(|tx| {
            // First seen here, inside the transaction, with both NULL.
            let before: i64 =
                tx.query_row(COUNT, params![None::<i64>, None::<String>], |r| r.get(0))?;
            assert_eq!(before, 0);
            Ok(tx.query_row(
                "INSERT INTO operators (name, created_at, updated_at) \
                 VALUES (?1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') RETURNING id",
                ["Gulshan Net"],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    let count = |op: Option<i64>, name: Option<&str>| -> i64 {
        let name = name.map(str::to_string);
        db.read(move |c| Ok(c.query_row(COUNT, params![op, name], |r| r.get(0))?))
            .unwrap()
    };
    assert_eq!(count(None, None), 1, "the write committed");
    assert_eq!(count(Some(id), None), 1);
    assert_eq!(count(Some(id + 1), None), 0);
    assert_eq!(
        count(None, Some("GULSHAN NET")),
        1,
        "NOCASE on both engines"
    );
    assert_eq!(count(Some(id), Some("other")), 0);
}

/// Holds the writer with a write that waits until told to end (or 10 s), so
/// that the writes queued meanwhile run as one group once it ends.
fn hold_writer(
    db: &std::sync::Arc<Db>,
) -> (
    std::sync::mpsc::Sender<()>,
    std::thread::JoinHandle<Result<(), StoreError>>,
) {
    let (release, held) = std::sync::mpsc::channel::<()>();
    let db = db.clone();
    let stall = std::thread::spawn(move || {
        db.write(move |_| {
            let _ = held.recv_timeout(std::time::Duration::from_secs(10));
            Ok(())
        })
    });
    std::thread::sleep(std::time::Duration::from_millis(100));
    (release, stall)
}

/// A write that meets an error and answers Ok anyway (PostgreSQL has then
/// aborted the whole transaction; SQLite has not) among others committed in
/// the same group: whatever each caller is told, every write answered Ok is
/// in the database afterwards, and every write answered with an error left
/// nothing behind.
#[test]
fn no_write_answered_ok_is_lost_beside_one_that_swallowed_an_error() {
    use std::{sync::Arc, thread, time::Duration};
    let dir = TempDir::new().unwrap();
    let db = Arc::new(ispbills::store::test_database::open(dir.path(), 2).unwrap());
    // Hold the writer so that the writes below queue up and run as one group.
    let (release, stall) = hold_writer(&db);
    let writers: Vec<_> = (0..6)
        .map(|i| {
            let db = db.clone();
            let writer = thread::spawn(move || {
                let name = format!("Operator {i}");
                let wrote = name.clone();
                let out = db.write(move |tx| {
                    tx.exec(
                        "INSERT INTO operators (name, created_at, updated_at) \
                         VALUES (?1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                        [&wrote],
                    )?;
                    if i == 2 {
                        let failed = tx.exec("INSERT INTO no_such_table (x) VALUES (1)", []);
                        assert!(failed.is_err());
                    }
                    Ok(())
                });
                (name, out.is_ok())
            });
            thread::sleep(Duration::from_millis(20));
            writer
        })
        .collect();
    release.send(()).unwrap();
    stall.join().unwrap().unwrap();
    let answers: Vec<(String, bool)> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    for (name, ok) in &answers {
        let name = name.clone();
        let present: i64 = db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM operators WHERE name = ?1",
                    [&name],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(present == 1, *ok, "{answers:?}");
    }
    assert!(
        answers[5].1,
        "writes after the failed group still commit: {answers:?}"
    );
}

/// What a write queues with `exec_later` is part of that write: its own next
/// statement sees it, and its failure (here a foreign key, as the write's
/// last statement) fails that write alone, not the next one in the group.
#[test]
fn statements_run_later_belong_to_their_own_write() {
    use std::{sync::Arc, thread, time::Duration};
    const INSERT: &str = "INSERT INTO operators (name, created_at, updated_at) \
                          VALUES (?1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')";
    const NO_CUSTOMER: &str = "INSERT INTO subscriptions \
                               (customer_id, package_id, starts_at, expires_at, status) \
                               VALUES (987654, 987654, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', 'active')";
    let dir = TempDir::new().unwrap();
    let db = Arc::new(ispbills::store::test_database::open(dir.path(), 2).unwrap());
    let seen: i64 = db
        .write(|tx| {
            tx.exec_later(INSERT, ["Later One"])?;
            Ok(tx.query_row(
                "SELECT COUNT(*) FROM operators WHERE name = 'Later One'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(seen, 1, "the write's next statement sees it");

    // Hold the writer so that the two writes below run in one group.
    let (release, stall) = hold_writer(&db);
    let doomed = {
        let db = db.clone();
        thread::spawn(move || {
            db.write(|tx| {
                tx.exec(INSERT, ["Doomed"])?;
                tx.exec_later(NO_CUSTOMER, [])?;
                Ok(())
            })
        })
    };
    thread::sleep(Duration::from_millis(20));
    let next = {
        let db = db.clone();
        thread::spawn(move || db.write(|tx| Ok(tx.exec(INSERT, ["Next"])?)))
    };
    thread::sleep(Duration::from_millis(20));
    release.send(()).unwrap();
    stall.join().unwrap().unwrap();
    let doomed = doomed.join().unwrap();
    let next = next.join().unwrap();
    assert!(doomed.is_err(), "the foreign key fails its own write");
    assert_eq!(next.unwrap(), 1, "and not the next one");
    let names: Vec<String> = db
        .read(|c| {
            let mut st = c.prepare("SELECT name FROM operators ORDER BY id")?;
            let mut rows = st.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(r.get(0)?);
            }
            Ok(out)
        })
        .unwrap();
    assert_eq!(
        names,
        ["Later One", "Next"],
        "nothing of the failed write is left"
    );
}
