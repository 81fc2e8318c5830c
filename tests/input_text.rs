//! Free text in requests: control characters and bidirectional overrides are
//! refused (422 naming the field) by every operation's reader, exactly where
//! the OpenAPI document's own `pattern` refuses them; plain Bangla text is
//! accepted. Also: duplicate JSON keys (400), money read from its decimal text,
//! and `search` treating `%`, `_` and `\` literally.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::TestServer;
use ispbills::contract::text::{
    MULTI_LINE_NONBLANK_PATTERN, MULTI_LINE_PATTERN, SINGLE_LINE_NONBLANK_PATTERN,
    SINGLE_LINE_PATTERN,
};
use poem::EndpointExt;
use serde_json::{json, Value};

/// Bad values for single-line text, as the JSON strings a client sends.
const SINGLE_LINE_BAD: [&str; 12] = [
    "bell\u{7}",
    "nul\u{0}here",
    "line\nbreak",
    "trailing newline\n",
    "\ttab",
    "cr\r\nlf",
    "del\u{7F}",
    "c1 next line\u{85}",
    "c1\u{9B}31m",
    "evil\u{202E}gpj.exe",
    "\u{202A}embedding",
    "isolate\u{2067}",
];

/// Bad values for multi-line text (line feeds, CR LF and tabs are fine there).
const MULTI_LINE_BAD: [&str; 7] = [
    "bell\u{7}",
    "nul\u{0}",
    "lone\rcarriage return",
    "escape\u{1B}[31m",
    "c1\u{85}",
    "override\u{202E}",
    "isolate\u{2066}x",
];

const BANGLA: &str = "রহিম উদ্দিন, বাড়ি ১২, রোড ৫, ঢাকা";
const BANGLA_LINES: &str = "সংযোগ নেই।\nগতকাল থেকে\r\n\tলাইন বন্ধ";

/// A free-text field of an operation, found in the OpenAPI document.
#[derive(Debug, Clone)]
struct TextField {
    method: String,
    path: String,
    /// Body property, or query parameter when `query`.
    name: String,
    query: bool,
    /// A list of strings (each item under the rule).
    list: bool,
    multi_line: bool,
}

/// Every property and query parameter whose schema states the text rule.
fn text_fields() -> Vec<TextField> {
    let spec: Value = serde_json::from_str(&ispbills::api::spec_json()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let resolve = |s: &Value| -> Value {
        match s["$ref"].as_str() {
            Some(r) => schemas[r.rsplit('/').next().unwrap()].clone(),
            None => s.clone(),
        }
    };
    let rule_of = |s: &Value| match s["pattern"].as_str() {
        // (Required text states the rule's non-blank form.)
        Some(p) if p == SINGLE_LINE_PATTERN || p == SINGLE_LINE_NONBLANK_PATTERN => Some(false),
        Some(p) if p == MULTI_LINE_PATTERN || p == MULTI_LINE_NONBLANK_PATTERN => Some(true),
        _ => None,
    };
    let mut out = Vec::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let field = |name: &str, query, list, multi_line| TextField {
                method: method.to_uppercase(),
                path: path.clone(),
                name: name.to_string(),
                query,
                list,
                multi_line,
            };
            for p in op["parameters"].as_array().into_iter().flatten() {
                if let Some(multi) = rule_of(&p["schema"]) {
                    assert_eq!(p["in"], "query", "{path} {p}");
                    out.push(field(p["name"].as_str().unwrap(), true, false, multi));
                }
            }
            let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|s| resolve(&Value::Object(s.clone())))
            else {
                continue;
            };
            for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
                if let Some(multi) = rule_of(prop) {
                    out.push(field(name, false, false, multi));
                } else if let Some(multi) = rule_of(&prop["items"]) {
                    out.push(field(name, false, true, multi));
                }
            }
        }
    }
    out
}

/// Percent-encodes everything but unreserved characters.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

struct Tokens {
    v1: String,
    v2: String,
    /// A customer's, for the customer API (`/api/v2/me`).
    customer: String,
}

