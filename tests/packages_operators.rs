//! Packages (v2 CRUD, in-use deletion refused), operators (v1), reseller
//! isolation, and the dashboards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::TestServer;
use ispbills::{auth::principal::Tier, domain::staff::Role, store::staff_users};
use serde_json::json;

#[test]
fn packages_crud_and_in_use_deletion_is_409() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/packages",
        &token,
        Some(
            json!({"name": "Fiber 100 Mbps", "price": 1500.5, "speed_down_kbps": 102400,
                    "speed_up_kbps": 51200, "router_profile": "fiber-100m"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let p = r.json()["data"].clone();
    assert_eq!(p["price"], json!(1500.5));
    assert_eq!(p["currency"], "BDT");
    assert_eq!(p["billing_cycle"], "monthly");
    assert_eq!(p["validity_days"], 30);
    let id = p["id"].as_i64().unwrap();

    let r = s.call(
        "PUT",
        &format!("/api/v2/packages/{id}"),
        &token,
        Some(json!({"price": 1600})),
    );
    assert_eq!(r.json()["data"]["price"], json!(1600));
    assert_eq!(r.json()["data"]["name"], "Fiber 100 Mbps");
    let list = s.call("GET", "/api/v2/packages", &token, None).json();
    assert_eq!(list["meta"]["total"], 1);

    let cases = [
        (
            json!({"name": "X", "price": -1, "speed_down_kbps": 1, "speed_up_kbps": 1}),
            "price",
            "The price must be at least 0.",
        ),
        (
            json!({"name": "X", "price": 1.234, "speed_down_kbps": 1, "speed_up_kbps": 1}),
            "price",
            "The price may have at most 2 decimal places.",
        ),
        (
            json!({"name": "X", "price": "ten", "speed_down_kbps": 1, "speed_up_kbps": 1}),
            "price",
            "The price must be a number.",
        ),
        (
            json!({"name": "X", "price": 1, "speed_down_kbps": 0, "speed_up_kbps": 1}),
            "speed_down_kbps",
            "The speed down kbps must be between",
        ),
        (
            json!({"name": "Fiber 100 Mbps", "price": 1, "speed_down_kbps": 1, "speed_up_kbps": 1}),
            "name",
            "The name has already been taken.",
        ),
        (
            json!({"name": "X", "price": 1, "speed_down_kbps": 1, "speed_up_kbps": 1, "billing_cycle": "weekly"}),
            "billing_cycle",
            "The selected billing cycle is invalid",
        ),
        (
            json!({"price": 1, "speed_down_kbps": 1, "speed_up_kbps": 1}),
            "name",
            "The name field is required.",
        ),
    ];
    for (body, field, message) in cases {
        let err = s
            .call("POST", "/api/v2/packages", &token, Some(body))
            .assert_error(422, "VALIDATION_ERROR");
        let msg = err["details"][field][0]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: {err}"));
        assert!(msg.starts_with(message), "{field}: {msg}");
    }

    let c = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(json!({"name": "A", "phone": "01712345678", "package_id": id})),
    );
    assert_eq!(c.status, 201);
    s.call("DELETE", &format!("/api/v2/packages/{id}"), &token, None)
        .assert_error(409, "CONFLICT");
    let unused = s.create_package("Unused", 100);
    assert_eq!(
        s.call(
            "DELETE",
            &format!("/api/v2/packages/{unused}"),
            &token,
            None
        )
        .status,
        204
    );
    s.call("GET", &format!("/api/v2/packages/{unused}"), &token, None)
        .assert_error(404, "NOT_FOUND");
}

fn operator_user(s: &TestServer, email: &str, operator_id: i64) -> String {
    let hash = ispbills::auth::password::hash("reseller password 1").unwrap();
    let now = s.state.clock.now();
    let email2 = email.to_string();
    s.state
        .db
        .write(move |tx| {
            staff_users::create(
                tx,
                &staff_users::NewStaffUser {
                    email: &email2,
                    name: "Reseller staff",
                    role: Role::OperatorStaff,
                    password_hash: &hash,
                    operator_id: Some(operator_id),
                },
                now,
            )
        })
        .unwrap();
    s.login(email, "reseller password 1").json()["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn operators_and_reseller_isolation() {
    let s = TestServer::start();
    let admin = s.login_admin_v1();
    let mk_op = |name: &str| {
        let r = s.call(
            "POST",
            "/api/v1/operators",
            &admin,
            Some(json!({"name": name, "phone": "+8801711000000"})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.json()["data"]["phone"], "01711000000");
        assert_eq!(r.json()["data"]["balance"], 0);
        r.json()["data"]["id"].as_i64().unwrap()
    };
    let mirpur = mk_op("Mirpur Net");
    let uttara = mk_op("Uttara Link");
    let r = s.call(
        "PUT",
        &format!("/api/v1/operators/{mirpur}"),
        &admin,
        Some(json!({"email": "mirpur@example.com"})),
    );
    assert_eq!(r.json()["data"]["email"], "mirpur@example.com");
    assert_eq!(r.json()["data"]["name"], "Mirpur Net");

    let m = operator_user(&s, "staff@mirpur.example", mirpur);
    let u = operator_user(&s, "staff@uttara.example", uttara);

    // Each reseller creates a customer; the operator is theirs whatever they send.
    let mk = |token: &str, name: &str| {
        let r = s.call(
            "POST",
            "/api/v1/customers",
            token,
            Some(json!({"name": name, "phone": "01712345678", "operator_id": uttara})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"].clone()
    };
    let mc = mk(&m, "Mirpur customer");
    assert_eq!(mc["operator_id"], mirpur);
    let uc = mk(&u, "Uttara customer");
    let direct = s.call(
        "POST",
        "/api/v1/customers",
        &admin,
        Some(json!({"name": "ISP direct", "phone": "01812345678"})),
    );
    assert_eq!(direct.status, 201);

    let list = s.call("GET", "/api/v1/customers", &m, None).json();
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["data"][0]["id"], mc["id"]);
    s.call("GET", &format!("/api/v1/customers/{}", uc["id"]), &m, None)
        .assert_error(404, "NOT_FOUND");
    s.call(
        "POST",
        &format!("/api/v1/customers/{}/action", uc["id"]),
        &m,
        Some(json!({"action": "suspend"})),
    )
    .assert_error(404, "NOT_FOUND");
    assert_eq!(
        s.call("GET", "/api/v1/customers", &admin, None).json()["meta"]["total"],
        3
    );

    // Resellers see only their own operator and cannot manage operators.
    let ops = s.call("GET", "/api/v1/operators", &m, None).json();
    assert_eq!(ops["meta"]["total"], 1);
    assert_eq!(ops["data"][0]["id"], mirpur);
    s.call(
        "POST",
        "/api/v1/operators",
        &m,
        Some(json!({"name": "Mine"})),
    )
    .assert_error(403, "FORBIDDEN");

    // Their dashboard counts only their customers.
    let dash = s.call("GET", "/api/v1/dashboard", &m, None).json();
    assert_eq!(dash["data"]["customers"]["total"], 1);
    let dash = s.call("GET", "/api/v1/dashboard", &admin, None).json();
    assert_eq!(dash["data"]["customers"]["total"], 3);
    assert_eq!(dash["data"]["customers"]["active"], 3);
    assert_eq!(dash["data"]["customers"]["new_this_month"], 3);

    let r = s.call(
        "POST",
        &format!("/api/v1/operators/{uttara}/suspend"),
        &admin,
        None,
    );
    assert_eq!(r.json()["data"]["status"], "suspended");
    let suspended = s
        .call("GET", "/api/v1/operators?status=suspended", &admin, None)
        .json();
    assert_eq!(suspended["meta"]["total"], 1);
    s.call(
        "PUT",
        "/api/v1/operators/99",
        &admin,
        Some(json!({"name": "x"})),
    )
    .assert_error(404, "NOT_FOUND");
    s.call(
        "POST",
        "/api/v1/operators",
        &admin,
        Some(json!({"name": ""})),
    )
    .assert_error(422, "VALIDATION_ERROR");
}

#[test]
fn the_noc_dashboard_counts_inventory() {
    let s = TestServer::start();
    let admin = s.login_admin_v1();
    let r = s.call("GET", "/api/v1/noc/dashboard", &admin, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let data = &r.json()["data"];
    assert_eq!(
        data["devices"],
        json!(["router", "olt", "radio", "device"]
            .iter()
            .map(|k| json!({"kind": k, "total": 0, "up": 0, "down": 0, "unknown": 0}))
            .collect::<Vec<_>>()),
        "no inventory yet"
    );
    assert_eq!(
        (data["up"].clone(), data["down"].clone()),
        (json!(0), json!(0))
    );
    let (_, _, _, no_scope) = s.v2_client_token("customers:read", Tier::Standard);
    s.call("GET", "/api/v1/noc/dashboard", &no_scope, None)
        .assert_error(401, "UNAUTHENTICATED");
}

#[test]
fn operator_funds_move_through_the_ledger() {
    let s = TestServer::start();
    let admin = s.login_admin_v1();
    let id = s
        .call(
            "POST",
            "/api/v1/operators",
            &admin,
            Some(json!({"name": "Mirpur Net"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    for amount in [json!(1000), json!(250.55), json!(0.1)] {
        let r = s.call(
            "POST",
            &format!("/api/v1/operators/{id}/fund"),
            &admin,
            Some(json!({"amount": amount, "note": "bKash top-up"})),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let op = s.call("GET", "/api/v1/operators", &admin, None).json()["data"][0].clone();
    assert_eq!(op["balance"], json!(1250.65));
    let sum = s
        .state
        .db
        .read(move |c| ispbills::store::operators::ledger_sum(c, id))
        .unwrap();
    assert_eq!(sum, ispbills::domain::money::Money(125_065));
    for bad in [
        json!({"amount": 0}),
        json!({"amount": -5}),
        json!({"amount": 1.005}),
        json!({}),
    ] {
        s.call(
            "POST",
            &format!("/api/v1/operators/{id}/fund"),
            &admin,
            Some(bad),
        )
        .assert_error(422, "VALIDATION_ERROR");
    }
    s.call(
        "POST",
        "/api/v1/operators/99/fund",
        &admin,
        Some(json!({"amount": 5})),
    )
    .assert_error(404, "NOT_FOUND");
}
