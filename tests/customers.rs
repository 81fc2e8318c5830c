//! Customers over v1 and v2: the guide's examples exactly, every validation rule
//! (table-driven), no mass assignment, subscriptions, filters and sorting, the
//! pagination example, and the outbox written with each change (and not when it
//! fails).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::TestServer;
use ispbills::{clock::ManualClock, domain::staff::Role};
use serde_json::{json, Value};
use std::sync::Arc;
use time::macros::datetime;

fn server() -> (TestServer, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-10 08:15:00 UTC)));
    (TestServer::start_on(clock.clone()), clock)
}

fn v1_admin(s: &TestServer) -> String {
    s.create_staff("admin@example.com", Role::Admin, "correct horse battery");
    s.login("admin@example.com", "correct horse battery").json()["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_v1_create_example_of_the_guide() {
    let (s, _) = server();
    let token = v1_admin(&s);
    for _ in 1..5 {
        s.create_package(&format!("Filler {}", uuid::Uuid::new_v4()), 100);
    }
    let premium = s.create_package("Premium 50 Mbps", 1200);
    assert_eq!(premium, 5);
    let r = s.call(
        "POST",
        "/api/v1/customers",
        &token,
        Some(json!({
            "name": "Rafiq Ahmed",
            "email": "rafiq@example.com",
            "phone": "01712345678",
            "package_id": 5,
            "address": "House 12, Road 7, Dhanmondi, Dhaka",
            "connection_type": "pppoe"
        })),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let data = &r.json()["data"];
    for (key, want) in [
        ("name", json!("Rafiq Ahmed")),
        ("email", json!("rafiq@example.com")),
        ("phone", json!("01712345678")),
        ("package", json!("Premium 50 Mbps")),
        ("status", json!("active")),
        ("created_at", json!("2026-04-10T08:15:00Z")),
    ] {
        assert_eq!(data[key], want, "{key}");
    }
    assert!(data["id"].is_i64());
    let got = s.call(
        "GET",
        &format!("/api/v1/customers/{}", data["id"]),
        &token,
        None,
    );
    assert_eq!(got.json()["data"], *data);
}

#[test]
fn the_v2_create_and_update_examples_of_the_guide() {
    let (s, clock) = server();
    let token = s.v2_admin_token();
    let fiber100 = s.create_package("Fiber 100 Mbps", 1500);
    let fiber200 = s.create_package("Fiber 200 Mbps", 2500);
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(json!({
            "name": "Fatima Begum",
            "email": "fatima@example.com",
            "phone": "01898765432",
            "package_id": fiber100,
            "address": "Apt 4B, Gulshan Tower, Dhaka",
            "connection_type": "fiber",
            "onu_mac": "AA:BB:CC:DD:EE:FF"
        })),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let data = r.json()["data"].clone();
    assert_eq!(
        data["package"],
        json!({"id": fiber100, "name": "Fiber 100 Mbps"})
    );
    assert_eq!(data["connection_type"], "fiber");
    assert_eq!(data["status"], "active");
    assert_eq!(data["onu_mac"], "AA:BB:CC:DD:EE:FF");
    assert_eq!(data["created_at"], "2026-04-10T08:15:00Z");
    assert_eq!(data["updated_at"], "2026-04-10T08:15:00Z");

    clock.advance(time::Duration::hours(18) + time::Duration::minutes(50));
    let token = s.v2_admin_token(); // the first one expired meanwhile
    let id = data["id"].as_i64().unwrap();
    let r = s.call(
        "PUT",
        &format!("/api/v2/customers/{id}"),
        &token,
        Some(json!({"package_id": fiber200, "address": "Suite 6A, Banani Heights, Dhaka"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let updated = r.json()["data"].clone();
    assert_eq!(updated["name"], "Fatima Begum");
    assert_eq!(
        updated["package"],
        json!({"id": fiber200, "name": "Fiber 200 Mbps"})
    );
    assert_eq!(updated["address"], "Suite 6A, Banani Heights, Dhaka");
    assert_eq!(updated["status"], "active");
    assert_eq!(updated["updated_at"], "2026-04-11T03:05:00Z");

    // The package change closed one subscription and opened the next.
    let subs = s
        .call(
            "GET",
            &format!("/api/v2/customers/{id}/subscriptions"),
            &token,
            None,
        )
        .json();
    assert_eq!(subs["meta"]["total"], 2);
    assert_eq!(subs["data"][0]["package"]["id"], fiber200);
    assert_eq!(subs["data"][0]["status"], "active");
    assert_eq!(subs["data"][1]["status"], "ended");
    assert_eq!(subs["data"][1]["ended_at"], "2026-04-11T03:05:00Z");
    assert_eq!(subs["data"][0]["expires_at"], "2026-05-11T03:05:00Z");
}

#[test]
fn every_validation_rule_has_its_message() {
    let (s, _) = server();
    let token = s.v2_admin_token();
    let pkg = s.create_package("Home 10 Mbps", 500);
    let ok = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(
            json!({"name": "Taken", "phone": "01711111111", "email": "taken@example.com",
                    "username": "taken.user", "package_id": pkg}),
        ),
    );
    assert_eq!(ok.status, 201, "{}", ok.body);
    let base = json!({"name": "Karim Uddin", "phone": "01712345678", "package_id": pkg});
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"name": null}), "name", "The name field is required."),
        (
            json!({"name": "   "}),
            "name",
            "The name field is required.",
        ),
        (json!({"name": 5}), "name", "The name must be a string."),
        (
            json!({"phone": null}),
            "phone",
            "The phone field is required.",
        ),
        (
            json!({"phone": "12345"}),
            "phone",
            "The phone must be a valid mobile number",
        ),
        (
            json!({"phone": "01212345678"}),
            "phone",
            "The phone must be a valid mobile number",
        ),
        (
            json!({"email": "not-an-email"}),
            "email",
            "The email must be a valid email address.",
        ),
        (
            json!({"email": "TAKEN@example.com"}),
            "email",
            "The email has already been taken.",
        ),
        (
            json!({"package_id": 999}),
            "package_id",
            "The selected package is invalid.",
        ),
        (
            json!({"package_id": "five"}),
            "package_id",
            "The package id must be an integer.",
        ),
        (
            json!({"connection_type": "dialup"}),
            "connection_type",
            "The selected connection type is invalid",
        ),
        (
            json!({"onu_mac": "AA:BB:CC"}),
            "onu_mac",
            "The onu mac must be a MAC address",
        ),
        (
            json!({"username": "has space"}),
            "username",
            "The username may contain",
        ),
        (
            json!({"username": "taken.user"}),
            "username",
            "The username has already been taken on this router.",
        ),
        (
            json!({"operator_id": 42}),
            "operator_id",
            "The selected operator is invalid.",
        ),
    ];
    for (patch, field, message) in cases {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = s.call("POST", "/api/v2/customers", &token, Some(body.clone()));
        let err = r.assert_error(422, "VALIDATION_ERROR");
        let msgs = err["details"][field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {err}"));
        assert!(
            msgs[0].as_str().unwrap().starts_with(message),
            "{field}: {} (body {body})",
            msgs[0]
        );
    }
    // Several problems at once are all reported.
    let err = s
        .call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"email": "x", "package_id": 999})),
        )
        .assert_error(422, "VALIDATION_ERROR");
    let fields: Vec<&String> = err["details"].as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        ["email", "name", "phone"],
        "the database checks wait for the form checks"
    );
    // Nothing was written by any failed attempt.
    assert_eq!(
        s.call("GET", "/api/v2/customers", &token, None).json()["meta"]["total"],
        1
    );
    assert_eq!(s.events().len(), 1);
}

