//! Recharge cards: a batch with PINs shown once and stored hashed, redemption
//! into a recharge_card payment, once only — also under concurrent attempts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ispbills, stderr, stdout, TestServer};
use serde_json::json;

#[test]
fn a_batch_is_generated_listed_and_redeemed_once() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/recharge-cards",
        &token,
        Some(json!({"count": 5, "value": 500, "batch": "EID-2026"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let cards = r.json()["data"]["cards"].as_array().unwrap().clone();
    assert_eq!(cards.len(), 5);
    assert_eq!(cards[0]["serial"], "EID-2026-00001");
    let pins: Vec<String> = cards
        .iter()
        .map(|c| c["pin"].as_str().unwrap().to_string())
        .collect();
    assert!(pins
        .iter()
        .all(|p| p.len() == 16 && p.chars().all(|c| c.is_ascii_digit())));
    s.call(
        "POST",
        "/api/v2/recharge-cards",
        &token,
        Some(json!({"count": 1, "value": 5, "batch": "EID-2026"})),
    )
    .assert_error(422, "VALIDATION_ERROR");

    let list = s.call(
        "GET",
        "/api/v1/recharge-cards?batch=EID-2026",
        &s.login_admin_v1(),
        None,
    );
    assert_eq!(list.json()["meta"]["total"], 5);
    for pin in &pins {
        assert!(!list.body.contains(pin.as_str()));
    }
    let db = std::fs::read(s.data_dir().join("ispbills.db")).unwrap_or_default();
    let wal = std::fs::read(s.data_dir().join("ispbills.db-wal")).unwrap_or_default();
    let all = String::from_utf8_lossy(&[db, wal].concat()).into_owned();
    for pin in &pins {
        assert!(!all.contains(pin.as_str()), "PIN stored in clear");
    }

    let c = s
        .call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": "Karim", "phone": "01712345678"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    let r = s.call(
        "POST",
        "/api/v2/recharge-cards/redeem",
        &token,
        Some(json!({"customer_id": c, "pin": pins[0]})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let body = r.json();
    assert_eq!(body["data"]["method"], "recharge_card");
    assert_eq!(body["data"]["transaction_id"], "EID-2026-00001");
    assert_eq!(body["credit"], json!(500));
    s.call(
        "POST",
        "/api/v2/recharge-cards/redeem",
        &token,
        Some(json!({"customer_id": c, "pin": pins[0]})),
    )
    .assert_error(422, "VALIDATION_ERROR");
    s.call(
        "POST",
        "/api/v2/recharge-cards/redeem",
        &token,
        Some(json!({"customer_id": c, "pin": "0000000000000000"})),
    )
    .assert_error(422, "VALIDATION_ERROR");

    // Ten redemptions of one card at once: exactly one pays.
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let body = json!({"customer_id": c, "pin": pins[1]});
                let token = token.clone();
                let s = &s;
                scope.spawn(move || {
                    s.call("POST", "/api/v2/recharge-cards/redeem", &token, Some(body))
                        .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    let customer = s
        .call("GET", &format!("/api/v2/customers/{c}"), &token, None)
        .json();
    assert_eq!(customer["data"]["balance"], json!(1000));
}

#[test]
fn the_command_line_generates_a_batch() {
    let root = tempfile::TempDir::new().unwrap();
    let out = ispbills(root.path())
        .args([
            "recharge-cards",
            "generate",
            "--count",
            "3",
            "--value",
            "200",
            "--batch",
            "B1",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["cards"].as_array().unwrap().len(), 3);
    assert_eq!(v["cards"][2]["serial"], "B1-00003");
    let out = ispbills(root.path())
        .args([
            "recharge-cards",
            "generate",
            "--count",
            "0",
            "--value",
            "200",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
