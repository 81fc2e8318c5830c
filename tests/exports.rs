//! CSV exports of customers, bills, payments and the audit trail: from the
//! API (streamed, `text/csv`, UTF-8 with a byte-order mark, the list's
//! filters) and the command line (the same rows); more rows than one chunk;
//! Bangla kept; text a spreadsheet would run as a formula kept as text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{stderr, TestServer};
use ispbills::{
    auth::principal::Tier,
    store::customers::{self, NewCustomer},
};
use serde_json::json;

const BOM: &str = "\u{feff}";

/// The header and the rows of a CSV text that starts with a byte-order mark.
fn parse(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let body = body.strip_prefix(BOM).expect("a byte-order mark");
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn customers_bills_payments_and_the_trail_export_as_csv() {
    let s = TestServer::start();
    let token = s.v2_admin_token();
    let pkg = s.create_package("Home 20 Mbps", 800);
    let make = |name: &str, phone: &str| -> i64 {
        let r = s.call(
            "POST",
            "/api/v2/customers",
            &token,
            Some(json!({"name": name, "phone": phone, "package_id": pkg,
                        "email": format!("{phone}@example.com")})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    };
    let rahim = make("রহিম উদ্দিন", "01711111111");
    let tricky = make("=HYPERLINK(\"http://x\")", "01722222222");
    // More than one chunk (500 rows) of plain customers, straight into the store.
    s.state
        .db
        .write(move |tx| {
            for i in 0..1_100 {
                customers::create(
                    tx,
                    &NewCustomer {
                        name: format!("Bulk {i:04}"),
                        phone: format!("0181{i:07}"),
                        connection_type: "pppoe".into(),
                        ..NewCustomer::default()
                    },
                    time::OffsetDateTime::now_utc(),
                )?;
            }
            Ok(())
        })
        .unwrap();

    // Customers: every one, in id order, with the header; Bangla as it was.
    let r = s.get_auth("/api/v2/exports/customers", &token);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let disposition = r.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"customers-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let (header, rows) = parse(&r.body);
    assert_eq!(header[..4], ["id", "username", "name", "phone"]);
    assert_eq!(rows.len(), 1_102);
    let ids: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order");
    let row = |id: i64| {
        rows.iter()
            .find(|r| r[0] == id.to_string())
            .unwrap()
            .clone()
    };
    assert_eq!(row(rahim)[2], "রহিম উদ্দিন");
    assert_eq!(row(rahim)[6], "Home 20 Mbps");
    // A formula stays text.
    assert_eq!(row(tricky)[2], "'=HYPERLINK(\"http://x\")");

    // Filters as the list's: the search, and a status.
    let (_, found) = parse(
        &s.get_auth("/api/v2/exports/customers?search=01722", &token)
            .body,
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0][0], tricky.to_string());
    let (_, bulk) = parse(
        &s.get_auth("/api/v2/exports/customers?search=bulk%2000", &token)
            .body,
    );
    assert_eq!(bulk.len(), 100, "Bulk 0000 to Bulk 0099");
    let (_, none) = parse(
        &s.get_auth("/api/v2/exports/customers?status=inactive", &token)
            .body,
    );
    assert!(none.is_empty());
    // A bad filter is the API's error, before any CSV.
    let bad = s.get_auth("/api/v2/exports/customers?package_id=0", &token);
    assert!(bad.status == 400 || bad.status == 422, "{}", bad.body);
    assert!(bad.json()["error"]["code"].is_string());

    // Bills and payments, with their filters.
    let r = s.call(
        "POST",
        "/api/v2/billing/bills",
        &token,
        Some(
            json!({"customer_id": rahim, "amount": 800.5, "currency": "BDT",
                    "due_date": "2026-12-10", "description": "ইন্টারনেট, ডিসেম্বর"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let bill = r.json()["data"]["id"].as_i64().unwrap();
    let r = s.call(
        "POST",
        "/api/v2/billing/payments",
        &token,
        Some(json!({"customer_id": rahim, "amount": 300, "method": "bkash", "transaction_id": "TRX1"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let payment = r.json()["data"]["id"].as_i64().unwrap();
    let (header, bills) = parse(
        &s.get_auth(
            &format!("/api/v2/exports/bills?customer_id={rahim}"),
            &token,
        )
        .body,
    );
    assert_eq!(header[..4], ["id", "customer_id", "amount", "paid"]);
    assert_eq!(bills.len(), 1);
    assert_eq!(bills[0][0], bill.to_string());
    assert_eq!(bills[0][2], "800.50");
    assert_eq!(bills[0][3], "300.00");
    assert_eq!(bills[0][5], "partial");
    assert_eq!(bills[0][7], "ইন্টারনেট, ডিসেম্বর");
    let (_, other) = parse(
        &s.get_auth(
            &format!("/api/v2/exports/bills?customer_id={tricky}"),
            &token,
        )
        .body,
    );
    assert!(other.is_empty());
    let (_, pays) = parse(&s.get_auth("/api/v2/exports/payments", &token).body);
    assert_eq!(pays.len(), 1);
    assert_eq!(pays[0][0], payment.to_string());
    assert_eq!(pays[0][3], "300.00");
    assert_eq!(pays[0][5], "bkash");

    // The trail, newest first; a token without logs:read gets the rows about
    // customers only.
    let (header, trail) = parse(&s.get_auth("/api/v2/exports/audit", &token).body);
    assert_eq!(header[..3], ["id", "at", "actor"]);
    let trail_ids: Vec<i64> = trail.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(trail_ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(trail.iter().any(|r| r[5] == "payment.received"));
    assert!(trail.iter().any(|r| r[5] == "api_client.created"));
    let (_, _, _, reader) = s.v2_client_token("customers:read", Tier::Standard);
    let (_, mine) = parse(&s.get_auth("/api/v2/exports/audit", &reader).body);
    assert!(!mine.is_empty());
    assert!(
        mine.iter().all(|r| !r[8].is_empty()),
        "only rows about customers"
    );
    // Bills need billing:read.
    s.get_auth("/api/v2/exports/bills", &reader)
        .assert_error(403, "FORBIDDEN");

    // The command line writes the same rows as the API does now.
    let (_, rows) = parse(&s.get_auth("/api/v2/exports/customers", &token).body);
    let out = s.data_dir().join("customers.csv");
    let run = s
        .cli()
        .args(["export", "customers", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let text = std::fs::read_to_string(&out).unwrap();
    let (_, cli_rows) = parse(&text);
    assert_eq!(cli_rows, rows);
    let run = s.cli().args(["export", "payments"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let (_, cli_pays) = parse(&String::from_utf8(run.stdout).unwrap());
    assert_eq!(cli_pays, pays);
}
