//! Checks the bKash and SSLCommerz stand-ins on their own, with plain HTTP
//! requests written here, so the sims are verified apart from the crate's
//! payment drivers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{
    bkash_sim::{self, BkashSim},
    receiver::Receiver,
    request,
    sslcommerz_sim::{self, SslCommerzSim},
};
use serde_json::{json, Value};

/// One request that does not follow redirects: (status, Location, body).
fn raw(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let mut b = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let resp = match body {
        Some(text) => agent.run(b.body(text.into_bytes()).unwrap()),
        None => agent.run(b.body(()).unwrap()),
    }
    .unwrap();
    let loc = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        resp.status().as_u16(),
        loc,
        resp.into_body().read_to_string().unwrap_or_default(),
    )
}

fn bk(sim: &BkashSim, op: &str, token: Option<&str>, key: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/tokenized/checkout{op}", sim.base_url());
    let mut h = vec![("content-type", "application/json"), ("x-app-key", key)];
    if op.starts_with("/token/") {
        h = vec![
            ("content-type", "application/json"),
            ("username", bkash_sim::USERNAME),
            ("password", bkash_sim::PASSWORD),
        ];
    }
    if let Some(t) = token {
        h.push(("authorization", t));
    }
    let r = request("POST", &url, &h, Some(body.to_string().as_bytes()));
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

#[test]
fn bkash_checkout_execute_query_refund() {
    let sim = BkashSim::start();
    let key = bkash_sim::APP_KEY;
    let creds = json!({"app_key": key, "app_secret": bkash_sim::APP_SECRET});
    let (_, g) = bk(&sim, "/token/grant", None, key, creds.clone());
    assert_eq!(
        (g["statusCode"].as_str(), g["expires_in"].as_i64()),
        (Some("0000"), Some(3600)),
        "{g}"
    );
    let token = g["id_token"].as_str().unwrap().to_string();
    let bad = request(
        "POST",
        &format!("{}/tokenized/checkout/token/grant", sim.base_url()),
        &[("username", "nobody"), ("password", "x")],
        Some(creds.to_string().as_bytes()),
    );
    assert!(bad.body.contains("\"9999\""), "{}", bad.body);

    let order = json!({"mode": "0011", "payerReference": "C-1", "callbackURL": "https://isp.example/cb?x=1",
        "amount": "500.00", "currency": "BDT", "intent": "sale", "merchantInvoiceNumber": "INV-1"});
    assert_eq!(bk(&sim, "/create", None, key, order.clone()).0, 401);
    assert_eq!(
        bk(&sim, "/create", Some(&token), "wrong", order.clone()).1["statusCode"],
        "2001"
    );
    let mut numeric = order.clone();
    numeric["amount"] = json!(500);
    assert_eq!(
        bk(&sim, "/create", Some(&token), key, numeric).1["statusCode"],
        "2006"
    );
    let (_, c) = bk(&sim, "/create", Some(&token), key, order.clone());
    assert_eq!(
        (c["statusCode"].as_str(), c["transactionStatus"].as_str()),
        (Some("0000"), Some("Initiated"))
    );
    let id = c["paymentID"].as_str().unwrap().to_string();

    // Executing before the customer paid, then the customer's browser.
    assert_eq!(
        bk(
            &sim,
            "/execute",
            Some(&token),
            key,
            json!({"paymentID": id})
        )
        .1["statusCode"],
        "2056"
    );
    let (status, to, _) = raw("GET", c["bkashURL"].as_str().unwrap(), &[], None);
    assert_eq!(status, 302);
    assert!(
        to.starts_with(&format!(
            "https://isp.example/cb?x=1&paymentID={id}&status=success&signature="
        )),
        "{to}"
    );
    let (_, e) = bk(
        &sim,
        "/execute",
        Some(&token),
        key,
        json!({"paymentID": id}),
    );
    assert_eq!(
        (e["transactionStatus"].as_str(), e["amount"].as_str()),
        (Some("Completed"), Some("500.00")),
        "{e}"
    );
    let trx = e["trxID"].as_str().unwrap().to_string();
    assert_eq!(
        bk(
            &sim,
            "/execute",
            Some(&token),
            key,
            json!({"paymentID": id})
        )
        .1["statusCode"],
        "2117"
    );
    let (_, q) = bk(
        &sim,
        "/payment/status",
        Some(&token),
        key,
        json!({"paymentID": id}),
    );
    assert_eq!(
        (q["transactionStatus"].as_str(), q["trxID"].as_str()),
        (Some("Completed"), Some(trx.as_str()))
    );
    let held = sim.payment(&id);
    assert_eq!((held.executes, held.queries), (3, 1));
    let (_, s) = bk(
        &sim,
        "/general/searchTransaction",
        Some(&token),
        key,
        json!({"trxID": trx}),
    );
    assert_eq!(s["transactionStatus"], "Completed");

    let refund = json!({"paymentID": id, "trxID": trx, "amount": "200", "sku": "S", "reason": "r"});
    let (_, r) = bk(&sim, "/payment/refund", Some(&token), key, refund.clone());
    assert_eq!(
        (r["transactionStatus"].as_str(), r["originalTrxID"].as_str()),
        (Some("Completed"), Some(trx.as_str()))
    );
    let mut too_much = refund.clone();
    too_much["amount"] = json!("300.01");
    assert_ne!(
        bk(&sim, "/payment/refund", Some(&token), key, too_much).1["statusCode"],
        "0000"
    );
    let (_, rs) = bk(
        &sim,
        "/payment/refund",
        Some(&token),
        key,
        json!({"paymentID": id, "trxID": trx}),
    );
    assert_eq!(rs["refundTrxID"], r["refundTrxID"]);

    // Other customers.
    sim.set_outcome(bkash_sim::Outcome::InsufficientBalance);
    let id2 = bk(&sim, "/create", Some(&token), key, order.clone()).1["paymentID"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(sim.customer_redirect(&id2).contains("status=success"));
    assert_eq!(
        bk(
            &sim,
            "/execute",
            Some(&token),
            key,
            json!({"paymentID": id2})
        )
        .1["statusCode"],
        "2023"
    );
    sim.set_outcome(bkash_sim::Outcome::Cancel);
    let id3 = bk(&sim, "/create", Some(&token), key, order.clone()).1["paymentID"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(sim.customer_redirect(&id3).contains("status=cancel"));
    assert_eq!(
        bk(
            &sim,
            "/payment/status",
            Some(&token),
            key,
            json!({"paymentID": id3})
        )
        .1["transactionStatus"],
        "Cancelled"
    );

    sim.expire_tokens();
    let (code, body) = bk(
        &sim,
        "/payment/status",
        Some(&token),
        key,
        json!({"paymentID": id}),
    );
    assert_eq!(
        (code, body["message"].as_str()),
        (401, Some("The incoming token has expired"))
    );
    assert_eq!(bk(&sim, "/nope", Some(&token), key, json!({})).0, 403);
    assert_eq!(sim.calls("/token/grant"), 2);
}

fn form_fields(html: &str) -> (String, Vec<(String, String)>) {
    let attr = |tag: &str, name: &str| {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..at + tag[at..].find('"').unwrap()]
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
    };
    let action = attr(&html[html.find("<form").unwrap()..], "action");
    let fields = html
        .split("<input ")
        .skip(1)
        .map(|t| (attr(t, "name"), attr(t, "value")))
        .collect();
    (action, fields)
}

#[test]
fn sslcommerz_session_page_validation_query_refund_ipn() {
    let sim = SslCommerzSim::start();
    let ipn = Receiver::ok();
    let mut form = vec![
        ("store_id", sslcommerz_sim::STORE_ID.to_string()),
        ("store_passwd", sslcommerz_sim::STORE_PASSWD.into()),
        ("total_amount", "1200.00".into()),
        ("currency", "BDT".into()),
        ("tran_id", "INV-77".into()),
        ("success_url", "https://isp.example/ok".into()),
        ("fail_url", "https://isp.example/fail".into()),
        ("cancel_url", "https://isp.example/cancel".into()),
        ("ipn_url", ipn.url("/ipn")),
        ("cus_name", "A".into()),
        ("cus_email", "a@b.c".into()),
        ("cus_add1", "Dhaka".into()),
        ("cus_city", "Dhaka".into()),
        ("cus_country", "Bangladesh".into()),
        ("cus_phone", "01700000000".into()),
        ("shipping_method", "NO".into()),
        ("product_name", "Internet".into()),
        ("product_category", "service".into()),
        ("product_profile", "non-physical-goods".into()),
    ];
    let init = |f: &[(&str, String)]| {
        let body = serde_urlencoded::to_string(f).unwrap();
        let h = [("content-type", "application/x-www-form-urlencoded")];
        let r = request(
            "POST",
            &format!("{}/gwprocess/v4/api.php", sim.base_url()),
            &h,
            Some(body.as_bytes()),
        );
        serde_json::from_str::<Value>(&r.body).unwrap()
    };
    let ok = init(&form);
    assert_eq!(ok["status"], "SUCCESS", "{ok}");
    form[1].1 = "wrong".into();
    assert_eq!(init(&form)["status"], "FAILED");

    let (status, _, html) = raw("GET", ok["GatewayPageURL"].as_str().unwrap(), &[], None);
    assert_eq!(status, 200);
    let (action, fields) = form_fields(&html);
    assert_eq!(action, "https://isp.example/ok");
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(
        (get("status"), get("amount"), get("tran_id")),
        ("VALID".into(), "1200.00".into(), "INV-77".into())
    );
    // verify_sign as the PHP library computes it, by hand.
    let mut pairs: Vec<(String, String)> = get("verify_key")
        .split(',')
        .map(|k| (k.to_string(), get(k)))
        .collect();
    pairs.push((
        "store_passwd".into(),
        sslcommerz_sim::md5_hex(sslcommerz_sim::STORE_PASSWD),
    ));
    pairs.sort();
    let joined = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    assert_eq!(sslcommerz_sim::md5_hex(&joined), get("verify_sign"));

    let api = |path: &str, q: &str| {
        let creds = format!(
            "store_id={}&store_passwd={}",
            sslcommerz_sim::STORE_ID,
            sslcommerz_sim::STORE_PASSWD
        );
        let url = format!(
            "{}/validator/api/{path}?{q}&{creds}&v=1&format=json",
            sim.base_url()
        );
        serde_json::from_str::<Value>(&request("GET", &url, &[], None).body).unwrap()
    };
    let val = format!("val_id={}", get("val_id"));
    assert_eq!(api("validationserverAPI.php", &val)["status"], "VALID");
    assert_eq!(api("validationserverAPI.php", &val)["status"], "VALIDATED");
    assert_eq!(
        api("validationserverAPI.php", "val_id=nope")["status"],
        "INVALID_TRANSACTION"
    );
    let q = api("merchantTransIDvalidationAPI.php", "tran_id=INV-77");
    assert_eq!(
        (
            q["no_of_trans_found"].as_i64(),
            q["element"][0]["status"].as_str()
        ),
        (Some(1), Some("VALIDATED"))
    );

    let bank = get("bank_tran_id");
    let refund = api(
        "merchantTransIDvalidationAPI.php",
        &format!("bank_tran_id={bank}&refund_amount=200&refund_remarks=x&refe_id=R1"),
    );
    assert_eq!(
        (refund["APIConnect"].as_str(), refund["status"].as_str()),
        (Some("DONE"), Some("success")),
        "{refund}"
    );
    let rq = api(
        "merchantTransIDvalidationAPI.php",
        &format!(
            "refund_ref_id={}",
            refund["refund_ref_id"].as_str().unwrap()
        ),
    );
    assert_eq!(rq["status"], "refunded");
    let over = api(
        "merchantTransIDvalidationAPI.php",
        &format!("bank_tran_id={bank}&refund_amount=1000.01&refund_remarks=x"),
    );
    assert_eq!(over["status"], "failed");

    assert_eq!(sim.send_ipn("INV-77").status, 200);
    let got = ipn.wait_for(1, std::time::Duration::from_secs(5));
    let posted: Vec<(String, String)> = serde_urlencoded::from_bytes(&got[0].body).unwrap();
    assert!(posted.contains(&("status".into(), "VALID".into())));

    sim.set_outcome(sslcommerz_sim::Outcome::Cancelled);
    form[1].1 = sslcommerz_sim::STORE_PASSWD.into();
    form[4].1 = "INV-78".into();
    let (_, _, html) = raw(
        "GET",
        init(&form)["GatewayPageURL"].as_str().unwrap(),
        &[],
        None,
    );
    assert_eq!(form_fields(&html).0, "https://isp.example/cancel");
}
