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

    /// `GET /api/v1/logs/auto-suspension` as the admin.
    fn auto_suspension_log(&self) -> serde_json::Value {
        self.s
            .call(
                "GET",
                "/api/v1/logs/auto-suspension",
                &self.s.login_admin_v1(),
                None,
            )
            .json()
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

/// The run commits in chunks: each step reads its candidates once, then
/// handles them in chunks, each its own transaction. A run cut short after one
/// chunk (a crash) resumes where it was, and every customer gets exactly one
/// bill; a chunk done twice changes nothing; and a chunk checks its customers
/// again, so what the API changed since the candidates were read holds.
#[test]
fn a_run_in_chunks_resumes_without_a_second_bill() {
    use ispbills::store::billing_run::{self, RunSettings, Step};
    let w = World::new();
    let pkg = w.s.create_package("Premium 50 Mbps", 1200);
    let customers: Vec<i64> = (0..8).map(|_| w.customer(pkg)).collect();
    let db = &w.s.state.db;
    let candidates =
        |set: &RunSettings, step: Step| db.read(|c| billing_run::candidates(c, set, step)).unwrap();
    let chunk = |set: &RunSettings, step: Step, ids: &[i64]| {
        let (set, ids) = (*set, ids.to_vec());
        db.write(move |tx| billing_run::run_chunk(tx, &set, step, &ids))
            .unwrap()
    };
    // A customer changed by hand (a fresh login: the clock moves on).
    let action = |c: i64, action: &str| {
        let r = w.s.call(
            "POST",
            &format!("/api/v1/customers/{c}/action"),
            &w.s.login_admin_v1(),
            Some(json!({"action": action, "reason": "by hand"})),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    };
    w.clock.set(datetime!(2026-05-10 00:10:00 UTC));
    let may = billing::settings(&w.s.state.config, w.clock.as_ref(), date!(2026 - 05 - 10));
    let due = candidates(&may, Step::Bills);
    assert_eq!(due, customers);
    // Billed by hand after the read: its chunk skips it (no conflict).
    let r = w.s.call(
        "POST",
        "/api/v2/billing/bills",
        &w.token(),
        Some(
            json!({"customer_id": customers[7], "amount": 1200, "due_date": "2026-05-17",
                    "period_start": "2026-05-10", "period_end": "2026-06-09"}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let first = chunk(&may, Step::Bills, &due[..3]);
    assert_eq!(first.bills_created, 3);
    assert_eq!(
        chunk(&may, Step::Bills, &due[..3]).bills_created,
        0,
        "again"
    );
    // "Crash": the rest of the day is done by a fresh run.
    assert_eq!(w.run(date!(2026 - 05 - 10)).bills_created, 4);
    for c in &customers {
        assert_eq!(w.bills(*c).as_array().unwrap().len(), 1, "customer {c}");
    }
    // Overdue past grace, in chunks of 3.
    let late = datetime!(2026-06-05 00:10:00 UTC);
    w.clock.set(late);
    let june = billing::settings(&w.s.state.config, w.clock.as_ref(), date!(2026 - 06 - 05));
    let overdue = candidates(&june, Step::Overdue);
    assert_eq!(overdue, customers);
    // After the read, one customer pays and another is suspended by hand:
    // neither is suspended by the run.
    w.pay(customers[0], 1200.0);
    action(customers[4], "suspend");
    let suspended: Vec<usize> = overdue
        .chunks(3)
        .map(|ids| chunk(&june, Step::Overdue, ids).customers_suspended)
        .collect();
    assert_eq!(suspended, [2, 2, 2]);
    assert!(candidates(&june, Step::Overdue).is_empty());
    assert_eq!(w.run(date!(2026 - 06 - 05)).customers_suspended, 0);
    assert_eq!(w.status(customers[0]), "active");
    assert!(customers[1..].iter().all(|c| w.status(*c) == "suspended"));
    let log = w.auto_suspension_log();
    assert_eq!(log["meta"]["total"], 6, "{log}");
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
    let log = w.auto_suspension_log();
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
    let log = w.auto_suspension_log();
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

    // The audit trail says who changed each status, and why, newest first.
    let trail = |query: &str| {
        let r = w.s.call(
            "GET",
            &format!("/api/v2/logs/audit?{query}"),
            &w.token(),
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    };
    let rows = trail(&format!("customer_id={c}"));
    // The status changes (the trail also holds the customer's creation, its
    // bill and the payments).
    let seen: Vec<(String, String, String)> = rows["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "customer.suspended" || r["action"] == "customer.activated")
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_string(),
                r["actor"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let bill = w.bills(c)[0]["id"].as_i64().unwrap();
    assert_eq!(
        seen,
        vec![
            (
                "customer.activated".into(),
                "job:payment-clearance".into(),
                "payment cleared the dues".into()
            ),
            (
                "customer.suspended".into(),
                "job:billing-run".into(),
                format!("bill #{bill} overdue since 2026-05-17")
            ),
        ]
    );
    let suspended = rows["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "customer.suspended")
        .unwrap();
    assert_eq!(
        suspended["changes"],
        json!({"status": {"before": "active", "after": "suspended"}})
    );
    assert_eq!(suspended["resource_type"], "customer");
    assert_eq!(suspended["resource_id"], c);
    let by_hand = trail(&format!("customer_id={manual}&action=customer.suspended"));
    assert_eq!(by_hand["meta"]["total"], 2, "{by_hand}");
    assert_eq!(by_hand["data"][0]["reason"], "abuse");
    assert!(
        by_hand["data"][0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("user:"),
        "{by_hand}"
    );
    assert_eq!(by_hand["data"][1]["actor"], "job:billing-run");
    assert!(by_hand["data"][0]["actor_name"].is_string(), "{by_hand}");
    assert_eq!(by_hand["data"][1]["actor_name"], json!(null));

    // An edit: each changed field before and after, the password only as changed.
    let r = w.s.call(
        "PUT",
        &format!("/api/v2/customers/{c}"),
        &w.token(),
        Some(json!({"phone": "01812345678", "name": "Rafiq Ahmed", "password": "new-secret-9"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let edit = trail(&format!("customer_id={c}&action=customer.updated"));
    assert_eq!(edit["meta"]["total"], 1, "{edit}");
    assert_eq!(
        edit["data"][0]["changes"],
        json!({
            "phone": {"before": "01712345678", "after": "01812345678"},
            "login_password": "changed"
        })
    );
    assert!(edit["data"][0]["actor"]
        .as_str()
        .unwrap()
        .starts_with("client:"));
    assert!(!edit.to_string().contains("new-secret-9"));
    // From the caller's address; a job has none.
    assert_eq!(edit["data"][0]["source"], "127.0.0.1");
    assert_eq!(by_hand["data"][0]["source"], "127.0.0.1");
    assert_eq!(by_hand["data"][1]["source"], json!(null));
    // Filters by actor and resource; nothing outside them.
    // The run's two suspensions, and the two monthly bills it made.
    assert_eq!(trail("actor=job:billing-run")["meta"]["total"], 4);
    assert_eq!(
        trail("actor=job:billing-run&resource=customer")["meta"]["total"],
        2
    );
    assert_eq!(
        trail(&format!("resource=customer&resource_id={manual}"))["meta"]["total"],
        4,
        "created, suspended by the run, activated and suspended by hand"
    );
    assert_eq!(trail("actor=nobody")["meta"]["total"], 0);
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

/// The work of a day's run over 2,000 customers, counted in SQLite VM steps
/// (a count, not a time): the same in a year with 2,000 or 4,000 invoices
/// already numbered as in a year with none (numbering scanned the year's
/// invoices before the per-year counter), and the same in chunks of 100 as in
/// one chunk (each chunk read every candidate again before the candidates
/// were read once per step).
#[test]
fn a_run_costs_the_same_whatever_the_invoices_and_chunks() {
    use ispbills::store::{
        billing_run::{self, RunSettings, Step},
        sql, Db,
    };
    use std::sync::atomic::{AtomicU64, Ordering};
    const CUSTOMERS: usize = 2_000;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), 1).unwrap();
    let mut conn = db.conn().unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO packages (id, name, price_minor, speed_down_kbps, speed_up_kbps,
                               created_at, updated_at)
         VALUES (1, 'Home 20 Mbps', 80000, 20000, 5000, '2026-04-10T08:00:00Z', '2026-04-10T08:00:00Z');
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {CUSTOMERS})
         INSERT INTO customers (id, name, phone, connection_type, package_id, created_at, updated_at)
         SELECT i, 'Customer ' || i, '0171' || printf('%07d', i), 'pppoe', 1,
                '2026-04-10T08:00:00Z', '2026-04-10T08:00:00Z' FROM n;
         INSERT INTO subscriptions (customer_id, package_id, starts_at, status)
         SELECT id, 1, '2026-04-10T08:00:00Z', 'active' FROM customers;"
    ))
    .unwrap();
    let steps = Arc::new(AtomicU64::new(0));
    let counter = steps.clone();
    conn.progress_handler(
        1,
        Some(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            false
        }),
    )
    .unwrap();
    // The day's run as `billing::run_in_chunks` takes it, on this connection:
    // each step's candidates once, then chunk by chunk.
    let mut run = |month: time::Month, chunk: usize| -> u64 {
        let date = time::Date::from_calendar_date(2026, month, 10).unwrap();
        let settings = RunSettings {
            date,
            offset: time::macros::offset!(+6),
            due_days: 7,
            // Nothing overdue yet: every run does the same work, bills only.
            grace_days: 90,
            now: date.midnight().assume_utc(),
        };
        let before = steps.load(Ordering::Relaxed);
        let mut bills = 0;
        for step in Step::ALL {
            let ids =
                billing_run::candidates(&sql::Connection::sqlite(&conn), &settings, step).unwrap();
            for ids in ids.chunks(chunk) {
                let raw = conn.transaction().unwrap();
                let tx = sql::Transaction::on(sql::Connection::sqlite(&raw));
                bills += billing_run::run_chunk(&tx, &settings, step, ids)
                    .unwrap()
                    .bills_created;
                raw.commit().unwrap();
            }
        }
        assert_eq!(bills, CUSTOMERS, "{month}");
        steps.load(Ordering::Relaxed) - before
    };
    let none_before = run(time::Month::May, CUSTOMERS);
    let after_2000 = run(time::Month::June, CUSTOMERS);
    let after_4000_in_chunks = run(time::Month::July, 100);
    let within = |n: u64| n.abs_diff(none_before) * 20 <= none_before;
    eprintln!("VM steps: {none_before}, {after_2000}, {after_4000_in_chunks}");
    assert!(
        within(after_2000) && within(after_4000_in_chunks),
        "VM steps: {none_before} with no invoice numbered yet, {after_2000} after 2,000, \
         {after_4000_in_chunks} after 4,000 in chunks of 100 (more than 5 % apart)"
    );
}

/// `GET /api/v2/billing/run/preview` says what today's run would do and
/// writes nothing; `POST /api/v2/billing/run` then does exactly that, once.
#[test]
fn the_preview_shows_what_running_now_then_does() {
    let w = World::new();
    let monthly = w.s.create_package("Home 20 Mbps", 800);
    let r = w.s.call(
        "POST",
        "/api/v2/packages",
        &w.token(),
        Some(
            json!({"name": "Prepaid 30 days", "price": 500, "speed_down_kbps": 10240,
                    "speed_up_kbps": 10240, "billing_cycle": "days", "validity_days": 30}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let prepaid = r.json()["data"]["id"].as_i64().unwrap();
    let (a, b) = (w.customer(monthly), w.customer(monthly));
    // Nothing paid: its period ends at once, and the run suspends it.
    let p = w.customer(prepaid);
    let preview = || {
        let r =
            w.s.call("GET", "/api/v2/billing/run/preview", &w.token(), None);
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["data"].clone()
    };
    let run = || {
        let r = w.s.call("POST", "/api/v2/billing/run", &w.token(), None);
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["data"].clone()
    };

    // 10 May, 06:10 in Dhaka: the billing day of both monthly customers.
    w.clock.set(datetime!(2026-05-10 00:10:00 UTC));
    let events_before = w.s.events().len();
    let seen = preview();
    assert_eq!(seen["date"], "2026-05-10");
    assert_eq!(seen["due_date"], "2026-05-17");
    assert_eq!(seen["bills_total"], 2);
    let billed: Vec<i64> = seen["bills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["customer_id"].as_i64().unwrap())
        .collect();
    assert_eq!(billed, vec![a, b]);
    assert_eq!(seen["bills"][0]["package_name"], "Home 20 Mbps");
    assert_eq!(seen["bills"][0]["amount"], json!(800));
    assert_eq!(
        seen["bills_amount"],
        json!([{"currency": "BDT", "amount": 1600}])
    );
    assert_eq!(seen["suspensions_total"], 1);
    assert_eq!(seen["suspensions"][0]["customer_id"], p);
    assert_eq!(seen["suspensions"][0]["reason"], "prepaid period ended");
    assert_eq!(seen["suspensions"][0]["bill_id"], json!(null));
    assert_eq!(seen["renewals_total"], 0);
    // The preview wrote nothing.
    assert_eq!(w.bills(a), json!([]));
    assert_eq!(w.status(p), "active");
    assert_eq!(w.s.events().len(), events_before);

    let done = run();
    assert_eq!(done["date"], "2026-05-10");
    assert_eq!(done["bills_created"], 2);
    assert_eq!(done["customers_suspended"], 1);
    assert_eq!(w.status(p), "suspended");
    assert_eq!(w.bills(b).as_array().unwrap().len(), 1);
    // The day is done: the preview is empty, and a second run does nothing.
    let seen = preview();
    assert_eq!(seen["bills_total"], 0);
    assert_eq!(seen["suspensions_total"], 0);
    let again = run();
    assert_eq!(again["bills_created"], 0);
    assert_eq!(again["customers_suspended"], 0);

    // 21 May: both bills overdue past the three days' grace.
    w.clock.set(datetime!(2026-05-21 00:10:00 UTC));
    let bill_a = w.bills(a)[0]["id"].as_i64().unwrap();
    let seen = preview();
    assert_eq!(seen["bills_total"], 0);
    assert_eq!(seen["suspensions_total"], 2);
    assert_eq!(seen["suspensions"][0]["customer_id"], a);
    assert_eq!(seen["suspensions"][0]["bill_id"], bill_a);
    assert_eq!(seen["suspensions"][0]["overdue_since"], "2026-05-17");
    assert_eq!(
        seen["suspensions"][0]["reason"],
        format!("bill #{bill_a} overdue since 2026-05-17")
    );
    assert_eq!(w.status(a), "active");
    assert_eq!(run()["customers_suspended"], 2);
    assert_eq!(w.status(a), "suspended");
    // The log says the same reason the preview showed.
    let log = w.auto_suspension_log();
    assert!(log["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["customer_id"] == a
            && e["reason"] == format!("bill #{bill_a} overdue since 2026-05-17")));
}

/// A customer who started on the 30th is billed on the 28th (the billing day
/// is capped at 28), once: not again on the 29th, 30th or 31st.
#[test]
fn a_start_late_in_the_month_bills_once_on_the_28th() {
    let w = World::new();
    // 14:00 in Dhaka on 30 April.
    w.clock.set(datetime!(2026-04-30 08:00:00 UTC));
    let pkg = w.s.create_package("Home 20 Mbps", 800);
    let c = w.customer(pkg);
    w.clock.set(datetime!(2026-05-31 18:00:00 UTC));
    assert_eq!(w.run(date!(2026 - 05 - 27)).bills_created, 0);
    assert_eq!(w.run(date!(2026 - 05 - 28)).bills_created, 1);
    for day in [
        date!(2026 - 05 - 29),
        date!(2026 - 05 - 30),
        date!(2026 - 05 - 31),
    ] {
        assert_eq!(w.run(day).bills_created, 0, "{day}");
    }
    let bills = w.bills(c);
    assert_eq!(bills.as_array().unwrap().len(), 1, "{bills}");
    assert_eq!(bills[0]["period_start"], "2026-05-28");
}

/// A deleted customer leaves a `customer.deleted` row; a customer who later
/// gets the same id (SQLite reuses the highest) does not inherit its history.
#[test]
fn a_deleted_customers_history_stays_with_it() {
    let w = World::new();
    let pkg = w.s.create_package("Home 20 Mbps", 800);
    let old = w.customer(pkg);
    let r = w.s.call(
        "PUT",
        &format!("/api/v2/customers/{old}"),
        &w.token(),
        Some(json!({"address": "Road 1"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // A customer with no bills or payments may be deleted.
    let r = w.s.call(
        "DELETE",
        &format!("/api/v2/customers/{old}"),
        &w.token(),
        None,
    );
    assert!(
        r.status == 204 || r.status == 200,
        "{} {}",
        r.status,
        r.body
    );
    let trail = |customer: i64| {
        let r = w.s.call(
            "GET",
            &format!("/api/v2/logs/audit?customer_id={customer}"),
            &w.token(),
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    };
    let gone = trail(old);
    // Created, edited, deleted.
    assert_eq!(gone["meta"]["total"], 3, "{gone}");
    assert_eq!(gone["data"][0]["action"], "customer.deleted");
    assert_eq!(
        gone["data"][0]["changes"]["name"],
        json!({"before": "Rafiq Ahmed", "after": null})
    );
    w.clock.advance(time::Duration::seconds(5));
    let new = w.customer(pkg);
    let fresh = trail(new);
    assert_eq!(
        fresh["meta"]["total"], 1,
        "a new customer's history is its own creation only: {fresh}"
    );
    assert_eq!(fresh["data"][0]["action"], "customer.created");
}
