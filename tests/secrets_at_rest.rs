//! No password, client secret, refresh token or session token is stored in
//! clear: after using every kind, none appears in the database file or its WAL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::TestServer;
use ispbills::{
    auth::{clients::Credentials, principal::Tier, tokens::ApiVersion},
    domain::staff::Role,
};
use serde_json::json;

#[test]
fn no_secret_is_stored_in_clear() {
    let s = TestServer::start();
    let password = "plain password 4242";
    s.create_staff("admin@example.com", Role::Admin, password);
    let mut secrets = vec![password.to_string()];

    let (_, id, secret, token) = s.v2_client_token("*", Tier::Standard);
    secrets.push(secret.clone());
    secrets.push(token.clone());
    let (client, creds) = s.create_client(ApiVersion::V1, "*", Tier::Standard);
    let Credentials::V1(pair) = creds else {
        panic!()
    };
    secrets.push(pair.refresh_token.clone().unwrap());
    let (_, rotated) = s
        .state
        .auth
        .rotate_client(client.id, &ispbills::store::audit::Who::job("test"))
        .unwrap();
    let Credentials::V1(rotated) = rotated else {
        panic!()
    };
    secrets.push(rotated.refresh_token.unwrap());

    let login = s.login("admin@example.com", password).json();
    let rt = login["refresh_token"].as_str().unwrap().to_string();
    secrets.push(rt.clone());
    let refreshed = s
        .post_json(
            "/api/auth/refresh",
            &json!({"refresh_token": rt}).to_string(),
        )
        .json();
    secrets.push(refreshed["refresh_token"].as_str().unwrap().to_string());

    let panel = s.post_json(
        "/admin/api/session",
        &json!({"email": "admin@example.com", "password": password}).to_string(),
    );
    let cookie = panel.header("set-cookie").unwrap();
    let session = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    secrets.push(session);
    secrets.push(panel.json()["csrf_token"].as_str().unwrap().to_string());
    assert!(!id.is_empty());

    let mut bytes = Vec::new();
    for name in ["ispbills.db", "ispbills.db-wal"] {
        if let Ok(b) = std::fs::read(s.data_dir().join(name)) {
            bytes.extend(b);
        }
    }
    if s.state.db.engine() == ispbills::store::sql::Engine::Postgres {
        // Every row of every table, as the server holds it.
        let rows: Vec<String> = s
            .state
            .db
            .read(|c| {
                let tables: Vec<String> = c
                    .prepare(
                        "SELECT table_name FROM information_schema.tables \
                         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                    )?
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut out = Vec::new();
                for t in tables {
                    let mut stmt = c.prepare(&format!(
                        "SELECT CAST(row_to_json(t) AS TEXT) FROM \"{t}\" t"
                    ))?;
                    for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
                        out.push(row?);
                    }
                }
                Ok(out)
            })
            .unwrap();
        bytes.extend(rows.join("\n").into_bytes());
    }
    // The file holds free pages and indexes besides; the rows alone less.
    let least = match common::engine_under_test() {
        "sqlite" => 10_000,
        _ => 2_000,
    };
    assert!(bytes.len() > least, "{} bytes", bytes.len());
    let haystack = String::from_utf8_lossy(&bytes);
    for secret in &secrets {
        assert!(
            !haystack.contains(secret.as_str()),
            "found in clear: {secret}"
        );
    }
}
