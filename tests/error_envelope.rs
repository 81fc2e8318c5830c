//! Every non-2xx answer is the one envelope: unknown routes, wrong methods, big
//! bodies, malformed JSON, invalid fields, bad parameters, wrong content types and
//! panics — through the real layers, over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::TestServer;
use ispbills::{
    app,
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    paginated,
};
use poem::EndpointExt;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    Object, OpenApi, OpenApiService,
};

/// A request type read through `Fields`, like every real one.
#[derive(Debug, Object)]
struct ProbeCreate {
    name: String,
    email: String,
    age: Option<i64>,
    active: Option<bool>,
}

impl FromJsonObject for ProbeCreate {
    fn from_fields(f: &mut Fields) -> Self {
        let out = Self {
            name: f.required_string("name"),
            email: f.required_string("email"),
            age: f.optional_integer("age"),
            active: f.optional_bool("active"),
        };
        if out.age.is_some_and(|a| a < 0) {
            f.error("age", "The age must be at least 0.");
        }
        out
    }
}

#[derive(Debug, Clone, Object, serde::Serialize)]
struct Item {
    n: u32,
}

paginated!(ItemList, Item);

struct ProbeApi;

#[OpenApi]
impl ProbeApi {
    #[oai(path = "/api/probe", method = "post")]
    async fn create(&self, body: JsonBody<ProbeCreate>) -> ApiResult<Json<String>> {
        Ok(Json(body.0.name))
    }

    #[oai(path = "/api/probe/:id", method = "get")]
    async fn get(&self, id: Path<i64>) -> ApiResult<Json<i64>> {
        Ok(Json(id.0))
    }