#[test]
fn phones_are_stored_normalised_and_status_and_balance_cannot_be_assigned() {
    let (s, _) = server();
    let token = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(
            json!({"name": "Nusrat", "phone": "+880 1712-345678", "status": "suspended",
                    "balance": 99999, "id": 77, "created_at": "2000-01-01T00:00:00Z"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let data = r.json()["data"].clone();
    assert_eq!(data["phone"], "01712345678");
    assert_eq!(data["status"], "active");
    assert_eq!(data["balance"], 0);
    assert_ne!(data["id"], 77);
    assert_eq!(data["connection_type"], "pppoe");
    let id = data["id"].as_i64().unwrap();
    let r = s.call(
        "PUT",
        &format!("/api/v2/customers/{id}"),
        &token,
        Some(json!({"status": "suspended", "balance": 5, "email": null})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["data"]["status"], "active");
    assert_eq!(r.json()["data"]["balance"], 0);
}

#[test]
fn actions_suspend_activate_and_reject_others() {
    let (s, _) = server();
    let token = v1_admin(&s);
    let id = s
        .call(
            "POST",
            "/api/v1/customers",
            &token,
            Some(json!({"name": "Arif", "phone": "01812345678"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    let act = |action: &str| {
        s.call(
            "POST",
            &format!("/api/v1/customers/{id}/action"),
            &token,
            Some(json!({"action": action, "reason": "unpaid bill"})),
        )
    };
    let r = act("suspend");
    assert_eq!(
        (r.status, r.json()["data"]["status"].clone()),
        (200, json!("suspended"))
    );
    assert_eq!(act("suspend").status, 200, "idempotent");
    let r = act("activate");
    assert_eq!(r.json()["data"]["status"], "active");
    act("reboot").assert_error(422, "VALIDATION_ERROR");
    act("disconnect").assert_error(409, "CONFLICT");
    s.call(
        "POST",
        "/api/v1/customers/999/action",
        &token,
        Some(json!({"action": "suspend"})),
    )
    .assert_error(404, "NOT_FOUND");

    let kinds: Vec<String> = s.events().into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        kinds,
        [
            "customer.created",
            "customer.suspended",
            "customer.activated"
        ]
    );
    let (_, suspended) = &s.events()[1];
    assert_eq!(suspended["customer_id"], id);
    assert_eq!(suspended["reason"], "unpaid bill");
    assert_eq!(suspended["status"], "suspended");
    assert_eq!(suspended["phone"], "01812345678");
}

#[test]
fn the_created_event_carries_what_an_integrator_needs() {
    let (s, _) = server();
    let token = s.v2_admin_token();
    let pkg = s.create_package("Premium 50 Mbps", 1200);
    let id = s
        .call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": "Sakib", "phone": "01612345678", "package_id": pkg})),
        )
        .json()["data"]["id"]
        .clone();
    let events = s.events();
    assert_eq!(events.len(), 1);
    let (kind, payload) = &events[0];
    assert_eq!(kind, "customer.created");
    assert_eq!(payload["customer_id"], id);
    assert_eq!(payload["name"], "Sakib");
    assert_eq!(payload["phone"], "01612345678");
    assert_eq!(
        payload["package"],
        json!({"id": pkg, "name": "Premium 50 Mbps"})
    );
    assert_eq!(payload["status"], "active");
}

#[test]
fn the_guides_pagination_example_holds() {
    let (s, _) = server();
    let token = s.v2_admin_token();
    s.state
        .db
        .write(move |tx| {
            for i in 0..523 {
                ispbills::store::customers::create(
                    tx,
                    &ispbills::store::customers::NewCustomer {
                        name: format!("Customer {i}"),
                        phone: "01712345678".into(),
                        connection_type: "static".into(),
                        ..Default::default()
                    },
                    datetime!(2026-04-01 00:00:00 UTC),
                )?;
            }
            Ok(())
        })
        .unwrap();
    let body = s
        .call("GET", "/api/v2/customers?page=2&per_page=50", &token, None)
        .json();
    assert_eq!(
        body["meta"],
        json!({"current_page": 2, "per_page": 50, "total": 523, "last_page": 11})
    );
    assert_eq!(body["data"].as_array().unwrap().len(), 50);
    let last = s.call(
        "GET",
        "/api/v1/customers?page=11&per_page=50&sort=id",
        &token,
        None,
    );
    assert_eq!(last.status, 401, "a v2 token is not a v1 token");
}

/// A search in the default order stops counting 100 matches past the page
/// and says so; in another order, or when the matches end sooner, the meta is
/// the usual four fields, exact.
#[test]
fn a_long_search_says_its_total_is_capped() {
    let (s, _) = server();
    let token = s.v2_admin_token();
    s.state
        .db
        .write(|tx| {
            for i in 0..130 {
                ispbills::store::customers::create(
                    tx,
                    &ispbills::store::customers::NewCustomer {
                        name: format!("Capped {i}"),
                        phone: format!("0171{i:07}"),
                        connection_type: "static".into(),
                        ..Default::default()
                    },
                    datetime!(2026-04-01 00:00:00 UTC) + time::Duration::minutes(i),
                )?;
            }
            Ok(())
        })
        .unwrap();
    let meta = |q: &str| {
        s.call("GET", &format!("/api/v2/customers?{q}"), &token, None)
            .json()
    };
    let first = meta("search=capped");
    assert_eq!(
        first["meta"],
        json!({"current_page": 1, "per_page": 20, "total": 120, "last_page": 6, "total_capped": true})
    );
    assert_eq!(first["data"][0]["name"], "Capped 129", "newest first");
    assert_eq!(
        meta("search=capped&page=2")["meta"],
        json!({"current_page": 2, "per_page": 20, "total": 130, "last_page": 7})
    );
    assert_eq!(
        meta("search=capped&sort=id")["meta"],
        json!({"current_page": 1, "per_page": 20, "total": 130, "last_page": 7})
    );
    let last = meta("search=capped&page=7");
    assert_eq!(last["data"].as_array().unwrap().len(), 10);
    assert_eq!(last["data"][9]["name"], "Capped 0");
    assert_eq!(last["meta"]["total"], 130);
    assert_eq!(
        meta("search=0171000012")["meta"],
        json!({"current_page": 1, "per_page": 20, "total": 10, "last_page": 1}),
        "a phone fragment"
    );
}

#[test]
fn filters_search_and_sort() {
    let (s, clock) = server();
    let home = s.create_package("Home", 500);
    let fiber = s.create_package("Fiber", 1500);
    let mk = |name: &str, phone: &str, pkg: i64, email: Option<&str>, user: Option<&str>| {
        let mut body = json!({"name": name, "phone": phone, "package_id": pkg});
        if let Some(e) = email {
            body["email"] = json!(e);
        }
        if let Some(u) = user {
            body["username"] = json!(u);
        }
        let r = s.call("POST", "/api/v2/customers", &s.v2_admin_token(), Some(body));
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    };
    let a = mk(
        "Rafiq Ahmed",
        "01711000001",
        home,
        Some("rafiq@example.com"),
        Some("rafiq.home"),
    );
    clock.advance(time::Duration::days(3));
    let b = mk("Fatima Begum", "01811000002", fiber, None, None);
    clock.advance(time::Duration::days(3));
    let c = mk(
        "Rafiqul Islam",
        "01911000003",
        fiber,
        None,
        Some("ri.fiber"),
    );
    let token = s.v2_admin_token();
    let ids = |q: &str| -> Vec<i64> {
        let r = s.call("GET", &format!("/api/v2/customers?{q}"), &token, None);
        assert_eq!(r.status, 200, "{q}: {}", r.body);
        r.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(""), [c, b, a], "newest first by default");
    assert_eq!(ids("sort=id"), [a, b, c]);
    assert_eq!(ids("sort=name"), [b, a, c]);
    assert_eq!(ids(&format!("package_id={fiber}&sort=id")), [b, c]);
    assert_eq!(ids("search=rafiq&sort=id"), [a, c]);
    assert_eq!(ids("search=RAFIQUL"), [c]);
    assert_eq!(ids("search=1811000"), [b], "part of the phone");
    assert_eq!(ids("search=example.com"), [a], "part of the email");
    assert_eq!(ids("search=ri.fib"), [c], "part of the login name");
    assert_eq!(ids("search=Fa"), [b], "short terms match name prefixes");
    // A filtered page past the end still tells the true total.
    let past = s
        .call("GET", "/api/v2/customers?search=rafiq&page=9", &token, None)
        .json();
    assert_eq!(past["data"], json!([]));
    assert_eq!(past["meta"]["total"], 2);
    assert_eq!(past["meta"]["last_page"], 1);
    // So does one whose total is kept rather than counted.
    for (query, total) in [("", 3), (&*format!("package_id={fiber}&"), 2)] {
        let past = s
            .call(
                "GET",
                &format!("/api/v2/customers?{query}page=9"),
                &token,
                None,
            )
            .json();
        assert_eq!(past["data"], json!([]), "{query}");
        assert_eq!(past["meta"]["total"], total, "{query}");
        let first = s
            .call(
                "GET",
                &format!("/api/v2/customers?{query}per_page=1"),
                &token,
                None,
            )
            .json();
        assert_eq!(first["meta"]["total"], total, "{query}");
        assert_eq!(first["meta"]["last_page"], total, "{query}");
    }
    assert_eq!(ids("from=2026-04-13&sort=id"), [b, c]);
    assert_eq!(ids("to=2026-04-13&sort=id"), [a, b]);
    s.call(
        "POST",
        &format!("/api/v1/customers/{b}/action"),
        &s.login_admin_v1(),
        Some(json!({"action": "suspend"})),
    );
    assert_eq!(ids("status=suspended"), [b]);
    for bad in [
        "status=gone",
        "sort=age",
        "from=someday",
        "per_page=500",
        "package_id=0",
    ] {
        s.call("GET", &format!("/api/v2/customers?{bad}"), &token, None)
            .assert_error(422, "VALIDATION_ERROR");
    }
}

#[test]
fn delete_and_not_found() {
    let (s, _) = server();
    let token = s.v2_admin_token();
    let id = s
        .call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": "X", "phone": "01712345678"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        s.call("DELETE", &format!("/api/v2/customers/{id}"), &token, None)
            .status,
        204
    );
    s.call("GET", &format!("/api/v2/customers/{id}"), &token, None)
        .assert_error(404, "NOT_FOUND");
    s.call("DELETE", &format!("/api/v2/customers/{id}"), &token, None)
        .assert_error(404, "NOT_FOUND");
    s.call(
        "PUT",
        "/api/v2/customers/12345",
        &token,
        Some(json!({"name": "Y"})),
    )
    .assert_error(404, "NOT_FOUND");
}

#[test]
fn scopes_guard_reading_and_writing() {
    let (s, _) = server();
    let (_, _, _, reader) =
        s.v2_client_token("customers:read", ispbills::auth::principal::Tier::Standard);
    assert_eq!(
        s.call("GET", "/api/v2/customers", &reader, None).status,
        200
    );
    s.call(
        "POST",
        "/api/v2/customers",
        &reader,
        Some(json!({"name": "X", "phone": "01712345678"})),
    )
    .assert_error(403, "FORBIDDEN");
}

#[test]
fn searches_with_control_characters_are_refused_and_fts_syntax_is_harmless() {
    let (s, _) = server();
    let token = s.v2_admin_token();
    s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(json!({"name": "Nul Test", "phone": "01712345678"})),
    );
    // FTS5 query syntax is searched for as text.
    for q in ["%22%22%22", "a%22b*c", "NEAR(ab", "c%C2%AB%F2%8A%A7%B7"] {
        let r = s.call(
            "GET",
            &format!("/api/v2/customers?search={q}"),
            &token,
            None,
        );
        assert_eq!(r.status, 200, "{q}: {}", r.body);
    }
    // Control characters (a NUL above all) are free text's own 422.
    for q in [
        "c%C2%AB%00%F2%8A%A7%B7",
        "%00%00%00",
        "Nul%00Test",
        "Nul%0ATest",
    ] {
        let err = s
            .call(
                "GET",
                &format!("/api/v2/customers?search={q}"),
                &token,
                None,
            )
            .assert_error(422, "VALIDATION_ERROR");
        assert_eq!(
            err["details"]["search"][0],
            "The search must not contain line breaks, control characters or text direction overrides.",
            "{q}"
        );
    }
    let r = s.call("GET", "/api/v2/customers?search=Nul%20Test", &token, None);
    assert_eq!(r.json()["meta"]["total"], 1);
}

/// `GET /api/v2/customers?due=true`: only the customers who owe (a bill
/// unpaid or partly paid), with the other filters; the panel's SMS broadcast
/// reaches them by it. v1 has no such filter.
#[test]
fn the_due_filter_finds_the_customers_who_owe() {
    let (s, _) = server();
    let token = s.v2_admin_token();
    let pkg = s.create_package("Home 20 Mbps", 800);
    let customer = |name: &str, phone: &str| -> i64 {
        let r = s.call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": name, "phone": phone, "package_id": pkg})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    };
    let bill = |c: i64| -> i64 {
        let r = s.call(
            "POST",
            "/api/v2/billing/bills",
            &token,
            Some(json!({"customer_id": c, "amount": 800, "due_date": "2030-01-10"})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    };
    let pay = |c: i64, b: i64, amount: i64| {
        let r = s.call(
            "POST",
            "/api/v2/billing/payments",
            &token,
            Some(json!({"customer_id": c, "bill_id": b, "amount": amount, "method": "cash"})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    };
    let owes = customer("Owes All", "01711000101");
    bill(owes);
    let partly = customer("Owes Part", "01711000102");
    let b = bill(partly);
    pay(partly, b, 300);
    let paid = customer("Paid Up", "01711000103");
    let b = bill(paid);
    pay(paid, b, 800);
    let _never_billed = customer("Never Billed", "01711000104");
    let ids = |query: &str| -> Vec<i64> {
        let r = s.call("GET", &format!("/api/v2/customers?{query}"), &token, None);
        assert_eq!(r.status, 200, "{}", r.body);
        let mut ids: Vec<i64> = r.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(ids("due=true"), vec![owes, partly]);
    // The total counts the customers who owe (not every customer).
    let r = s.call("GET", "/api/v2/customers?due=true&per_page=1", &token, None);
    assert_eq!(r.json()["meta"]["total"], 2, "{}", r.body);
    assert_eq!(r.json()["meta"]["last_page"], 2, "{}", r.body);
    assert_eq!(ids("due=false").len(), 4);
    assert_eq!(ids("due=true&search=Owes%20Part"), vec![partly]);
    let r = s.call("GET", "/api/v2/customers?due=maybe", &token, None);
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.json()["error"]["details"]["due"][0],
        "The due parameter is invalid."
    );
}