/// A server whose rate limits do not get in the way of hundreds of requests.
fn server() -> TestServer {
    TestServer::start_with(
        |mut config| {
            config.api.v1_standard_per_minute = 1_000_000;
            config.api.v2_high_volume_per_minute = 1_000_000;
            config.api.customer_per_minute = 1_000_000;
            config
        },
        |state| ispbills::app::routes(state).boxed(),
    )
}

fn tokens(s: &TestServer) -> Tokens {
    let v2 = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &v2,
        Some(json!({"name": "Text Tester", "phone": "01799999999",
                    "username": "text-tester", "password": "text-tester-pw"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.send(
        "POST",
        "/api/v2/me/login",
        &[("content-type", "application/json")],
        Some(br#"{"username":"text-tester","password":"text-tester-pw"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    Tokens {
        v1: s.login_admin_v1(),
        v2,
        customer: r.json()["access_token"].as_str().unwrap().to_string(),
    }
}

/// Sends `value` in `field` (ids in the path are 1; a fresh Idempotency-Key).
fn send(s: &TestServer, t: &Tokens, field: &TextField, value: &str) -> common::Reply {
    let path = field.path.replace("{id}", "1").replace("{account}", "1");
    let token = if path.starts_with("/api/v1/") || path.starts_with("/api/auth/") {
        &t.v1
    } else if path.starts_with("/api/v2/me") {
        &t.customer
    } else {
        &t.v2
    };
    let auth = format!("Bearer {token}");
    let key = format!("k-{}", uuid_ish());
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("idempotency-key", key.as_str()),
    ];
    if field.query {
        let url = format!("{path}?{}={}", field.name, encode(value));
        return s.send(&field.method, &url, &headers, None);
    }
    let value = if field.list {
        json!(["01712345678", value])
    } else {
        json!(value)
    };
    let body = json!({ field.name.as_str(): value }).to_string();
    headers.push(("content-type", "application/json"));
    s.send(&field.method, &path, &headers, Some(body.as_bytes()))
}

fn uuid_ish() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The messages the answer gives for `field` (none when it is not a 422).
fn messages(r: &common::Reply, field: &str) -> Vec<String> {
    if r.status != 422 {
        return Vec::new();
    }
    r.json()["error"]["details"][field]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| m.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn is_text_rule_message(m: &str) -> bool {
    m.contains("must not contain") && m.contains("text direction overrides")
}

#[test]
fn the_spec_states_the_rule_on_every_free_text_field() {
    let fields = text_fields();
    let has = |method: &str, path: &str, name: &str| {
        fields
            .iter()
            .any(|f| f.method == method && f.path == path && f.name == name)
    };
    // A sample of what must be there (the test below covers all that is).
    for (method, path, name) in [
        ("PUT", "/api/v1/operators/{id}", "name"),
        ("POST", "/api/v1/operators", "name"),
        ("POST", "/api/v1/customers", "name"),
        ("POST", "/api/v1/customers", "address"),
        ("PUT", "/api/v2/customers/{id}", "address"),
        ("POST", "/api/v2/complaints", "subject"),
        ("POST", "/api/v2/complaints", "body"),
        ("POST", "/api/v2/billing/bills", "description"),
        ("POST", "/api/v2/billing/payments", "transaction_id"),
        ("POST", "/api/v1/operators/{id}/fund", "note"),
        ("POST", "/api/v1/customers/{id}/action", "reason"),
        ("POST", "/api/v2/sms/broadcast", "phones"),
        ("POST", "/api/v2/sms/send", "message"),
        ("POST", "/api/v2/network/routers", "name"),
        ("POST", "/api/v2/vpn/accounts", "addresses"),
        ("GET", "/api/v2/customers", "search"),
        ("GET", "/api/v1/customers", "search"),
    ] {
        assert!(has(method, path, name), "{method} {path} {name}");
    }
    let multi: Vec<String> = fields
        .iter()
        .filter(|f| f.multi_line)
        .map(|f| format!("{} {} {}", f.method, f.path, f.name))
        .collect();
    assert_eq!(
        multi,
        [
            "POST /api/v2/complaints body",
            "PUT /api/v2/complaints/{id} body",
            "POST /api/v1/sms/send message",
            "POST /api/v2/sms/send message",
            "POST /api/v2/sms/broadcast message",
            "POST /api/v2/me/complaints body",
        ],
        "multi-line fields"
    );

    // Every string a request body takes is under the rule, has a stricter
    // pattern or format of its own, or is a secret read exactly as sent.
    let spec: Value = serde_json::from_str(&ispbills::api::spec_json()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let mut unruled = Vec::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let Some(r) =
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            else {
                continue;
            };
            let schema = &schemas[r.rsplit('/').next().unwrap()];
            for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
                for s in [prop, &prop["items"]] {
                    if s["type"] == "string" && s["pattern"].is_null() && s["format"].is_null() {
                        unruled.push(format!("{method} {path} {name}"));
                    }
                }
            }
        }
    }
    assert_eq!(
        unruled,
        [
            "post /api/auth/login password",
            "post /api/v2/me/login password",
            "put /api/v2/me/password current_password",
        ],
        "only passwords checked against what is stored are read exactly as sent \
         (a customer's is their router login's, whatever it holds)"
    );
}

#[test]
fn every_free_text_field_refuses_control_characters_and_overrides() {
    let s = server();
    let t = tokens(&s);
    let fields = text_fields();
    assert!(fields.len() > 50, "{} fields", fields.len());
    let mut failures = Vec::new();
    for field in &fields {
        let bad: &[&str] = if field.multi_line {
            &MULTI_LINE_BAD
        } else {
            &SINGLE_LINE_BAD
        };
        for value in bad {
            let r = send(&s, &t, field, value);
            let msgs = messages(&r, &field.name);
            if r.status != 422 || !msgs.iter().any(|m| is_text_rule_message(m)) {
                failures.push(format!(
                    "{} {} {} = {value:?}: {} {}",
                    field.method, field.path, field.name, r.status, r.body
                ));
            } else {
                let err = r.assert_error(422, "VALIDATION_ERROR");
                let label = field.name.replace('_', " ");
                assert!(
                    msgs.iter().any(|m| m.starts_with(&format!("The {label} "))),
                    "the message names the field: {err}"
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_free_text_field_accepts_bangla() {
    let s = server();
    let t = tokens(&s);
    let mut failures = Vec::new();
    for field in text_fields() {
        let value = if field.multi_line {
            BANGLA_LINES
        } else {
            BANGLA
        };
        let r = send(&s, &t, &field, value);
        assert!(r.status < 500, "{field:?}: {}", r.body);
        // Other rules may still refuse it (an email must be an email); the
        // text rule must not.
        if messages(&r, &field.name)
            .iter()
            .any(|m| is_text_rule_message(m))
        {
            failures.push(format!("{field:?}: {}", r.body));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Regression for schemathesis case KovIvg: an operator renamed to a control
/// character, a surrogate pair and 60 newlines was accepted (200).
#[test]
fn operator_name_with_control_characters_is_422() {
    let s = TestServer::start();
    let token = s.login_admin_v1();
    let r = s.call(
        "POST",
        "/api/v1/operators",
        &token,
        Some(json!({"name": "রহিম নেটওয়ার্ক"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["data"]["name"], "রহিম নেটওয়ার্ক");
    let id = r.json()["data"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/operators/{id}");
    // As schemathesis sent it: JSON escapes for the surrogate pair.
    let name = format!("\\u0010\\ud83d\\ude00{}", "\\n".repeat(60));
    let body = format!(r#"{{"name": "{name}"}}"#);
    let auth = format!("Bearer {token}");
    let r = s.send(
        "PUT",
        &path,
        &[
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ],
        Some(body.as_bytes()),
    );
    let err = r.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(
        err["details"]["name"][0],
        "The name must not contain line breaks, control characters or text direction overrides."
    );
    // Only newlines (trimmed away before, leaving a blank name or none).
    let r = s.call("PUT", &path, &token, Some(json!({"name": "\n".repeat(60)})));
    r.assert_error(422, "VALIDATION_ERROR");
    let r = s.call("PUT", &path, &token, Some(json!({"name": "New\nName"})));
    r.assert_error(422, "VALIDATION_ERROR");
    // Nothing changed.
    let list = s.call("GET", "/api/v1/operators", &token, None).json();
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["id"] == id)
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(names, ["রহিম নেটওয়ার্ক"], "{list}");
    // A surrogate pair is just an emoji.
    let r = s.call("PUT", &path, &token, Some(json!({"name": "রহিম 😀"})));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["name"], "রহিম 😀");
}

#[test]
fn lone_surrogates_are_malformed_json() {
    let s = TestServer::start();
    let token = s.login_admin_v1();
    let auth = format!("Bearer {token}");
    for body in [
        r#"{"name": "\ud800"}"#,
        r#"{"name": "x\udc00y"}"#,
        r#"{"name": "\ud83d\u0041"}"#,
    ] {
        let r = s.send(
            "POST",
            "/api/v1/operators",
            &[
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
            ],
            Some(body.as_bytes()),
        );
        r.assert_error(400, "BAD_REQUEST");
    }
}

#[test]
fn bangla_and_multi_line_text_round_trip() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let r = s.call(
        "POST",
        "/api/v2/customers",
        &token,
        Some(json!({"name": "রহিম উদ্দিন", "phone": "01712345678",
                    "address": "বাড়ি ১২, রোড ৫, ঢাকা", "connection_type": "static"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let customer = r.json()["data"].clone();
    assert_eq!(customer["name"], "রহিম উদ্দিন");
    assert_eq!(customer["address"], "বাড়ি ১২, রোড ৫, ঢাকা");
    let r = s.call(
        "POST",
        "/api/v2/complaints",
        &token,
        Some(
            json!({"customer_id": customer["id"], "subject": "সংযোগ নেই",
                    "body": BANGLA_LINES}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["data"]["body"], BANGLA_LINES);
    // A newline in the single-line subject is refused.
    let r = s.call(
        "POST",
        "/api/v2/complaints",
        &token,
        Some(json!({"customer_id": customer["id"], "subject": "সংযোগ\nনেই"})),
    );
    let err = r.assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["subject"].is_array(), "{err}");
}

#[test]
fn duplicate_keys_are_malformed_json() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let auth = format!("Bearer {token}");
    let post = |path: &str, body: &str| {
        s.send(
            "POST",
            path,
            &[
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
            ],
            Some(body.as_bytes()),
        )
    };
    for body in [
        r#"{"name": "A", "phone": "01712345678", "name": "B"}"#,
        r#"{"name": "A", "phone": "01712345678", "extra": {"k": 1, "k": 2}}"#,
        r#"{"name": "A", "phone": "01712345678", "extra": [{"k": 1}, {"j": 1, "j": 1}]}"#,
        r#"{"name": "A", "phone": "01712345678", "n\u0061me": "B"}"#,
    ] {
        let err = post("/api/v2/customers", body).assert_error(400, "BAD_REQUEST");
        assert!(
            err["message"].as_str().unwrap().contains("duplicate key `"),
            "{err}"
        );
    }
    // Nothing was written.
    let list = s.call("GET", "/api/v2/customers", &token, None).json();
    assert_eq!(list["meta"]["total"], 0, "{list}");
    // The same key in two sibling objects is not a duplicate.
    let r = post(
        "/api/v2/customers",
        r#"{"name": "A", "phone": "01712345678", "x": {"k": 1}, "y": {"k": 2}}"#,
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn money_is_read_from_its_decimal_text() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let customer = s
        .call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": "Payer", "phone": "01712345678"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    let auth = format!("Bearer {token}");
    let pay = |amount: &str| {
        let body =
            format!(r#"{{"customer_id": {customer}, "amount": {amount}, "method": "cash"}}"#);
        s.send(
            "POST",
            "/api/v2/billing/payments",
            &[
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
                ("idempotency-key", &format!("pay-{amount}")),
            ],
            Some(body.as_bytes()),
        )
    };
    for (text, message) in [
        (
            "0.30000000000000004",
            "The amount may have at most 2 decimal places.",
        ),
        (
            "0.29000000000000004",
            "The amount may have at most 2 decimal places.",
        ),
        ("0.001", "The amount may have at most 2 decimal places."),
        ("1e-3", "The amount may have at most 2 decimal places."),
        ("1e20", "The amount is too large."),
        ("123456789012345678901234567890", "The amount is too large."),
        ("-0.3", "The amount must be at least 0."),
        ("0", "The amount must be greater than 0."),
    ] {
        let err = pay(text).assert_error(422, "VALIDATION_ERROR");
        assert_eq!(err["details"]["amount"][0], message, "{text}");
    }
    for (text, paid) in [
        ("0.3", json!(0.3)),
        ("1e2", json!(100)),
        ("2.50", json!(2.5)),
    ] {
        let r = pay(text);
        assert_eq!(r.status, 201, "{text}: {}", r.body);
        assert_eq!(r.json()["data"]["amount"], paid, "{text}");
    }
}

#[test]
fn search_treats_wildcards_and_backslash_literally() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let names = [
        "%Percent Net",
        "_Under Net",
        "\\Back Net",
        "100% Fiber",
        "A_B Net",
        "AXB Net",
        "Plain Net",
        "Bad\\Slash",
    ];
    let mut ids = std::collections::HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let r = s.call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": name, "phone": format!("0171234567{i}")})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        ids.insert(*name, r.json()["data"]["id"].as_i64().unwrap());
    }
    let found = |term: &str| -> Vec<String> {
        let r = s.call(
            "GET",
            &format!("/api/v2/customers?sort=id&search={}", encode(term)),
            &token,
            None,
        );
        assert_eq!(r.status, 200, "{term}: {}", r.body);
        r.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    // One or two characters: the start of a name (or phone), wildcards literal.
    assert_eq!(found("%"), ["%Percent Net"]);
    assert_eq!(found("_"), ["_Under Net"]);
    assert_eq!(found("\\"), ["\\Back Net"]);
    assert_eq!(found("A_"), ["A_B Net"]);
    assert_eq!(found("%P"), ["%Percent Net"]);
    assert_eq!(found("a_"), ["A_B Net"], "letters A-Z in any case");
    assert_eq!(found("01"), names, "the start of the phone number");
    // Three or more: anywhere in the name, phone, email or login name.
    assert_eq!(found("0% F"), ["100% Fiber"]);
    assert_eq!(found("d\\S"), ["Bad\\Slash"]);
    assert_eq!(found("A_B"), ["A_B Net"]);
    assert_eq!(found("%%%"), Vec::<String>::new());
    assert_eq!(found("___"), Vec::<String>::new());
    // Control characters in a search are refused like anywhere else.
    for bad in ["\u{0}", "a\nb", "\u{202E}abc"] {
        let r = s.call(
            "GET",
            &format!("/api/v2/customers?search={}", encode(bad)),
            &token,
            None,
        );
        let err = r.assert_error(422, "VALIDATION_ERROR");
        assert!(err["details"]["search"].is_array(), "{err}");
    }
}

/// Regression for schemathesis case oiTvgH: `PUT /api/v2/billing/bills/{id}`
/// with the body " " changed nothing and answered 200. Whitespace alone is not
/// a JSON document; no body at all still reads as `{}`.
#[test]
fn a_body_of_whitespace_is_malformed_json() {
    let s = server();
    let token = s.v2_admin_token();
    let auth = format!("Bearer {token}");
    let customer = s
        .call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": "Payer", "phone": "01712345678"})),
        )
        .json()["data"]["id"]
        .as_i64()
        .unwrap();
    let bill_body = json!({"customer_id": customer, "amount": 295.44, "due_date": "2026-05-01"});
    let r = s.send(
        "POST",
        "/api/v2/billing/bills",
        &[
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
            ("idempotency-key", "bill-1"),
        ],
        Some(bill_body.to_string().as_bytes()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let path = format!("/api/v2/billing/bills/{}", r.json()["data"]["id"]);
    let put = |body: &str| {
        s.send(
            "PUT",
            &path,
            &[
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
            ],
            Some(body.as_bytes()),
        )
    };
    for body in [" ", "\n", "\t\r\n "] {
        let err = put(body).assert_error(400, "BAD_REQUEST");
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .starts_with("Malformed JSON"),
            "{err}"
        );
    }
    let r = put("");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"]["amount"], 295.44);
}