    #[oai(path = "/api/probe-items", method = "get")]
    async fn list(
        &self,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<ItemList>> {
        let req = PageRequest::new(page.0, per_page.0);
        let all: Vec<Item> = (1..=45).map(|n| Item { n }).collect();
        let data = all
            .iter()
            .skip(req.offset() as usize)
            .take(req.limit() as usize)
            .cloned()
            .collect();
        Ok(Json(ItemList::new(data, all.len() as u64, &req)))
    }

    #[oai(path = "/api/probe-panic", method = "get")]
    async fn panics(&self) -> ApiResult<Json<String>> {
        let v: Vec<u8> = Vec::new();
        let i = v.len() + 3;
        Ok(Json(format!("{}", v[i])))
    }
}

fn probe_server() -> TestServer {
    TestServer::start_with(
        |mut c| {
            c.server.body_limit_bytes = 4096;
            c
        },
        |state| {
            let probe = OpenApiService::new(ProbeApi, "probe", "1");
            let routes = app::api_and_web_routes().at("/api/probe*rest", probe);
            app::with_common_layers(routes, state).boxed()
        },
    )
}

#[test]
fn unknown_routes_are_404_in_the_envelope() {
    let s = TestServer::start();
    for path in [
        "/nope",
        "/api/v1/nope",
        "/api/v2/customers/1/nope",
        "/docs/api/nope",
    ] {
        s.get(path).assert_error(404, "NOT_FOUND");
    }
    s.send("POST", "/definitely/not/here", &[], Some(b"{}"))
        .assert_error(404, "NOT_FOUND");
}

#[test]
fn wrong_method_is_405_in_the_envelope() {
    let s = TestServer::start();
    for method in ["POST", "PUT", "DELETE", "PATCH", "TRACE"] {
        let r = s.send(method, "/health", &[], None);
        r.assert_error(405, "METHOD_NOT_ALLOWED");
        assert_eq!(r.header("allow"), Some("GET, HEAD"), "{method}");
    }
    let r = s.send("DELETE", "/style.css", &[], None);
    r.assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
}

#[test]
fn bodies_over_the_limit_are_413() {
    // Default limit: 1 MiB, declared by Content-Length: refused before the body
    // is read (a client waiting for 100-continue sends nothing more).
    let s = TestServer::start();
    let answer = raw_request(
        &s,
        &format!(
            "POST /api/anything HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            1024 * 1024 + 1
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"code\":\"PAYLOAD_TOO_LARGE\""),
        "{answer}"
    );
    // Exactly the limit is not refused for its size.
    let answer = raw_request(
        &s,
        &format!(
            "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{}",
            1024 * 1024,
            " ".repeat(1024 * 1024)
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 405"), "{}", &answer[..200]);

    // A lower limit from the config, and a body that is read by a handler.
    let p = probe_server();
    let mut body = String::from("{\"name\":\"");
    body.push_str(&"x".repeat(5000));
    body.push_str("\",\"email\":\"a@b.co\"}");
    p.post_json("/api/probe", &body)
        .assert_error(413, "PAYLOAD_TOO_LARGE");
    // Just under the limit is fine.
    let ok = format!("{{\"name\":\"{}\",\"email\":\"a@b.co\"}}", "x".repeat(3000));
    assert_eq!(p.post_json("/api/probe", &ok).status, 200);
}

/// Sends raw bytes and reads the whole answer (the request must close).
fn raw_request(s: &TestServer, text: &str) -> String {
    use std::io::{Read, Write};
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.write_all(text.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn chunked_bodies_over_the_limit_are_413() {
    let p = probe_server();
    let chunk = "y".repeat(1000);
    let mut text = String::from(
        "POST /api/probe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    for _ in 0..6 {
        text.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    text.push_str("0\r\n\r\n");
    let answer = raw_request(&p, &text);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"code\":\"PAYLOAD_TOO_LARGE\""),
        "{answer}"
    );
}

#[test]
fn malformed_json_is_400() {
    let p = probe_server();
    for bad in ["{", "{\"name\": }", "not json", "{\"name\":\"a\",}"] {
        let err = p
            .post_json("/api/probe", bad)
            .assert_error(400, "BAD_REQUEST");
        assert!(err["message"].as_str().unwrap().contains("JSON"), "{err}");
    }
}

#[test]
fn invalid_fields_are_422_with_one_array_per_field() {
    let p = probe_server();
    let err = p
        .post_json(
            "/api/probe",
            r#"{"email": 5, "age": "old", "active": "yes"}"#,
        )
        .assert_error(422, "VALIDATION_ERROR");
    assert_eq!(err["message"], "The given data was invalid.");
    assert_eq!(
        err["details"],
        serde_json::json!({
            "name": ["The name field is required."],
            "email": ["The email must be a string."],
            "age": ["The age must be an integer."],
            "active": ["The active field must be true or false."]
        })
    );
    let err = p
        .post_json("/api/probe", r#"{"name":"  ","email":"a@b.co","age":-1}"#)
        .assert_error(422, "VALIDATION_ERROR");
    assert_eq!(
        err["details"],
        serde_json::json!({
            "name": ["The name field is required."],
            "age": ["The age must be at least 0."]
        })
    );
    // Not an object at all.
    let err = p
        .post_json("/api/probe", "[1,2]")
        .assert_error(422, "VALIDATION_ERROR");
    assert!(err["details"]["body"].is_array());
    // An empty body is an empty object: every required field is named.
    let err = p
        .post_json("/api/probe", "")
        .assert_error(422, "VALIDATION_ERROR");
    assert_eq!(err["details"].as_object().unwrap().len(), 2);
    // A body of whitespace alone is not JSON (nor is a form feed).
    for body in [" ", "\n", "\r\n\t ", "\u{c}"] {
        p.post_json("/api/probe", body)
            .assert_error(400, "BAD_REQUEST");
    }
    // Unknown keys are ignored; a good body passes.
    let ok = p.post_json(
        "/api/probe",
        r#"{"name":"Rafiq","email":"r@x.co","status":"active","balance":100}"#,
    );
    assert_eq!((ok.status, ok.json()), (200, serde_json::json!("Rafiq")));
}

#[test]
fn wrong_content_type_is_415() {
    let p = probe_server();
    p.send(
        "POST",
        "/api/probe",
        &[("content-type", "text/plain")],
        Some(b"{}"),
    )
    .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    p.send("POST", "/api/probe", &[], Some(b"{}"))
        .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    // application/json with a charset is JSON.
    let r = p.send(
        "POST",
        "/api/probe",
        &[("content-type", "application/json; charset=utf-8")],
        Some(br#"{"name":"a","email":"a@b.co"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn bad_path_ids_are_404() {
    let p = probe_server();
    assert_eq!(p.get("/api/probe/12").json(), serde_json::json!(12));
    p.get("/api/probe/abc").assert_error(404, "NOT_FOUND");
}

#[test]
fn panics_are_500_and_leak_nothing() {
    let p = probe_server();
    let err = p
        .get("/api/probe-panic")
        .assert_error(500, "INTERNAL_ERROR");
    let text = err.to_string();
    assert!(!text.contains("index out of bounds"), "{text}");
    assert!(!text.contains(".rs"), "{text}");
    // The server keeps answering.
    assert_eq!(p.get("/health").status, 200);
}

#[test]
fn pagination_defaults_meta_and_past_the_end() {
    let p = probe_server();
    let body = p.get("/api/probe-items").json();
    assert_eq!(body["data"].as_array().unwrap().len(), 20);
    assert_eq!(
        body["meta"],
        serde_json::json!({"current_page": 1, "per_page": 20, "total": 45, "last_page": 3})
    );
    let body = p.get("/api/probe-items?page=3&per_page=20").json();
    assert_eq!(body["data"].as_array().unwrap().len(), 5);
    assert_eq!(body["data"][0]["n"], 41);
    let body = p.get("/api/probe-items?page=2&per_page=100").json();
    assert_eq!(body["data"], serde_json::json!([]));
    assert_eq!(
        body["meta"],
        serde_json::json!({"current_page": 2, "per_page": 100, "total": 45, "last_page": 1})
    );
}

#[test]
fn pagination_rejects_bad_values_with_details() {
    let p = probe_server();
    for q in ["page=0", "page=-1", "page=abc", "page=1.5", "page="] {
        let err = p
            .get(&format!("/api/probe-items?{q}"))
            .assert_error(422, "VALIDATION_ERROR");
        let msgs = err["details"]["page"]
            .as_array()
            .unwrap_or_else(|| panic!("{q}: {err}"));
        assert!(
            msgs[0]
                .as_str()
                .unwrap()
                .starts_with("The page must be an integer"),
            "{q}: {err}"
        );
    }
    for q in ["per_page=0", "per_page=101", "per_page=ten", "per_page=1e2"] {
        let err = p
            .get(&format!("/api/probe-items?{q}"))
            .assert_error(422, "VALIDATION_ERROR");
        assert_eq!(
            err["details"]["per_page"],
            serde_json::json!(["The per_page must be an integer from 1 to 100."]),
            "{q}"
        );
    }
}
