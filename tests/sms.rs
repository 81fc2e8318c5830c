//! SMS end to end: the guide's send/broadcast/balance/history shapes, credits
//! (never negative, daily cap), the http gateway against a real local server,
//! the queue across a restart, and customer notifications from templates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use common::{
    receiver::{Answer, Receiver},
    TestServer,
};
use ispbills::{
    auth::principal::Tier, clock::format_timestamp, config::Config, sms::config::HttpGatewayConfig,
    store::sms,
};
use poem::EndpointExt;
use serde_json::{json, Value};

fn server_with(tweak: impl FnOnce(Config) -> Config) -> TestServer {
    TestServer::start_with(tweak, |state| ispbills::app::routes(state).boxed())
}

fn top_up(s: &TestServer, credits: i64) {
    let now = format_timestamp(time::OffsetDateTime::now_utc());
    s.state
        .db
        .write(move |tx| sms::top_up(tx, credits, Some("test"), &now))
        .unwrap();
}

fn history(s: &TestServer, token: &str, query: &str) -> Value {
    let r = s.call("GET", &format!("/api/v2/sms/history{query}"), token, None);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// Waits until every message in the history has left the queue.
fn settled(s: &TestServer, token: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let h = history(s, token, "?per_page=100");
        let data = h["data"].as_array().unwrap().clone();
        if data.len() == n
            && data
                .iter()
                .all(|m| m["status"] == "sent" || m["status"] == "failed")
        {
            return data;
        }
        assert!(Instant::now() < deadline, "not settled: {h}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn balance(s: &TestServer, token: &str) -> Value {
    let r = s.call("GET", "/api/v2/sms/balance", token, None);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["data"].clone()
}

fn http_gateway(url: String, success: Option<&str>) -> HttpGatewayConfig {
    HttpGatewayConfig {
        method: "POST".into(),
        url,
        encoding: "form".into(),
        params: BTreeMap::from([
            ("api_key".to_string(), "{api_key}".to_string()),
            ("senderid".to_string(), "{sender_id}".to_string()),
            ("number".to_string(), "{phone_digits}".to_string()),
            ("message".to_string(), "{message}".to_string()),
            ("ref".to_string(), "{message_id}".to_string()),
        ]),
        headers: BTreeMap::new(),
        api_key: "KEY-123".into(),
        success_status: vec![],
        success_body_contains: success.map(str::to_string),
        message_id_pointer: Some("/data/id".into()),
        timeout_secs: 5,
    }
}

#[test]
fn the_guides_examples_and_the_log_gateway() {
    let s = TestServer::start();
    top_up(&s, 4821);
    let v1 = s.login_admin_v1();
    let r = s.call(
        "POST",
        "/api/v1/sms/send",
        &v1,
        Some(json!({"phone": "01712345678",
                    "message": "Your monthly invoice of 1,200 BDT has been generated. Please pay before April 20."})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let data = r.json()["data"].clone();
    assert_eq!(
        data.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["message_id", "status", "phone"]
    );
    assert!(data["message_id"].as_str().unwrap().starts_with("sms_"));
    assert_eq!(data["status"], "queued");
    assert_eq!(data["phone"], "01712345678");

    let v2 = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/sms/send",
        &v2,
        Some(json!({"phone": "01712345678",
                    "message": "Dear customer, your payment of 1,500 BDT has been received. Thank you!"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let data = r.json()["data"].clone();
    assert_eq!(data["status"], "queued");
    assert_eq!(data["phone"], "01712345678");
    assert_eq!(data["credits_used"], 1);
    assert_eq!(data["credits_remaining"], 4819);

    // The log gateway marks them sent; the history shows both.
    let msgs = settled(&s, &v2, 2);
    assert!(msgs
        .iter()
        .all(|m| m["status"] == "sent" && m["attempts"] == 1));
    assert_eq!(msgs[0]["phone"], "01712345678");
    assert_eq!(msgs[0]["encoding"], "gsm7");
    let b = balance(&s, &v2);
    assert_eq!(b["credits_remaining"], 4819);
    assert_eq!(b["used_today"], 2);
    assert!(b["daily_limit"].is_null());
    assert_eq!(b["gateway"], "log");
    let r = s.call("GET", "/api/v1/sms/balance", &v1, None);
    assert_eq!(r.json()["data"]["credits_remaining"], 4819);
    let r = s.call(
        "GET",
        "/api/v1/sms/history?phone=%2B8801712345678",
        &v1,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["meta"]["total"], 2);
    let r = s.call("GET", "/api/v1/sms/history?status=failed", &v1, None);
    assert_eq!(r.json()["meta"]["total"], 0);
    let r = s.call("GET", "/api/v1/sms/history?phone=0171", &v1, None);
    r.assert_error(422, "VALIDATION_ERROR");
    // Scopes.
    let (_, _, _, read_only) = s.v2_client_token("sms:read", Tier::Standard);
    s.call(
        "POST",
        "/api/v2/sms/send",
        &read_only,
        Some(json!({"phone": "01712345678", "message": "x"})),
    )
    .assert_error(403, "FORBIDDEN");
}

#[test]
fn bad_input_and_missing_credits_queue_nothing() {
    let s = TestServer::start();
    let v2 = s.v2_admin_token();
    // No credits yet.
    let r = s.call(
        "POST",
        "/api/v2/sms/send",
        &v2,
        Some(json!({"phone": "01712345678", "message": "hello"})),
    );
    let err = r.assert_error(422, "VALIDATION_ERROR");
    assert!(
        err["details"]["message"][0]
            .as_str()
            .unwrap()
            .contains("Not enough SMS credits"),
        "{err}"
    );
    top_up(&s, 3);
    for (body, field) in [
        (json!({"phone": "0171234", "message": "x"}), "phone"),
        (json!({"phone": "abc", "message": "x"}), "phone"),
        (json!({"message": "x"}), "phone"),
        (json!({"phone": "01712345678"}), "message"),
        (json!({"phone": "01712345678", "message": "   "}), "message"),
        (
            json!({"phone": "01712345678", "message": "a".repeat(1601)}),
            "message",
        ),
        // 4 parts > 3 credits.
        (
            json!({"phone": "01712345678", "message": "a".repeat(460)}),
            "message",
        ),
        // Bangla: 11 UCS-2 parts > max_parts 10.
        (
            json!({"phone": "01712345678", "message": "ক".repeat(700)}),
            "message",
        ),
    ] {
        let r = s.call("POST", "/api/v2/sms/send", &v2, Some(body.clone()));
        let err = r.assert_error(422, "VALIDATION_ERROR");
        assert!(err["details"][field].is_array(), "{body}: {err}");
    }
    assert_eq!(history(&s, &v2, "")["meta"]["total"], 0);
    assert_eq!(balance(&s, &v2)["credits_remaining"], 3);
    // Bangla counts as UCS-2: 71 letters are two parts.
    let r = s.call(
        "POST",
        "/api/v2/sms/send",
        &v2,
        Some(json!({"phone": "+880 1712-345678", "message": "ক".repeat(71)})),
    );
    assert_eq!(r.json()["data"]["credits_used"], 2, "{}", r.body);
    assert_eq!(r.json()["data"]["phone"], "01712345678");
    let msgs = settled(&s, &v2, 1);
    assert_eq!(msgs[0]["encoding"], "ucs2");
    assert_eq!(msgs[0]["parts"], 2);
}

#[test]
fn broadcast_dedupes_names_bad_numbers_and_is_all_or_nothing() {
    let s = server_with(|mut c| {
        c.sms.max_broadcast = 3;
        c
    });
    top_up(&s, 20);
    let v2 = s.v2_admin_token();
    let msg =
        "Scheduled maintenance tonight from 02:00–04:00 AM. Service may be briefly interrupted.";
    let r = s.call(
        "POST",
        "/api/v2/sms/broadcast",
        &v2,
        Some(json!({"phones": ["01712345678", "01898765432", "01611223344"], "message": msg})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let data = r.json()["data"].clone();
    assert_eq!(data["count"], 3);
    // The en dash makes it UCS-2: 87 characters, two parts each.
    assert_eq!(data["credits_used"], 6);
    assert_eq!(data["credits_remaining"], 14);
    assert!(data["broadcast_id"].as_str().unwrap().starts_with("bc_"));
    let phones: Vec<&str> = data["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["phone"].as_str().unwrap())
        .collect();
    assert_eq!(phones, ["01712345678", "01898765432", "01611223344"]);

    // Repeats in other forms are one number.
    let r = s.call(
        "POST",
        "/api/v2/sms/broadcast",
        &v2,
        Some(
            json!({"phones": ["01712345678", "+8801712345678", "8801712345678"], "message": "hi"}),
        ),
    );
    assert_eq!(r.json()["data"]["count"], 1, "{}", r.body);
    assert_eq!(r.json()["data"]["duplicates_removed"], 2);

    // Each bad number is named; nothing is queued.
    let before = history(&s, &v2, "")["meta"]["total"].clone();
    let r = s.call(
        "POST",
        "/api/v2/sms/broadcast",
        &v2,
        Some(json!({"phones": ["01712345678", "12345", "0199"], "message": "hi"})),
    );
    let err = r.assert_error(422, "VALIDATION_ERROR");
    let msgs = err["details"]["phones"].as_array().unwrap();
    assert_eq!(msgs.len(), 2, "{err}");
    assert!(msgs[0].as_str().unwrap().contains("12345"));
    assert!(msgs[1].as_str().unwrap().contains("0199"));
    for body in [
        json!({"phones": ["01712345678", "01712345679", "01712345670", "01712345671"], "message": "hi"}),
        json!({"phones": [], "message": "hi"}),
        json!({"phones": "01712345678", "message": "hi"}),
    ] {
        s.call("POST", "/api/v2/sms/broadcast", &v2, Some(body))
            .assert_error(422, "VALIDATION_ERROR");
    }
    assert_eq!(history(&s, &v2, "")["meta"]["total"], before);
    // Too few credits for all: none is queued.
    let left = balance(&s, &v2)["credits_remaining"].as_i64().unwrap();
    let long = "ক".repeat(600); // 9 parts each
    let r = s.call(
        "POST",
        "/api/v2/sms/broadcast",
        &v2,
        Some(json!({"phones": ["01712345678", "01712345679", "01712345670"], "message": long})),
    );
    assert!(left < 27);
    r.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(history(&s, &v2, "")["meta"]["total"], before);
}

#[test]
fn credits_never_go_negative_and_the_daily_cap_holds() {
    let s = server_with(|mut c| {
        c.sms.daily_credit_cap = 8;
        c
    });
    top_up(&s, 5);
    let v2 = s.v2_admin_token();
    let accepted = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for n in 0..20 {
            let (s, v2, accepted) = (&s, &v2, &accepted);
            scope.spawn(move || {
                let r = s.call(
                    "POST",
                    "/api/v2/sms/send",
                    v2,
                    Some(json!({"phone": format!("0171200{n:04}"), "message": "x"})),
                );
                match r.status {
                    200 => {
                        accepted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    422 => {}
                    other => panic!("{other}: {}", r.body),
                }
            });
        }
    });
    assert_eq!(accepted.into_inner(), 5);
    assert_eq!(balance(&s, &v2)["credits_remaining"], 0);
    // The cap: 5 used today, 8 allowed.
    top_up(&s, 100);
    let send = |parts: usize| {
        s.call(
            "POST",
            "/api/v2/sms/send",
            &v2,
            Some(json!({"phone": "01712345678", "message": "a".repeat(153 * parts)})),
        )
    };
    assert_eq!(send(3).status, 200);
    let r = send(1);
    let err = r.assert_error(422, "VALIDATION_ERROR");
    assert!(
        err["details"]["message"][0]
            .as_str()
            .unwrap()
            .contains("daily SMS limit of 8"),
        "{err}"
    );
    let b = balance(&s, &v2);
    assert_eq!(b["used_today"], 8);
    assert_eq!(b["daily_limit"], 8);
}

#[test]
fn the_http_gateway_posts_the_template_retries_5xx_and_refunds_refusals() {
    let failed_once = std::sync::atomic::AtomicBool::new(false);
    let rx = Receiver::start(move |req, _| {
        let body = String::from_utf8_lossy(&req.body).into_owned();
        if body.contains("flaky") && !failed_once.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return Answer::status(503);
        }
        if body.contains("refuse") {
            let mut a = Answer::ok();
            a.body = r#"{"status":"FAILED","reason":"invalid sender"}"#.into();
            return a;
        }
        let mut a = Answer::ok();
        a.body = r#"{"status":"SUCCESS","data":{"id":"prov-77"}}"#.into();
        a
    });
    let url = rx.url("/api/send");
    let s = server_with(move |mut c| {
        c.sms.gateway = "http".into();
        c.sms.sender_id = "MyISP".into();
        c.sms.retry_schedule = vec![1];
        c.sms.http = Some(http_gateway(url, Some("SUCCESS")));
        c
    });
    top_up(&s, 10);
    let v2 = s.v2_admin_token();
    let send = |message: &str| {
        let r = s.call(
            "POST",
            "/api/v2/sms/send",
            &v2,
            Some(json!({"phone": "01712345678", "message": message})),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["data"]["message_id"].as_str().unwrap().to_string()
    };
    let ok_id = send("Hello & welcome");
    let got = rx.wait_for(1, Duration::from_secs(10));
    let form: BTreeMap<String, String> = serde_urlencoded::from_bytes(&got[0].body).unwrap();
    assert_eq!(form["api_key"], "KEY-123");
    assert_eq!(form["senderid"], "MyISP");
    assert_eq!(form["number"], "8801712345678");
    assert_eq!(form["message"], "Hello & welcome");
    assert_eq!(form["ref"], ok_id);
    assert_eq!(
        got[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    send("flaky one");
    send("refuse this");
    let msgs = settled(&s, &v2, 3);
    let by_text = |t: &str| msgs.iter().find(|m| m["message"] == t).unwrap().clone();
    let ok = by_text("Hello & welcome");
    assert_eq!(ok["status"], "sent");
    assert_eq!(ok["provider_message_id"], "prov-77");
    let flaky = by_text("flaky one");
    assert_eq!(
        (flaky["status"].clone(), flaky["attempts"].clone()),
        (json!("sent"), json!(2))
    );
    let refused = by_text("refuse this");
    assert_eq!(refused["status"], "failed");
    assert!(refused["error"]
        .as_str()
        .unwrap()
        .contains("invalid sender"));
    // The refused message's credit came back: 10 - 3 + 1.
    assert_eq!(balance(&s, &v2)["credits_remaining"], 8);
}

#[test]
fn the_queue_survives_a_restart_without_sending_twice() {
    // A stopped appliance's database: one message left `sending` by a crash
    // (it may have reached the provider), one still queued.
    let rx = Receiver::ok();
    let url = rx.url("/send");
    let dir = tempfile::TempDir::new().unwrap();
    {
        let db = ispbills::store::test_database::open(dir.path(), 2).unwrap();
        let now = format_timestamp(time::OffsetDateTime::now_utc());
        let stamp = now.clone();
        db.write(move |tx| sms::top_up(tx, 10, None, &stamp))
            .unwrap();
        for (phone, sending) in [("+8801711111111", true), ("+8801722222222", false)] {
            let now = now.clone();
            db.write(move |tx| {
                let m = sms::NewSms {
                    message_id: ispbills::sms::new_message_id().unwrap(),
                    phone: phone.into(),
                    body: "restart".into(),
                    encoding: "gsm7",
                    parts: 1,
                    source: "api",
                    event_id: None,
                    customer_id: None,
                    broadcast_id: None,
                    requested_by: None,
                    operator_id: None,
                };
                let limits = sms::Limits {
                    daily_cap: 0,
                    day_start: "2000-01-01T00:00:00Z",
                };
                let row = sms::queue(tx, &[m], limits, "message", 0, &now)?;
                if sending {
                    sms::mark_sending(tx, row[0].id, "http", "a-node-that-stopped", &now)?;
                }
                Ok(())
            })
            .unwrap();
        }
    }
    let path = dir.path().to_path_buf();
    let s = server_with(move |mut c| {
        c.database.url = common::database_url(&path);
        c.data_dir = path;
        c.sms.gateway = "http".into();
        c.sms.http = Some(http_gateway(url, None));
        c
    });
    let v2 = s.v2_admin_token();
    let msgs = settled(&s, &v2, 2);
    let interrupted = msgs.iter().find(|m| m["phone"] == "01711111111").unwrap();
    assert_eq!(interrupted["status"], "failed");
    assert!(
        interrupted["error"]
            .as_str()
            .unwrap()
            .contains("not sent again"),
        "{interrupted}"
    );
    let queued = msgs.iter().find(|m| m["phone"] == "01722222222").unwrap();
    assert_eq!(queued["status"], "sent");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        rx.received().len(),
        1,
        "the interrupted one is not sent twice"
    );
    // 10 - 2 debited; no refund for the one that may have gone out.
    assert_eq!(balance(&s, &v2)["credits_remaining"], 8);
    drop(s);

    // With the log gateway (nothing leaves the box) an interrupted message is
    // simply sent again.
    let dir2 = tempfile::TempDir::new().unwrap();
    {
        let db = ispbills::store::test_database::open(dir2.path(), 2).unwrap();
        let now = format_timestamp(time::OffsetDateTime::now_utc());
        db.write(move |tx| {
            sms::top_up(tx, 1, None, &now)?;
            let m = sms::NewSms {
                message_id: ispbills::sms::new_message_id().unwrap(),
                phone: "+8801733333333".into(),
                body: "again".into(),
                encoding: "gsm7",
                parts: 1,
                source: "api",
                event_id: None,
                customer_id: None,
                broadcast_id: None,
                requested_by: None,
                operator_id: None,
            };
            let limits = sms::Limits {
                daily_cap: 0,
                day_start: "2000-01-01T00:00:00Z",
            };
            let row = sms::queue(tx, &[m], limits, "message", 0, &now)?;
            sms::mark_sending(tx, row[0].id, "log", "a-node-that-stopped", &now)?;
            Ok(())
        })
        .unwrap();
    }
    let path = dir2.path().to_path_buf();
    let s = server_with(move |mut c| {
        c.database.url = common::database_url(&path);
        c.data_dir = path;
        c
    });
    let v2 = s.v2_admin_token();
    let msgs = settled(&s, &v2, 1);
    assert_eq!(msgs[0]["status"], "sent");
    assert_eq!(msgs[0]["attempts"], 2);
}

#[test]
fn notifications_follow_events_in_english_and_bangla() {
    for (language, expected) in [
        ("en", "Dear Karim Uddin, your bill of 1200 BDT has been generated. Please pay by 2026-04-20."),
        ("bn", "প্রিয় Karim Uddin, আপনার 1200 BDT বিল তৈরি হয়েছে। অনুগ্রহ করে 2026-04-20 তারিখের মধ্যে পরিশোধ করুন।"),
    ] {
        let s = server_with(|mut c| {
            c.sms.notifications.language = language.into();
            c.sms.notifications.customer_activated = false;
            c
        });
        top_up(&s, 50);
        let v2 = s.v2_admin_token();
        let r = s.call(
            "POST",
            "/api/v2/customers",
            &v2,
            Some(json!({"name": "Karim Uddin", "phone": "01712345678"})),
        );
        let customer = r.json()["data"]["id"].as_i64().unwrap();
        let r = s.call(
            "POST",
            "/api/v2/billing/bills",
            &v2,
            Some(json!({"customer_id": customer, "amount": 1200, "due_date": "2026-04-20"})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let v1 = s.login_admin_v1();
        for action in ["suspend", "activate"] {
            let r = s.call(
                "POST",
                &format!("/api/v1/customers/{customer}/action"),
                &v1,
                Some(json!({"action": action, "reason": "unpaid"})),
            );
            assert_eq!(r.status, 200, "{}", r.body);
        }
        // bill.generated and customer.suspended; activated is switched off and
        // customer.created never notifies.
        let msgs = settled(&s, &v2, 2);
        let bill = msgs.iter().find(|m| m["message"] == expected);
        assert!(bill.is_some(), "{language}: {msgs:?}");
        let bill = bill.unwrap();
        assert_eq!(bill["source"], "notification");
        assert_eq!(bill["customer_id"], customer);
        assert_eq!(bill["phone"], "01712345678");
        assert_eq!(bill["status"], "sent");
        assert_eq!(
            bill["encoding"],
            if language == "bn" { "ucs2" } else { "gsm7" }
        );
        assert!(msgs.iter().any(|m| m["message"]
            .as_str()
            .unwrap()
            .contains(if language == "bn" { "স্থগিত" } else { "suspended" })));
    }
}

#[test]
fn a_notification_without_credits_is_recorded_not_charged() {
    let s = TestServer::start();
    let v2 = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &v2,
        Some(json!({"name": "Rahim", "phone": "01812345678"})),
    );
    let customer = r.json()["data"]["id"].as_i64().unwrap();
    s.call(
        "POST",
        "/api/v2/billing/bills",
        &v2,
        Some(json!({"customer_id": customer, "amount": 500, "due_date": "2026-05-01"})),
    );
    let msgs = settled(&s, &v2, 1);
    assert_eq!(msgs[0]["status"], "failed");
    assert_eq!(msgs[0]["credits"], 0);
    assert!(msgs[0]["error"]
        .as_str()
        .unwrap()
        .contains("Not enough SMS credits"));
    assert_eq!(balance(&s, &v2)["credits_remaining"], 0);
}

#[test]
fn idempotency_key_replays_a_send() {
    let s = TestServer::start();
    top_up(&s, 10);
    let v2 = s.v2_admin_token();
    let auth = format!("Bearer {v2}");
    let body = json!({"phone": "01712345678", "message": "once"}).to_string();
    let send = || {
        s.send(
            "POST",
            "/api/v2/sms/send",
            &[
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
                ("idempotency-key", "k-1"),
            ],
            Some(body.as_bytes()),
        )
    };
    let a = send();
    let b = send();
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body, b.body);
    assert_eq!(balance(&s, &v2)["credits_remaining"], 9);
}

/// The two worked gateway examples shipped in assets/sms-gateways/, loaded as
/// an ISP would (a config file), pointed at a local provider stand-in.
#[test]
fn the_worked_gateway_examples_send_what_they_say() {
    for (file, answer) in [
        (
            "form-post.toml",
            r#"{"response_code":202,"message_id":91,"success_message":"SMS Submitted Successfully"}"#,
        ),
        (
            "json-post.toml",
            r#"{"status":"SUCCESS","status_code":200,"smsinfo":[{"sms_status":"SUCCESS","reference_id":"ref-5"}]}"#,
        ),
    ] {
        let rx = Receiver::start(move |_, _| {
            let mut a = Answer::ok();
            a.body = answer.into();
            a
        });
        let dir = tempfile::TempDir::new().unwrap();
        let text = std::fs::read_to_string(format!("assets/sms-gateways/{file}")).unwrap();
        let host = text
            .lines()
            .find_map(|l| l.strip_prefix("url = \""))
            .unwrap()
            .split('/')
            .take(3)
            .collect::<Vec<_>>()
            .join("/");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text.replace(&host, &format!("http://{}", rx.addr))).unwrap();
        let loaded = ispbills::config::load(Some(&path), &Default::default()).unwrap();
        let s = server_with(move |mut c| {
            c.sms = loaded.sms;
            c
        });
        top_up(&s, 5);
        let v2 = s.v2_admin_token();
        let r = s.call(
            "POST",
            "/api/v2/sms/send",
            &v2,
            Some(json!({"phone": "01712345678", "message": "Bill: 1,200 BDT"})),
        );
        let id = r.json()["data"]["message_id"].as_str().unwrap().to_string();
        let got = rx.wait_for(1, Duration::from_secs(10));
        let sent: BTreeMap<String, String> = if file == "json-post.toml" {
            assert_eq!(got[0].header("content-type"), Some("application/json"));
            assert_eq!(got[0].header("accept"), Some("application/json"));
            serde_json::from_slice(&got[0].body).unwrap()
        } else {
            serde_urlencoded::from_bytes(&got[0].body).unwrap()
        };
        let msgs = settled(&s, &v2, 1);
        assert_eq!(msgs[0]["status"], "sent", "{file}: {msgs:?}");
        if file == "json-post.toml" {
            assert_eq!(sent["msisdn"], "8801712345678");
            assert_eq!(sent["sms"], "Bill: 1,200 BDT");
            assert_eq!(sent["csms_id"], id);
            assert_eq!(sent["api_token"], "YOUR_API_TOKEN");
            assert_eq!(msgs[0]["provider_message_id"], "ref-5");
        } else {
            assert_eq!(sent["number"], "8801712345678");
            assert_eq!(sent["message"], "Bill: 1,200 BDT");
            assert_eq!(sent["senderid"], "8809612345678");
            assert_eq!(sent["type"], "text");
        }
    }
}
