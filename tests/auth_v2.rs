//! API v2 authentication: client credentials (JSON, form, Basic), revocation,
//! rotation and deletion taking effect at once, scopes, tiers, and the request
//! log with its filters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::{engine::general_purpose::STANDARD, Engine};
use common::TestServer;
use ispbills::auth::{clients::Credentials, principal::Tier};
use serde_json::json;

const LOGS: &str = "/api/v2/logs/api-requests";

#[test]
fn token_from_json_form_and_basic() {
    let s = TestServer::start();
    let (_, id, secret, token) = s.v2_client_token("*", Tier::Standard);
    assert!(token.starts_with("v2_"));
    let r = s.post_json(
        "/api/v2/auth/token",
        &json!({"client_id": id, "client_secret": secret}).to_string(),
    );
    let body = r.json();
    let keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["access_token", "token_type", "expires_in"]);
    assert_eq!(
        (body["token_type"].clone(), body["expires_in"].clone()),
        (json!("bearer"), json!(1800))
    );

    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    let r = s.send(
        "POST",
        "/api/v2/auth/token",
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(form.as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    let basic = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
    let r = s.send(
        "POST",
        "/api/v2/auth/token",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("authorization", basic.as_str()),
        ],
        Some(b"grant_type=client_credentials"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(s.get_auth(LOGS, &token).status, 200);
}

#[test]
fn bad_client_credentials_are_401_and_missing_ones_422() {
    let s = TestServer::start();
    let (_, id, _, _) = s.v2_client_token("*", Tier::Standard);
    let wrong = s.post_json(
        "/api/v2/auth/token",
        &json!({"client_id": id, "client_secret": "not the secret"}).to_string(),
    );
    let unknown = s.post_json(
        "/api/v2/auth/token",
        &json!({"client_id": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "client_secret": "x"})
            .to_string(),
    );
    assert_eq!(
        wrong.assert_error(401, "UNAUTHENTICATED"),
        unknown.assert_error(401, "UNAUTHENTICATED")
    );
    let err = s
        .post_json("/api/v2/auth/token", "{}")
        .assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["client_id"].is_array() && err["details"]["client_secret"].is_array());
    let err = s
        .post_json(
            "/api/v2/auth/token",
            r#"{"grant_type":"password","client_id":"a","client_secret":"b"}"#,
        )
        .assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["grant_type"].is_array());
    // A v1 client's tokens cannot be exchanged here.
    let (_, creds) = s.create_client(ispbills::auth::tokens::ApiVersion::V1, "*", Tier::Standard);
    let Credentials::V1(pair) = creds else {
        panic!()
    };
    s.get_auth(LOGS, &pair.access_token)
        .assert_error(401, "UNAUTHENTICATED");
}

