//! The billing cycle on a fixed clock: bills on the billing day (once, however
//! often the day runs), suspension when overdue past grace (logged, with its
//! event), reactivation when a payment clears the dues (not for partial
//! payments, not for manual suspensions), and the command-line run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{ispbills, stderr, stdout, TestServer};
use ispbills::{clock::ManualClock, jobs::billing};
use serde_json::json;
use time::macros::{date, datetime};

struct World {
    s: TestServer,
    clock: Arc<ManualClock>,
}

impl World {
    fn new() -> Self {
        // 14:00 in Dhaka on 10 April: billing day 10.
        let clock = Arc::new(ManualClock::new(datetime!(2026-04-10 08:00:00 UTC)));
        Self {
            s: TestServer::start_on(clock.clone()),
            clock,
        }
    }

    fn token(&self) -> String {
        self.s.v2_admin_token()
    }

    fn customer(&self, package: i64) -> i64 {
        let r = self.s.call(
            "POST",
            "/api/v2/customers",
            &self.token(),
            Some(json!({"name": "Rafiq Ahmed", "phone": "01712345678", "package_id": package})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["data"]["id"].as_i64().unwrap()
    }

    fn run(&self, day: time::Date) -> ispbills::store::billing_run::RunReport {
        billing::run_for(
            &self.s.state.db,
            &self.s.state.config,
            self.clock.as_ref(),
            day,
        )
        .unwrap()
    }

    fn bills(&self, customer: i64) -> serde_json::Value {
        self.s
            .call(
                "GET",
                &format!("/api/v2/customers/{customer}/bills"),
                &self.token(),
                None,
            )
            .json()["data"]
            .clone()
    }

    fn status(&self, customer: i64) -> String {
        self.s
            .call(
                "GET",
                &format!("/api/v2/customers/{customer}"),
                &self.token(),
                None,
            )
            .json()["data"]["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn pay(&self, customer: i64, amount: f64) {
        let r = self.s.call(
            "POST",
            "/api/v2/billing/payments",
            &self.token(),
            Some(json!({"customer_id": customer, "amount": amount, "method": "cash"})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
}

#[test]
fn a_month_bills_once_on_the_billing_day() {
    let w = World::new();
    let pkg = w.s.create_package("Premium 50 Mbps", 1200);
    let c = w.customer(pkg);
    w.clock.set(datetime!(2026-05-10 00:10:00 UTC));
    assert_eq!(w.run(date!(2026 - 05 - 09)).bills_created, 0, "not its day");
    assert_eq!(w.run(date!(2026 - 05 - 10)).bills_created, 1);
    assert_eq!(
        w.run(date!(2026 - 05 - 10)).bills_created,
        0,
        "a second run makes no second bill"
    );
    let bills = w.bills(c);
    assert_eq!(bills.as_array().unwrap().len(), 1);
    let bill = &bills[0];
    assert_eq!(bill["amount"], json!(1200));
    assert_eq!(bill["status"], "unpaid");
    assert_eq!(bill["period_start"], "2026-05-10");
    assert_eq!(bill["period_end"], "2026-06-09");
    assert_eq!(bill["due_date"], "2026-05-17");
    assert_eq!(
        bill["description"],
        "Monthly subscription — Premium 50 Mbps (May 2026)"
    );
    let generated =
        w.s.events()
            .into_iter()
            .filter(|(k, _)| k == "bill.generated")
            .count();
    assert_eq!(generated, 1);
    // Every day of the month once: still one bill for May.
    for day in 1..=31 {
        if let Ok(d) = time::Date::from_calendar_date(2026, time::Month::May, day) {
            w.run(d);
        }
    }
    assert_eq!(w.bills(c).as_array().unwrap().len(), 1);
}

/// The run commits in chunks: a run cut short after one chunk (a crash)
/// resumes where it was, and every customer gets exactly one bill; suspension
/// of the overdue goes in chunks, too.
#[test]
fn a_run_in_chunks_resumes_without_a_second_bill() {
    use ispbills::store::billing_run::{self, RunSettings};
    let w = World::new();
    let pkg = w.s.create_package("Premium 50 Mbps", 1200);
    let customers: Vec<i64> = (0..7).map(|_| w.customer(pkg)).collect();
    let settings = |date: time::Date, now: time::OffsetDateTime| RunSettings {
        date,
        offset: w.s.state.config.isp.offset(),
        due_days: i64::from(w.s.state.config.billing.due_days),
        grace_days: i64::from(w.s.state.config.billing.grace_days),
        now,
    };
    let chunk = |set: &RunSettings| {
        w.s.state
            .db
            .write(|tx| billing_run::run_chunk(tx, set, 3))
            .unwrap()
    };
    w.clock.set(datetime!(2026-05-10 00:10:00 UTC));
    let may = settings(date!(2026 - 05 - 10), datetime!(2026-05-10 00:10:00 UTC));
    let (first, more) = chunk(&may);
    assert_eq!((first.bills_created, more), (3, true));
    // "Crash": the rest of the day is done by a fresh run.
    assert_eq!(w.run(date!(2026 - 05 - 10)).bills_created, 4);
    for c in &customers {
        assert_eq!(w.bills(*c).as_array().unwrap().len(), 1, "customer {c}");
    }
    // Overdue past grace: suspended 3, 3, then 1 — and nothing more.
    let late = datetime!(2026-06-05 00:10:00 UTC);
    w.clock.set(late);
    let june = settings(date!(2026 - 06 - 05), late);
    let mut suspended = Vec::new();
    loop {
        let (report, more) = chunk(&june);
        suspended.push(report.customers_suspended);
        if !more {
            break;
        }
    }
    assert_eq!(suspended, [3, 3, 1]);
    assert!(customers.iter().all(|c| w.status(*c) == "suspended"));
}

#[test]
fn overdue_suspends_and_a_clearing_payment_reactivates() {
    let w = World::new();
    let pkg = w.s.create_package("Home 20 Mbps", 800);
    let c = w.customer(pkg);
    let manual = w.customer(pkg);
    w.clock.set(datetime!(2026-05-10 00:10:00 UTC));
    w.run(date!(2026 - 05 - 10));
    // Due 17 May, grace 3 days: still active on the 20th, suspended on the 21st.
    assert_eq!(w.run(date!(2026 - 05 - 20)).customers_suspended, 0);
    assert_eq!(w.run(date!(2026 - 05 - 21)).customers_suspended, 2);
    assert_eq!(w.run(date!(2026 - 05 - 21)).customers_suspended, 0, "once");
    assert_eq!(w.status(c), "suspended");
    let (_, event) =
        w.s.events()
            .into_iter()
            .find(|(k, p)| k == "customer.suspended" && p["customer_id"] == c)
            .unwrap();
    assert!(
        event["reason"].as_str().unwrap().contains("overdue"),
        "{event}"
    );
    let log =
        w.s.call(
            "GET",
            "/api/v1/logs/auto-suspension",
            &w.s.login_admin_v1(),
            None,
        )
        .json();
    assert_eq!(log["meta"]["total"], 2);
    assert_eq!(log["data"][0]["reactivated_at"], json!(null));

    // A partial payment leaves the dues: still suspended.
    w.clock.set(datetime!(2026-05-22 06:00:00 UTC));
    w.pay(c, 300.0);
    assert_eq!(w.status(c), "suspended");
    // Clearing the rest reactivates, with its event and the log closed.
    w.pay(c, 500.0);
    assert_eq!(w.status(c), "active");
    assert!(w
        .s
        .events()
        .iter()
        .any(|(k, p)| k == "customer.activated" && p["customer_id"] == c));
    let log =
        w.s.call(
            "GET",
            "/api/v1/logs/auto-suspension",
            &w.s.login_admin_v1(),
            None,
        )
        .json();
    let entry = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["customer_id"] == c)
        .unwrap()
        .clone();
    assert!(entry["reactivated_at"].is_string());

    // A customer suspended by hand stays suspended after paying.
    let v1 = w.s.login_admin_v1();
    w.s.call(
        "POST",
        &format!("/api/v1/customers/{manual}/action"),
        &v1,
        Some(json!({"action": "activate"})),
    );
    w.s.call(
        "POST",
        &format!("/api/v1/customers/{manual}/action"),
        &v1,
        Some(json!({"action": "suspend", "reason": "abuse"})),
    );
    // The manual actions took over from the billing run: paying clears the dues
    // but leaves the manual suspension.
    w.pay(manual, 800.0);
    assert_eq!(w.status(manual), "suspended");
}

#[test]
fn subscriptions_are_listed_in_v1() {
    let w = World::new();
    let pkg = w.s.create_package("Home 20 Mbps", 800);
    w.customer(pkg);
    let r = w.s.call(
        "GET",
        "/api/v1/subscriptions?status=active",
        &w.s.login_admin_v1(),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["meta"]["total"], 1);
    assert_eq!(r.json()["data"][0]["package"]["name"], "Home 20 Mbps");
}

#[test]
fn the_command_line_runs_a_day() {
    let root = tempfile::TempDir::new().unwrap();
    assert!(ispbills(root.path())
        .args(["demo", "--customers", "300"])
        .status()
        .unwrap()
        .success());
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+6))
        .date();
    let day = today.to_string();
    let out = ispbills(root.path())
        .args(["billing", "run", "--date", &day])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let first = stdout(&out);
    assert!(first.contains("bills created"), "{first}");
    let out = ispbills(root.path())
        .args(["billing", "run", "--date", &day])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(": 0 bills created"),
        "{}",
        stdout(&out)
    );
    let out = ispbills(root.path())
        .args(["billing", "run", "--date", "2026-02-30"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
