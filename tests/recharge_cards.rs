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

/// The rule of the reseller boundary for cards: only the ISP makes them and
/// gives batches to operators; a reseller's staff see only their operator's
/// cards and redeem them only for their own customers, so no reseller can make
/// value from nothing (a card's renewal is paid by the card the ISP issued,
/// the operator's funds are not touched).
#[test]
fn only_the_isp_makes_cards_and_resellers_redeem_only_their_own() {
    use common::panel::{log_in, log_in_with};
    use ispbills::domain::staff::Role;
    const PW: &str = "correct horse battery";
    let s = TestServer::start();
    s.create_staff("admin@example.com", Role::Admin, PW);
    let admin = log_in(&s, "admin@example.com");
    let pkg = admin.send(
        "POST",
        "/api/v2/packages",
        Some(
            json!({"name": "Prepaid 30", "price": 500, "billing_cycle": "days",
                    "speed_down_kbps": 10240, "speed_up_kbps": 10240,
                    "validity_days": 30, "wholesale_price": 400}),
        ),
    );
    assert_eq!(pkg.status, 201, "{}", pkg.body);
    let pkg = pkg.json()["data"]["id"].as_i64().unwrap();
    let mut ops = Vec::new();
    let mut customers = Vec::new();
    for (name, phone) in [("Badda Net", "01812000001"), ("Gulshan Net", "01812000002")] {
        let op = admin
            .send("POST", "/api/v1/operators", Some(json!({"name": name})))
            .json()["data"]["id"]
            .as_i64()
            .unwrap();
        let c = admin.send(
            "POST",
            "/api/v2/customers",
            Some(json!({"name": format!("{name} customer"), "phone": phone,
                        "package_id": pkg, "operator_id": op})),
        );
        assert_eq!(c.status, 201, "{}", c.body);
        ops.push(op);
        customers.push(c.json()["data"]["id"].as_i64().unwrap());
    }
    s.create_staff_of("staff@badda.example", Role::OperatorStaff, PW, Some(ops[0]));
    let reseller = log_in_with(&s, "staff@badda.example", PW);

    // A reseller's staff cannot make cards, nor move a batch.
    reseller
        .send(
            "POST",
            "/api/v2/recharge-cards",
            Some(json!({"count": 1, "value": 500})),
        )
        .assert_error(403, "FORBIDDEN");
    // The ISP makes a batch and issues it to Badda; another stays the ISP's.
    let made = admin.send(
        "POST",
        "/api/v2/recharge-cards",
        Some(json!({"count": 2, "value": 500, "batch": "BADDA-1"})),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let pins: Vec<String> = made.json()["data"]["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pin"].as_str().unwrap().to_string())
        .collect();
    let isp_pin = admin
        .send(
            "POST",
            "/api/v2/recharge-cards",
            Some(json!({"count": 1, "value": 500, "batch": "ISP-1"})),
        )
        .json()["data"]["cards"][0]["pin"]
        .as_str()
        .unwrap()
        .to_string();
    reseller
        .send(
            "PUT",
            "/api/v2/recharge-cards/batches/BADDA-1",
            Some(json!({"operator_id": ops[0]})),
        )
        .assert_error(403, "FORBIDDEN");
    // Before it is issued, Badda's staff neither see nor redeem it.
    let seen = reseller.send("GET", "/api/v1/recharge-cards", None).json();
    assert_eq!(seen["meta"]["total"], 0, "{seen}");
    reseller
        .send(
            "POST",
            "/api/v2/recharge-cards/redeem",
            Some(json!({"customer_id": customers[0], "pin": pins[0]})),
        )
        .assert_error(422, "VALIDATION_ERROR");
    let issued = admin.send(
        "PUT",
        "/api/v2/recharge-cards/batches/BADDA-1",
        Some(json!({"operator_id": ops[0]})),
    );
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert_eq!(issued.json()["data"]["cards"], 2);
    admin
        .send(
            "PUT",
            "/api/v2/recharge-cards/batches/NOPE",
            Some(json!({"operator_id": ops[0]})),
        )
        .assert_error(404, "NOT_FOUND");
    admin
        .send(
            "PUT",
            "/api/v2/recharge-cards/batches/BADDA-1",
            Some(json!({"operator_id": 999})),
        )
        .assert_error(422, "VALIDATION_ERROR");
    let seen = reseller.send("GET", "/api/v1/recharge-cards", None).json();
    assert_eq!(seen["meta"]["total"], 2, "{seen}");
    assert!(seen["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["operator_id"] == json!(ops[0])));

    // Badda's card does not pay for Gulshan's customer, whoever redeems it;
    // the ISP's card is not Badda's to redeem.
    for who in [&reseller, &admin] {
        who.send(
            "POST",
            "/api/v2/recharge-cards/redeem",
            Some(json!({"customer_id": customers[1], "pin": pins[0]})),
        )
        .assert_error(422, "VALIDATION_ERROR");
    }
    reseller
        .send(
            "POST",
            "/api/v2/recharge-cards/redeem",
            Some(json!({"customer_id": customers[0], "pin": isp_pin})),
        )
        .assert_error(422, "VALIDATION_ERROR");
    // Badda's own card for its own customer: one renewal, paid by the card;
    // Badda's funds (none) are not touched and not needed.
    let paid = reseller.send(
        "POST",
        "/api/v2/recharge-cards/redeem",
        Some(json!({"customer_id": customers[0], "pin": pins[0]})),
    );
    assert_eq!(paid.status, 201, "{}", paid.body);
    let ops_now = admin.send("GET", "/api/v1/operators", None).json();
    assert!(ops_now["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["balance"] == json!(0)));
    // The ISP may pay for a reseller's customer with its own card.
    let by_isp = admin.send(
        "POST",
        "/api/v2/recharge-cards/redeem",
        Some(json!({"customer_id": customers[1], "pin": isp_pin})),
    );
    assert_eq!(by_isp.status, 201, "{}", by_isp.body);

    // null gives the batch's unused card back to the ISP (the used one stays
    // Badda's); the key itself is required.
    let back = admin.send(
        "PUT",
        "/api/v2/recharge-cards/batches/BADDA-1",
        Some(json!({"operator_id": null})),
    );
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(back.json()["data"]["cards"], 1);
    let seen = reseller.send("GET", "/api/v1/recharge-cards", None).json();
    assert_eq!(seen["meta"]["total"], 1, "{seen}");
    admin
        .send(
            "PUT",
            "/api/v2/recharge-cards/batches/BADDA-1",
            Some(json!({})),
        )
        .assert_error(422, "VALIDATION_ERROR");
    // A bad id is one complaint, not also "required".
    let bad = admin.send(
        "PUT",
        "/api/v2/recharge-cards/batches/BADDA-1",
        Some(json!({"operator_id": 0})),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    let said = bad.json()["error"]["details"]["operator_id"].clone();
    assert_eq!(said.as_array().map(Vec::len), Some(1), "{said}");
}
