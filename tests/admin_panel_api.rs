//! The panel's day-to-day screens use the public API with the session: the
//! API gate accepts the session cookie only together with its CSRF header,
//! as the staff user with their role's scopes (a reseller's staff: their
//! customers, renewals from their funds); and the dashboard's collections
//! chart counts payments per local day.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{
    panel::{log_in, log_in_with},
    TestServer,
};
use ispbills::{clock::ManualClock, domain::staff::Role};
use poem::EndpointExt;
use serde_json::json;
use time::macros::datetime;

const PW: &str = "correct horse battery";

#[test]
fn the_session_calls_the_api_only_with_its_csrf_token() {
    let s = TestServer::start();
    let admin_id = s.create_staff("admin@example.com", Role::Admin, PW);
    let p = log_in(&s, "admin@example.com");

    // The cookie alone is no API credential (a cross-site request could carry it).
    s.send(
        "GET",
        "/api/v2/customers",
        &[("cookie", p.cookie.as_str())],
        None,
    )
    .assert_error(401, "UNAUTHENTICATED");
    s.send(
        "GET",
        "/api/v2/customers",
        &[("cookie", p.cookie.as_str()), ("x-csrf-token", "0000")],
        None,
    )
    .assert_error(403, "FORBIDDEN");
    // A CSRF header without a session is nobody.
    s.send(
        "GET",
        "/api/v2/customers",
        &[("x-csrf-token", p.csrf.as_str())],
        None,
    )
    .assert_error(401, "UNAUTHENTICATED");

    let created = p.send(
        "POST",
        "/api/v2/customers",
        Some(json!({"name": "Rahim Uddin", "phone": "01712345678"})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["data"]["id"].as_i64().unwrap();
    // v1 operations too, and the errors are the API's own envelope.
    let r = p.send(
        "POST",
        &format!("/api/v1/customers/{id}/action"),
        Some(json!({"action": "suspend", "reason": "asked to pause"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["status"], "suspended");
    let bad = p.send(
        "POST",
        "/api/v2/customers",
        Some(json!({"name": "", "phone": "12345"})),
    );
    let err = bad.assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["phone"].is_array(), "{err}");
    let listed = p.send("GET", "/api/v2/customers?search=Rahim", None);
    assert_eq!(listed.json()["meta"]["total"], 1);
    // A person at the panel has the high-volume limits (a screen makes
    // several calls at once): v2 300 a minute, v1 120.
    assert_eq!(listed.header("x-ratelimit-limit"), Some("300"));
    let v1 = p.send("GET", "/api/v1/customers", None);
    assert_eq!(v1.header("x-ratelimit-limit"), Some("120"));

    // Logged out, the same cookie and token no longer work.
    assert_eq!(p.send("DELETE", "/admin/api/session", None).status, 204);
    p.send("GET", "/api/v2/customers", None)
        .assert_error(401, "UNAUTHENTICATED");

    // The request log names the staff user behind the panel's calls.
    s.wait_for_log_rows(6);
    let log = s
        .call(
            "GET",
            "/api/v2/logs/api-requests?path=/api/v2/customers&per_page=100",
            &s.v2_admin_token(),
            None,
        )
        .json();
    let by_admin = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["user_id"] == admin_id)
        .count();
    assert!(by_admin >= 3, "{log}");
}

#[test]
fn support_staff_read_but_cannot_change() {
    let s = TestServer::start();
    s.create_staff("support@example.com", Role::Support, PW);
    let p = log_in(&s, "support@example.com");
    let me = p.get("/admin/api/session").json();
    let scopes: Vec<&str> = me["user"]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(scopes.contains(&"customers:read"), "{me}");
    assert!(!scopes.contains(&"customers:write"), "{me}");
    assert_eq!(p.send("GET", "/api/v1/dashboard", None).status, 200);
    p.send(
        "POST",
        "/api/v2/customers",
        Some(json!({"name": "Karim", "phone": "01812345678"})),
    )
    .assert_error(403, "FORBIDDEN");
    p.send(
        "POST",
        "/api/v2/packages",
        Some(json!({"name": "x", "price": 1})),
    )
    .assert_error(403, "FORBIDDEN");
}

#[test]
fn a_resellers_staff_renew_from_their_funds_and_see_their_customers() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-01 06:00:00 UTC)));
    let s = TestServer::start_on(clock);
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
    let op = admin
        .send(
            "POST",
            "/api/v1/operators",
            Some(json!({"name": "Badda Broadband"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    let funded = admin.send(
        "POST",
        &format!("/api/v1/operators/{op}/fund"),
        Some(json!({"amount": 1000, "note": "cash at the office"})),
    );
    assert_eq!(funded.status, 200, "{}", funded.body);
    admin.send(
        "POST",
        "/api/v2/customers",
        Some(json!({"name": "ISP's own", "phone": "01912345678"})),
    );

    s.create_staff_of("staff@badda.example", Role::OperatorStaff, PW, Some(op));
    let reseller = log_in_with(&s, "staff@badda.example", PW);
    let c = reseller.send(
        "POST",
        "/api/v2/customers",
        Some(json!({"name": "Sadia", "phone": "01812345678", "package_id": pkg})),
    );
    assert_eq!(c.status, 201, "{}", c.body);
    let c = c.json()["data"].clone();
    assert_eq!(c["operator_id"], op);
    let id = c["id"].as_i64().unwrap();
    let mine = reseller.send("GET", "/api/v2/customers", None).json();
    assert_eq!(mine["meta"]["total"], 1, "only the reseller's own customer");

    let paid = reseller.send(
        "POST",
        "/api/v2/billing/payments",
        Some(json!({"customer_id": id, "amount": 500, "method": "cash"})),
    );
    assert_eq!(paid.status, 201, "{}", paid.body);
    let after = reseller
        .send("GET", &format!("/api/v2/customers/{id}"), None)
        .json();
    assert_eq!(after["data"]["expires_at"], "2026-05-01T06:00:00Z");
    let ops = admin.send("GET", "/api/v1/operators", None).json();
    assert_eq!(
        ops["data"][0]["balance"],
        json!(600),
        "1000 funded, one renewal at the wholesale 400"
    );
    // The reseller's dashboard counts only its own.
    let d = reseller.send("GET", "/api/v1/dashboard", None).json();
    assert_eq!(d["data"]["customers"]["total"], 1);
    let chart = reseller
        .get("/admin/api/dashboard/collections?days=1")
        .json();
    assert_eq!(chart["total"], json!(500));
}

#[test]
fn collections_are_counted_per_local_day() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-09 12:00:00 UTC)));
    let s = TestServer::start_on(clock.clone());
    s.create_staff("admin@example.com", Role::Admin, PW);
    let p = log_in(&s, "admin@example.com");
    let id = p
        .send(
            "POST",
            "/api/v2/customers",
            Some(json!({"name": "Rahim", "phone": "01712345678"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    // The ISP is at +06:00: 17:00 UTC is 23:00 local (the 10th), 19:00 UTC is
    // 01:00 local on the 11th.
    for (at, amount) in [
        (datetime!(2026-04-09 12:00:00 UTC), 100.0),
        (datetime!(2026-04-10 17:00:00 UTC), 250.5),
        (datetime!(2026-04-10 19:00:00 UTC), 300.0),
        (datetime!(2026-04-11 05:00:00 UTC), 50.0),
    ] {
        clock.set(at);
        // (a panel session lasts 12 hours: log in again on the new day)
        let p = log_in(&s, "admin@example.com");
        let r = p.send(
            "POST",
            "/api/v2/billing/payments",
            Some(json!({"customer_id": id, "amount": amount, "method": "bkash"})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    clock.set(datetime!(2026-04-11 10:00:00 UTC));
    let p = log_in(&s, "admin@example.com");
    let r = p.get("/admin/api/dashboard/collections?days=3");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"currency": "BDT", "total": 700.5, "days": [
            {"date": "2026-04-09", "amount": 100},
            {"date": "2026-04-10", "amount": 250.5},
            {"date": "2026-04-11", "amount": 350},
        ]})
    );
    let week = p.get("/admin/api/dashboard/collections").json();
    assert_eq!(week["days"].as_array().unwrap().len(), 30);
    assert_eq!(week["days"][29]["date"], "2026-04-11");
    p.get("/admin/api/dashboard/collections?days=0")
        .assert_error(422, "VALIDATION_ERROR");
    s.get("/admin/api/dashboard/collections")
        .assert_error(401, "UNAUTHENTICATED");
}

#[test]
fn the_session_names_the_isps_time_and_the_sms_templates() {
    let s = TestServer::start();
    s.create_staff("support@example.com", Role::Support, PW);
    let p = log_in(&s, "support@example.com");
    let me = p.get("/admin/api/session").json();
    // The panel shows every time in this offset, and prints these on papers.
    assert_eq!(me["isp"]["utc_offset"], "+06:00");
    assert_eq!(me["isp"]["name"], "ISPBills");
    assert_eq!(me["isp"]["address"], "");
    assert_eq!(me["isp"]["logo"], false);
    // No logo set: none served.
    assert_eq!(s.get("/branding/logo").status, 404);
    let templates = p.get("/admin/api/sms/templates");
    assert_eq!(templates.status, 200, "{}", templates.body);
    let list = templates.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "bill_generated",
            "payment_received",
            "customer_suspended",
            "customer_activated",
            "bill_reminder",
            "expiry_reminder"
        ]
    );
    assert!(
        list[0]["bn"].as_str().unwrap().starts_with("প্রিয়"),
        "{list}"
    );
    s.get("/admin/api/sms/templates")
        .assert_error(401, "UNAUTHENTICATED");
}

/// `[isp] logo`: the session says there is one, and `/branding/logo` serves
/// the file as it is now, with its type.
#[test]
fn the_isps_logo_is_served_for_the_papers() {
    let dir = tempfile::TempDir::new().unwrap();
    let logo = dir.path().join("logo.png");
    // The appliance sends the file as it is; these bytes stand for an image.
    std::fs::write(&logo, "logo v1").unwrap();
    let path = logo.to_str().unwrap().to_string();
    let s = TestServer::start_with(
        move |mut c| {
            c.isp.logo = path;
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    s.create_staff("support@example.com", Role::Support, PW);
    let me = log_in(&s, "support@example.com")
        .get("/admin/api/session")
        .json();
    assert_eq!(me["isp"]["logo"], true);
    let r = common::request("GET", &s.url("/branding/logo"), &[], None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.body, "logo v1");
    // Unchanged: 304 to the tag it gave.
    let tag = r.header("etag").unwrap().to_string();
    let again = common::request(
        "GET",
        &s.url("/branding/logo"),
        &[("if-none-match", &tag)],
        None,
    );
    assert_eq!(again.status, 304);
    // A new file shows without a restart; a file gone is a 404.
    std::fs::write(&logo, "logo v2!").unwrap();
    let changed = common::request(
        "GET",
        &s.url("/branding/logo"),
        &[("if-none-match", &tag)],
        None,
    );
    assert_eq!((changed.status, changed.body.as_str()), (200, "logo v2!"));
    std::fs::remove_file(&logo).unwrap();
    assert_eq!(s.get("/branding/logo").status, 404);
}
