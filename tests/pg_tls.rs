//! TLS to PostgreSQL with libpq's sslmode meanings: `disable` is plain,
//! `require` encrypted without checking the certificate, `verify-full`
//! checks it against `sslrootcert` (and refuses a server the compiled-in web
//! roots do not vouch for), `verify-ca` checks the chain but not the name.
//! Needs the PostgreSQL server of `scripts/test`'s PostgreSQL pass, which
//! serves TLS with a certificate for localhost signed by a CA of its own,
//! whose certificate ISPBILLS_TEST_DATABASE_CA names; without it the test
//! says so and stops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ispbills::store::{test_database, Db};
use tempfile::TempDir;

/// The URL of the test server with `host` and these options, on `db`.
fn with(base: &str, host: &str, options: &str) -> String {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let (userinfo, after) = rest.split_once('@').unwrap_or(("", rest));
    let port = after
        .split(['/', '?'])
        .next()
        .and_then(|hp| hp.rsplit_once(':'))
        .map_or("5432", |(_, p)| p);
    let db = after.split_once('/').map_or("postgres", |(_, d)| {
        d.split('?').next().unwrap_or("postgres")
    });
    let at = if userinfo.is_empty() {
        String::new()
    } else {
        format!("{userinfo}@")
    };
    format!("postgres://{at}{host}:{port}/{db}?{options}")
}

/// Whether the store's connection is encrypted, or the error opening it.
fn encrypted(url: &str) -> Result<bool, String> {
    let dir = TempDir::new().unwrap();
    let db = Db::open_configured(dir.path(), url, 1).map_err(|e| e.to_string())?;
    db.read(|c| {
        Ok(c.query_row(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            [],
            |r| r.get::<_, bool>(0),
        )?)
    })
    .map_err(|e| e.to_string())
}

#[test]
fn sslmodes_encrypt_and_check_as_libpq_does() {
    let (Ok(base), Ok(ca)) = (
        std::env::var(test_database::TEST_DATABASE_URL),
        std::env::var("ISPBILLS_TEST_DATABASE_CA"),
    ) else {
        eprintln!("needs a PostgreSQL server with TLS: scripts/test's PostgreSQL pass");
        return;
    };
    let fresh = test_database::fresh_url().unwrap();
    let ca = ca.replace('/', "%2F");
    assert_eq!(
        encrypted(&with(&fresh, "127.0.0.1", "sslmode=disable")),
        Ok(false)
    );
    assert_eq!(
        encrypted(&with(&fresh, "127.0.0.1", "sslmode=require")),
        Ok(true)
    );
    assert_eq!(
        encrypted(&with(&fresh, "127.0.0.1", "")),
        Ok(true),
        "prefer, the default"
    );
    assert_eq!(
        encrypted(&with(
            &fresh,
            "localhost",
            &format!("sslmode=verify-full&sslrootcert={ca}")
        )),
        Ok(true)
    );
    // The test CA is no public root.
    let refused = encrypted(&with(&fresh, "localhost", "sslmode=verify-full")).unwrap_err();
    assert!(refused.to_lowercase().contains("certificate"), "{refused}");
    // verify-ca takes the chain and leaves the name: the certificate names
    // localhost, not 127.0.0.1 (the same server).
    assert_eq!(
        encrypted(&with(
            &fresh,
            "127.0.0.1",
            &format!("sslmode=verify-ca&sslrootcert={ca}")
        )),
        Ok(true)
    );
    let wrong_name = encrypted(&with(
        &fresh,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ))
    .unwrap_err();
    assert!(
        wrong_name.to_lowercase().contains("certificate"),
        "{wrong_name}"
    );
    let _ = base;
}
