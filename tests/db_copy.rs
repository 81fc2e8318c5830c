//! `ispbills db copy`: the demo database (with bills, payments and operator
//! funds) into an empty PostgreSQL database and back into a new SQLite file,
//! with equal rows and money sums; a non-empty target and an existing file
//! refused. Needs a PostgreSQL server: runs in `scripts/test`'s PostgreSQL
//! pass (ISPBILLS_TEST_DATABASE_URL); without one it says so and stops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ispbills, stderr, stdout};
use ispbills::{
    domain::{money::Money, visibility::Visibility},
    store::{operators, payments, sql, test_database, Db},
};
use tempfile::TempDir;

/// Each table's rows and each money column's sum, read through the store's
/// interface (so the same on both engines).
fn census(db: &Db) -> Vec<(String, i64)> {
    db.read(|c| {
        let mut out = Vec::new();
        for (table, money) in [
            ("customers", Some("balance_minor")),
            ("operators", Some("balance_minor")),
            ("bills", Some("paid_minor")),
            ("payments", Some("amount_minor")),
            ("customer_ledger", Some("amount_minor")),
            ("operator_ledger", Some("amount_minor")),
            ("payment_allocations", Some("amount_minor")),
            ("invoices", None),
            ("subscriptions", None),
            ("events", None),
            ("packages", Some("price_minor")),
        ] {
            let n: i64 = c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
            out.push((table.to_string(), n));
            if let Some(col) = money {
                let sum: i64 = c.query_row(
                    &format!("SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) FROM {table}"),
                    [],
                    |r| r.get(0),
                )?;
                out.push((format!("{table}.{col}"), sum));
            }
        }
        Ok(out)
    })
    .unwrap()
}

#[test]
fn the_demo_database_goes_to_postgresql_and_back_with_equal_counts_and_sums() {
    if common::engine_under_test() != "postgresql" {
        eprintln!(
            "db copy needs a PostgreSQL server: set ISPBILLS_TEST_DATABASE_URL (scripts/test does)"
        );
        return;
    }
    let root = TempDir::new().unwrap();
    let data = root.path().join("data");
    let run = |args: &[&str]| {
        let out = ispbills(root.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    run(&["demo", "--customers", "200"]);
    run(&["billing", "run"]);
    // Money in every ledger: payments against the bills, operator funds.
    {
        let db = Db::open(&data, 1).unwrap();
        db.write(|tx| {
            let bills: Vec<(i64, i64, i64)> = tx
                .prepare("SELECT id, customer_id, amount_minor FROM bills ORDER BY id")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            assert!(!bills.is_empty());
            for (i, (bill, customer, amount)) in bills.iter().enumerate() {
                payments::record(
                    tx,
                    &payments::NewPayment {
                        customer_id: *customer,
                        bill_id: Some(*bill),
                        // Some pay part, some pay more (the rest is credit).
                        amount: Money(if i % 2 == 0 {
                            amount / 2
                        } else {
                            amount + 5_000
                        }),
                        currency: "BDT".into(),
                        method: "cash".into(),
                        transaction_id: Some(format!("T{i}")),
                    },
                    Visibility::ALL,
                    "2026-04-02T10:00:00Z",
                )?;
            }
            operators::fund(
                tx,
                1,
                Money(1_234_500),
                Some("opening"),
                "2026-04-02T10:00:00Z",
            )?;
            Ok(())
        })
        .unwrap();
    }
    let before = census(&Db::open(&data, 1).unwrap());
    assert!(before
        .iter()
        .any(|(k, v)| k == "payments.amount_minor" && *v > 0));

    // Up: into an empty database.
    let url = test_database::fresh_url().unwrap();
    let printed = run(&["db", "copy", "--to", &url]);
    assert!(printed.contains("customers: 200 row(s)"), "{printed}");
    assert!(
        printed.contains("operator_ledger.amount_minor: 1234500"),
        "{printed}"
    );
    let pg = Db::open_configured(&data, &url, 2).unwrap();
    assert_eq!(pg.engine(), sql::Engine::Postgres);
    assert_eq!(census(&pg), before);
    // New rows get new ids after the copied ones.
    let next: i64 = pg
        .write(|tx| {
            Ok(tx.query_row(
                "INSERT INTO operators (name, created_at, updated_at) \
                 VALUES ('After the copy', '2026-04-03T00:00:00Z', '2026-04-03T00:00:00Z') RETURNING id",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(next, 4, "after the demo's three operators");
    drop(pg);

    // A database with tables is refused, and left as it was.
    let again = ispbills(root.path())
        .args(["db", "copy", "--to", &url])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));

    // Back: into a new SQLite file, equal to PostgreSQL's.
    let back = root.path().join("back.db");
    let printed = run(&[
        "db",
        "copy",
        "--from",
        &url,
        "--to-sqlite",
        back.to_str().unwrap(),
    ]);
    assert!(printed.contains("customers: 200 row(s)"), "{printed}");
    let back_dir = root.path().join("back");
    std::fs::create_dir_all(&back_dir).unwrap();
    std::fs::copy(&back, back_dir.join("ispbills.db")).unwrap();
    let mut expected = before.clone();
    for (k, v) in expected.iter_mut() {
        if k == "operators" {
            *v += 1;
        }
    }
    let back_db = Db::open(&back_dir, 1).unwrap();
    assert_eq!(census(&back_db), expected);
    // The search index was rebuilt as the customers arrived.
    let (name, found) = back_db
        .read(|c| {
            let name: String =
                c.query_row("SELECT name FROM customers ORDER BY id LIMIT 1", [], |r| {
                    r.get(0)
                })?;
            let found = ispbills::store::customers::list(
                c,
                &ispbills::store::customers::CustomerFilter {
                    search: Some(name.clone()),
                    ..Default::default()
                },
                Visibility::ALL,
                20,
                0,
            )?;
            Ok((name, found))
        })
        .unwrap();
    assert!(!found.0.is_empty(), "{name} not found by search");

    // An existing file is not overwritten.
    let refused = ispbills(root.path())
        .args([
            "db",
            "copy",
            "--from",
            &url,
            "--to-sqlite",
            back.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("exists"), "{}", stderr(&refused));
}