#[test]
fn revoked_tokens_stop_on_the_next_request() {
    let s = TestServer::start();
    let (_, id, secret, token) = s.v2_client_token("*", Tier::Standard);
    let other = s.v2_token(&id, &secret);
    assert_eq!(s.get_auth(LOGS, &token).status, 200);
    let auth = format!("Bearer {token}");
    let r = s.send(
        "POST",
        "/api/v2/auth/revoke",
        &[("authorization", auth.as_str())],
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(r.body.is_empty());
    s.get_auth(LOGS, &token)
        .assert_error(401, "UNAUTHENTICATED");
    s.send(
        "POST",
        "/api/v2/auth/revoke",
        &[("authorization", auth.as_str())],
        None,
    )
    .assert_error(401, "UNAUTHENTICATED");
    // The client's other token still works.
    assert_eq!(s.get_auth(LOGS, &other).status, 200);
}

#[test]
fn rotation_and_deletion_take_effect_at_once() {
    let s = TestServer::start();
    let (client, id, secret, token) = s.v2_client_token("*", Tier::Standard);
    let (_, creds) = s
        .state
        .auth
        .rotate_client(client.id, &ispbills::store::audit::Who::job("test"))
        .unwrap();
    let Credentials::V2 {
        client_id,
        client_secret,
    } = creds
    else {
        panic!()
    };
    assert_eq!(client_id, id, "the client id stays");
    assert_ne!(client_secret, secret);
    s.get_auth(LOGS, &token)
        .assert_error(401, "UNAUTHENTICATED");
    s.post_json(
        "/api/v2/auth/token",
        &json!({"client_id": id, "client_secret": secret}).to_string(),
    )
    .assert_error(401, "UNAUTHENTICATED");
    let fresh = s.v2_token(&client_id, &client_secret);
    assert_eq!(s.get_auth(LOGS, &fresh).status, 200);

    s.state
        .auth
        .delete_client(client.id, &ispbills::store::audit::Who::job("test"))
        .unwrap();
    s.get_auth(LOGS, &fresh)
        .assert_error(401, "UNAUTHENTICATED");
    s.post_json(
        "/api/v2/auth/token",
        &json!({"client_id": client_id, "client_secret": client_secret}).to_string(),
    )
    .assert_error(401, "UNAUTHENTICATED");
}

#[test]
fn v1_client_rotation_retires_its_token_pair() {
    let s = TestServer::start();
    let (client, creds) =
        s.create_client(ispbills::auth::tokens::ApiVersion::V1, "*", Tier::Standard);
    let Credentials::V1(old) = creds else {
        panic!()
    };
    let (_, creds) = s
        .state
        .auth
        .rotate_client(client.id, &ispbills::store::audit::Who::job("test"))
        .unwrap();
    let Credentials::V1(new) = creds else {
        panic!()
    };
    s.post_json(
        "/api/auth/refresh",
        &json!({"refresh_token": old.refresh_token.unwrap()}).to_string(),
    )
    .assert_error(401, "UNAUTHENTICATED");
    let r = s.post_json(
        "/api/auth/refresh",
        &json!({"refresh_token": new.refresh_token.unwrap()}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn a_missing_scope_is_403() {
    let s = TestServer::start();
    let (_, _, _, token) = s.v2_client_token("customers:read", Tier::Standard);
    let err = s.get_auth(LOGS, &token).assert_error(403, "FORBIDDEN");
    assert!(err["message"].as_str().unwrap().contains("logs:read"));
    // Authenticated answers carry the rate-limit headers, 403 included.
    let r = s.get_auth(LOGS, &token);
    assert_eq!(r.header("x-ratelimit-limit"), Some("120"));
}

#[test]
fn tiers_set_the_limit() {
    let s = TestServer::start();
    let (_, _, _, token) = s.v2_client_token("*", Tier::HighVolume);
    let r = s.get_auth(LOGS, &token);
    assert_eq!(r.header("x-ratelimit-limit"), Some("300"));
    // Minting the token counted as the first request of the minute.
    assert_eq!(r.header("x-ratelimit-remaining"), Some("298"));
}

#[test]
fn the_request_log_records_every_api_request_and_filters() {
    let s = TestServer::start();
    let (client, _, _, token) = s.v2_client_token("*", Tier::Standard);
    s.get_auth(LOGS, &token);
    s.get("/api/v2/nope");
    s.get_auth("/api/v2/logs/api-requests?per_page=0", &token);
    s.get("/health"); // not an /api request
                      // Token exchange, 3 above (one unauthenticated 404).
    s.wait_for_log_rows(4);
    let body = s
        .get_auth(&format!("{LOGS}?client_id={}", client.id), &token)
        .json();
    let rows = body["data"].as_array().unwrap();
    assert!(rows.len() >= 2, "{body}");
    let first = &rows[rows.len() - 1];
    assert_eq!(first["client_id"], client.id);
    assert_eq!(first["route"], "/api/v2/logs/api-requests");
    assert_eq!(first["method"], "GET");
    assert_eq!(first["status"], 200);
    assert_eq!(first["ip"], "127.0.0.1");
    assert!(first["duration_ms"].as_i64().unwrap() >= 0);

    let body = s.get_auth(&format!("{LOGS}?status=404"), &token).json();
    assert_eq!(body["meta"]["total"], 1);
    assert_eq!(body["data"][0]["route"], "unmatched");
    assert_eq!(body["data"][0]["path"], "/api/v2/nope");
    assert_eq!(body["data"][0]["client_id"], json!(null));

    let body = s
        .get_auth(&format!("{LOGS}?path=/api/v2/auth"), &token)
        .json();
    assert!(body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["path"] == "/api/v2/auth/token"));
    let body = s
        .get_auth(&format!("{LOGS}?from=2000-01-01&to=2000-12-31"), &token)
        .json();
    assert_eq!(body["meta"]["total"], 0);
    let err = s
        .get_auth(&format!("{LOGS}?from=yesterday"), &token)
        .assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["from"].is_array());

    // last_used_at moved.
    let client = s.state.auth.get_client(client.id).unwrap().unwrap();
    assert!(client.last_used_at.is_some());
}
