//! The audit trail across resources and sources: changes made through the
//! API (a v2 client), the panel (a staff session), the command line and the
//! billing run each leave one row, in the change's transaction, with the
//! actor, the address and each changed field before → after (money in major
//! units; secrets only as "changed"). A refused request (403) leaves an
//! `access.denied` row, at most ten a minute per caller.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{panel::log_in, stderr, TestServer};
use ispbills::{clock::ManualClock, domain::staff::Role, jobs::billing};
use poem::EndpointExt;
use serde_json::{json, Value};
use time::{macros::datetime, Duration};

const PW: &str = "correct horse battery";

/// Every row of the trail, oldest first.
fn trail(s: &TestServer) -> Vec<Value> {
    s.state
        .db
        .read(|c| {
            Ok(c.prepare(
                "SELECT action, actor, source, resource_type, resource_id, customer_id, changes, reason
                 FROM audit_log ORDER BY id",
            )?
            .query_map([], |r| {
                let changes: String = r.get(6)?;
                Ok(json!({
                    "action": r.get::<_, String>(0)?,
                    "actor": r.get::<_, String>(1)?,
                    "source": r.get::<_, Option<String>>(2)?,
                    "resource_type": r.get::<_, String>(3)?,
                    "resource_id": r.get::<_, Option<i64>>(4)?,
                    "customer_id": r.get::<_, Option<i64>>(5)?,
                    "changes": serde_json::from_str::<Value>(&changes).unwrap(),
                    "reason": r.get::<_, Option<String>>(7)?,
                }))
            })?
            .collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

/// The one row of `action` about `id`.
fn row(rows: &[Value], action: &str, id: i64) -> Value {
    let found: Vec<&Value> = rows
        .iter()
        .filter(|r| r["action"] == action && r["resource_id"] == id)
        .collect();
    assert_eq!(found.len(), 1, "{action} #{id}: {rows:#?}");
    found[0].clone()
}

#[test]
fn each_source_leaves_one_row_per_change_with_before_and_after() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-05-01 03:00:00 UTC)));
    let s = TestServer::start_on(clock.clone());
    let admin = s.create_staff("admin@example.com", Role::Admin, PW);
    let p = log_in(&s, "admin@example.com");
    let (_, _, _, token) = s.v2_client_token("*", ispbills::auth::principal::Tier::Standard);
    let client_actor = {
        let rows = trail(&s);
        rows.iter()
            .find(|r| r["action"] == "api_client.created")
            .map(|r| format!("client:{}", r["resource_id"]))
            .unwrap()
    };
    let user_actor = format!("user:{admin}");

    // Each change, by whom, and what its row must say.
    struct Case {
        source: &'static str,
        action: &'static str,
        actor: String,
        id: i64,
        changes: Value,
    }
    let mut cases: Vec<Case> = Vec::new();

    // The API (a v2 client): a package created, repriced, removed.
    let r = s.call(
        "POST",
        "/api/v2/packages",
        &token,
        Some(json!({"name": "Home 10", "price": 500, "speed_down_kbps": 10240, "speed_up_kbps": 5120})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let pkg = r.json()["data"]["id"].as_i64().unwrap();
    let r = s.call(
        "PUT",
        &format!("/api/v2/packages/{pkg}"),
        &token,
        Some(json!({"price": 650.5})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    cases.push(Case {
        source: "api",
        action: "package.updated",
        actor: client_actor.clone(),
        id: pkg,
        changes: json!({"price": {"before": 500, "after": 650.5}}),
    });
    // A change that changes nothing records nothing.
    let same = s.call(
        "PUT",
        &format!("/api/v2/packages/{pkg}"),
        &token,
        Some(json!({"price": 650.5})),
    );
    assert_eq!(same.status, 200);

    // The panel (the staff session): a customer, a bill and a payment.
    let monthly = s.create_package("Monthly 20", 1000);
    let r = p.send(
        "POST",
        "/api/v2/customers",
        Some(json!({"name": "Rahim Uddin", "phone": "01712345678", "package_id": monthly})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let customer = r.json()["data"]["id"].as_i64().unwrap();
    let r = p.send(
        "POST",
        "/api/v2/billing/bills",
        Some(json!({"customer_id": customer, "amount": 800.5, "currency": "BDT", "due_date": "2026-05-10", "description": "Setup"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let bill = r.json()["data"]["id"].as_i64().unwrap();
    let r = p.send(
        "PUT",
        &format!("/api/v2/billing/bills/{bill}"),
        Some(json!({"due_date": "2026-05-15"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    cases.push(Case {
        source: "panel",
        action: "bill.updated",
        actor: user_actor.clone(),
        id: bill,
        changes: json!({"due_date": {"before": "2026-05-10", "after": "2026-05-15"}}),
    });
    let r = p.send(
        "POST",
        "/api/v2/billing/payments",
        Some(
            json!({"customer_id": customer, "amount": 800.5, "currency": "BDT", "method": "cash"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let payment = r.json()["data"]["id"].as_i64().unwrap();

    // The command line: a staff user disabled, then a password set.
    s.create_staff("clerk@example.com", Role::Support, PW);
    let clerk = s
        .state
        .db
        .read(|c| ispbills::store::staff_users::find_by_email(c, "clerk@example.com"))
        .unwrap()
        .unwrap()
        .id;
    for args in [
        vec!["user", "disable", "--email", "clerk@example.com"],
        vec![
            "user",
            "set-password",
            "--email",
            "clerk@example.com",
            "--password",
            "another fine password",
        ],
    ] {
        let out = s.cli().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }

    // Removing the package: its last values are in the row.
    let r = s.call("DELETE", &format!("/api/v2/packages/{pkg}"), &token, None);
    assert_eq!(r.status, 204, "{}", r.body);
    let gone = row(&trail(&s), "package.deleted", pkg);
    assert_eq!(
        gone["changes"]["price"],
        json!({"before": 650.5, "after": null})
    );
    // The customer's history (the API's audit list by customer) has the
    // customer's own rows: created, the bills, the payment.
    let history = p
        .send(
            "GET",
            &format!("/api/v2/logs/audit?customer_id={customer}"),
            None,
        )
        .json();
    let actions: Vec<&str> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    for a in [
        "customer.created",
        "bill.created",
        "bill.updated",
        "payment.received",
    ] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }
    // The billing run, a month on: the customer's monthly bill.
    clock.set(datetime!(2026-06-01 00:10:00 UTC));
    let report = billing::run_for(
        &s.state.db,
        &s.state.config,
        clock.as_ref(),
        datetime!(2026-06-01 00:00:00 UTC).date(),
    )
    .unwrap();
    assert_eq!(report.bills_created, 1);

    let rows = trail(&s);
    for case in &cases {
        let r = row(&rows, case.action, case.id);
        assert_eq!(r["actor"], case.actor.as_str(), "{}: {r}", case.source);
        assert_eq!(r["changes"], case.changes, "{}: {r}", case.source);
    }
    // Through the network the caller's address is kept; not from the CLI or a job.
    assert_eq!(row(&rows, "package.updated", pkg)["source"], "127.0.0.1");
    assert_eq!(row(&rows, "bill.updated", bill)["source"], "127.0.0.1");
    assert_eq!(
        rows.iter()
            .filter(|r| r["action"] == "package.updated")
            .count(),
        1
    );

    let created = row(&rows, "package.created", pkg);
    assert_eq!(created["actor"], client_actor.as_str());
    assert_eq!(
        created["changes"]["name"],
        json!({"before": null, "after": "Home 10"})
    );
    assert_eq!(
        created["changes"]["price"],
        json!({"before": null, "after": 500})
    );

    let c = row(&rows, "customer.created", customer);
    assert_eq!(c["actor"], user_actor.as_str());
    assert_eq!(c["customer_id"], customer);
    assert_eq!(c["changes"]["phone"]["after"], "01712345678");

    let b = row(&rows, "bill.created", bill);
    assert_eq!(b["customer_id"], customer);
    assert_eq!(
        b["changes"]["amount"],
        json!({"before": null, "after": 800.5})
    );

    let pay = row(&rows, "payment.received", payment);
    assert_eq!(pay["actor"], user_actor.as_str());
    assert_eq!(pay["customer_id"], customer);
    assert_eq!(pay["changes"]["amount"]["after"], 800.5);
    assert_eq!(pay["changes"]["method"]["after"], "cash");

    let updates: Vec<&Value> = rows
        .iter()
        .filter(|r| r["action"] == "staff_user.updated" && r["resource_id"] == clerk)
        .collect();
    assert_eq!(updates.len(), 2, "{updates:#?}");
    assert_eq!(updates[0]["actor"], "system");
    assert_eq!(updates[0]["source"], Value::Null);
    assert_eq!(
        updates[0]["changes"],
        json!({"active": {"before": 1, "after": 0}})
    );
    // The password: changed, never its hash.
    assert_eq!(updates[1]["changes"], json!({"password": "changed"}));

    let run: Vec<&Value> = rows
        .iter()
        .filter(|r| r["action"] == "bill.created" && r["actor"] == "job:billing-run")
        .collect();
    assert_eq!(run.len(), 1, "{rows:#?}");
    assert_eq!(run[0]["customer_id"], customer);
    assert_eq!(run[0]["changes"]["amount"]["after"], 1000);
}

#[test]
fn secrets_are_recorded_as_changed_never_their_value() {
    let s = TestServer::start_with(
        |mut c| {
            c.webhooks.allow_loopback = true;
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let token = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/network/routers",
        &token,
        Some(json!({"name": "Core", "host": "127.0.0.1", "port": 1, "username": "api", "password": "s3cret-one"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let router = r.json()["data"]["id"].as_i64().unwrap();
    let r = s.call(
        "PUT",
        &format!("/api/v2/network/routers/{router}"),
        &token,
        Some(json!({"password": "s3cret-two", "name": "Core 1"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.call(
        "POST",
        "/api/v2/webhooks",
        &token,
        Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["customer.created"]})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let hook = r.json()["data"]["id"].as_i64().unwrap();
    let first = r.json()["data"]["secret"].as_str().unwrap().to_string();
    let r = s.call(
        "POST",
        &format!("/api/v2/webhooks/{hook}/rotate-secret"),
        &token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let second = r.json()["data"]["secret"].as_str().unwrap().to_string();

    let rows = trail(&s);
    let changed = row(&rows, "router.updated", router);
    assert_eq!(
        changed["changes"],
        json!({"name": {"before": "Core", "after": "Core 1"}, "password": "changed"})
    );
    assert_eq!(
        row(&rows, "webhook.secret_rotated", hook)["changes"],
        json!({"secret": "changed"})
    );
    let text = serde_json::to_string(&rows).unwrap();
    for secret in ["s3cret-one", "s3cret-two", first.as_str(), second.as_str()] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(
        !text.contains("sealed") && !text.contains("_hash"),
        "{text}"
    );
}

#[test]
fn a_refusal_is_recorded_at_most_ten_times_a_minute_per_caller() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-05-01 03:00:10 UTC)));
    let s = TestServer::start_full(
        |c| c,
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    let support = s.create_staff("support@example.com", Role::Support, PW);
    let p = log_in(&s, "support@example.com");
    for _ in 0..15 {
        p.send(
            "POST",
            "/api/v2/packages",
            Some(json!({"name": "X", "price": 1, "speed_down_kbps": 1, "speed_up_kbps": 1})),
        )
        .assert_error(403, "FORBIDDEN");
    }
    let denied = |s: &TestServer| -> Vec<Value> {
        trail(s)
            .into_iter()
            .filter(|r| r["action"] == "access.denied")
            .collect()
    };
    let rows = denied(&s);
    assert_eq!(rows.len(), 10, "{rows:#?}");
    let r = &rows[0];
    assert_eq!(r["actor"], format!("user:{support}"));
    assert_eq!(r["source"], "127.0.0.1");
    assert_eq!(r["resource_type"], "request");
    assert_eq!(
        r["changes"],
        json!({"method": "POST", "path": "/api/v2/packages"})
    );
    assert!(
        r["reason"].as_str().unwrap().contains("packages:write"),
        "{r}"
    );

    // The next minute: one row saying five were left out.
    clock.advance(Duration::seconds(60));
    p.send("DELETE", "/api/v2/packages/1", None)
        .assert_error(403, "FORBIDDEN");
    let rows = denied(&s);
    assert_eq!(rows.len(), 11);
    assert_eq!(rows[10]["changes"]["left_out"], 5, "{}", rows[10]);
    // The refusals are in the API's audit list, for whoever may read the logs.
    s.create_staff("admin@example.com", Role::Admin, PW);
    let a = log_in(&s, "admin@example.com");
    let list = a
        .send(
            "GET",
            "/api/v2/logs/audit?action=access.denied&per_page=100",
            None,
        )
        .json();
    assert_eq!(list["meta"]["total"], 11, "{list}");
}
