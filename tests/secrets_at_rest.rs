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
    let (_, rotated) = s.state.auth.rotate_client(client.id).unwrap();
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
    assert!(bytes.len() > 10_000);
    let haystack = String::from_utf8_lossy(&bytes);
    for secret in &secrets {
        assert!(
            !haystack.contains(secret.as_str()),
            "found in clear: {secret}"
        );
    }
}
