//! The reseller boundary, proved over every route of the OpenAPI document.
//!
//! Reseller A's staff (role `operator`, bound to operator A) call every
//! operation of the live spec. The table below says, for each one, what must
//! happen: objects of reseller B and of the ISP are 404 by id, absent from
//! lists, filters and search, refused as references in what A creates, and left
//! unchanged by A's writes; A's own objects are there (the positive control,
//! so no check passes by finding nothing at all). An operation of the spec that
//! has no row here fails the test: a new route must say how it keeps the
//! boundary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{panel, Reply, TestServer};
use ispbills::{domain::staff::Role, store::radius_sessions};
use poem::EndpointExt;
use serde_json::{json, Value};

/// Which objects an operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Customer,
    Bill,
    Payment,
    Complaint,
    Vpn,
    Operator,
    Card,
    Sms,
    Subscription,
    Invoice,
    /// A RADIUS session (accounting) of the side's customer.
    Session,
    /// An online payment (a manual send-money claim) of the side's customer.
    Online,
    /// A row of the audit trail about the side's customer.
    Audit,
}

/// What must happen when reseller A's staff call an operation.
#[derive(Debug, Clone)]
enum Rule {
    /// No credentials involved and nothing owned (health, sign-in).
    Open,
    /// The role lacks the scope: 403 whatever the object.
    Forbidden,
    /// The ISP's catalogue, the same for every caller (packages): 200.
    Catalogue,
    /// GET by id: A's 2xx, B's and the ISP's 404.
    Get(Kind),
    /// A change by id (the body given): B's and the ISP's 404, and unchanged.
    Change(Kind, Value),
    /// A list: A's objects present, B's and the ISP's absent, also under each
    /// filter named (`{b}` / `{isp}` in a query stand for the others' values).
    List(Kind, &'static [&'static str]),
    /// A create whose body names another's object (`{customer}` is replaced by
    /// B's and by the ISP's customer id, `{phone}` by their numbers, `{pin}` by
    /// the PIN of B's and of the ISP's card): refused (404 or 422), nothing
    /// made.
    Create(Value),
    /// The customer API: a customer's own token only (what a customer
    /// reaches is tested in tests/portal.rs); staff tokens are refused, 401.
    CustomerApi,
    /// Checked by its own code below.
    Special,
}

/// The table: every operation of the spec, by "METHOD path".
fn rules() -> BTreeMap<&'static str, Rule> {
    use Kind::*;
    use Rule::*;
    let mut t = BTreeMap::new();
    let mut add = |k: &'static str, r: Rule| assert!(t.insert(k, r).is_none(), "{k} twice");
    // Open.
    add("GET /health", Open);
    add("POST /api/auth/login", Open);
    add("POST /api/auth/refresh", Open);
    add("POST /api/v2/auth/token", Open);
    add("POST /api/v2/auth/revoke", Open);
    // The customer API's sign-in, gateways and the suspension page's lookup
    // by address take no staff credentials; the rest refuse them.
    for op in [
        "POST /api/v2/me/login",
        "POST /api/v2/me/otp",
        "POST /api/v2/me/otp/verify",
        "GET /api/v2/me/gateways",
        "GET /api/v2/me/recognise",
        "POST /api/v2/me/link",
    ] {
        add(op, Open);
    }
    add(
        "GET /api/v2/billing/online-payments",
        List(
            Online,
            &[
                "",
                "gateway=manual",
                "state=pending",
                "customer_id={customer}",
            ],
        ),
    );
    add(
        "GET /api/v2/billing/payment-verifications",
        List(Online, &[""]),
    );
    // The ISP's money: a reseller's staff may not refund at all (special_cases).
    add("POST /api/v2/billing/online-payments/{id}/refund", Special);
    // Refunds are made of paid online payments: their boundary is tested
    // with real refunds in tests/refunds.rs.
    add("GET /api/v2/billing/refunds", Special);
    add("GET /api/v2/billing/gateways", Catalogue);
    // CSV exports: checked on the files' rows in special_cases.
    for op in [
        "GET /api/v2/exports/customers",
        "GET /api/v2/exports/bills",
        "GET /api/v2/exports/payments",
        "GET /api/v2/exports/audit",
    ] {
        add(op, Special);
    }
    // The billing run is the ISP's (every operator's customers): 403.
    add("GET /api/v2/billing/run/preview", Forbidden);
    add("POST /api/v2/billing/run", Forbidden);
    // Also in special_cases: A's own link, and never for another's bill.
    add(
        "POST /api/v2/customers/{id}/payment-link",
        Change(Customer, Value::Null),
    );
    add(
        "POST /api/v2/billing/payment-verifications/{id}/approve",
        Change(Online, Value::Null),
    );
    add(
        "POST /api/v2/billing/payment-verifications/{id}/reject",
        Change(Online, json!({"reason": "not in the statement"})),
    );
    for op in [
        "GET /api/v2/me",
        "GET /api/v2/me/bills",
        "GET /api/v2/me/complaints",
        "POST /api/v2/me/complaints",
        "GET /api/v2/me/invoices",
        "GET /api/v2/me/invoices/{id}",
        "GET /api/v2/me/online-payments",
        "GET /api/v2/me/online-payments/{reference}",
        "GET /api/v2/me/payments",
        "POST /api/v2/me/payments",
        "GET /api/v2/me/usage",
        "PUT /api/v2/me/password",
        "POST /api/v2/me/logout",
    ] {
        add(op, CustomerApi);
    }
    // Customers.
    add(
        "GET /api/v1/customers",
        List(
            Customer,
            &[
                "search={name}",
                "search={phone}",
                "search={email}",
                "operator_id={operator}",
            ],
        ),
    );
    add(
        "GET /api/v2/customers",
        List(
            Customer,
            &[
                "search={name}",
                "search={phone}",
                "search={username}",
                "operator_id={operator}",
                "due=true",
            ],
        ),
    );
    add(
        "POST /api/v1/customers",
        Create(json!({"name": "Made By A", "phone": "01819000001",
            "connection_type": "static", "package_id": "{package}", "operator_id": "{operator}"})),
    );
    add(
        "POST /api/v2/customers",
        Create(json!({"name": "Made By A", "phone": "01819000002",
            "connection_type": "static", "package_id": "{package}", "operator_id": "{operator}"})),
    );
    add("GET /api/v1/customers/{id}", Get(Customer));
    add("GET /api/v2/customers/{id}", Get(Customer));
    add(
        "POST /api/v1/customers/{id}/action",
        Change(Customer, json!({"action": "suspend", "reason": "probe"})),
    );
    add(
        "PUT /api/v2/customers/{id}",
        Change(Customer, json!({"name": "Renamed By A"})),
    );
    add(
        "DELETE /api/v2/customers/{id}",
        Change(Customer, json!(null)),
    );
    add("GET /api/v2/customers/{id}/subscriptions", Get(Customer));
    add("GET /api/v2/customers/{id}/payments", Get(Customer));
    add("GET /api/v2/customers/{id}/bills", Get(Customer));
    add("GET /api/v2/customers/{id}/usage", Get(Customer));
    add(
        "GET /api/v2/radius/sessions",
        List(Session, &["customer_id={customer}"]),
    );
    // Packages: the ISP's catalogue, read by all, changed by the ISP only.
    add("GET /api/v2/packages", Catalogue);
    add("GET /api/v2/packages/{id}", Catalogue);
    add("POST /api/v2/packages", Forbidden);
    add("PUT /api/v2/packages/{id}", Forbidden);
    add("DELETE /api/v2/packages/{id}", Forbidden);
    // Operators.
    add("GET /api/v1/operators", List(Operator, &[]));
    add("POST /api/v1/operators", Forbidden);
    add("PUT /api/v1/operators/{id}", Forbidden);
    add("POST /api/v1/operators/{id}/fund", Forbidden);
    add("POST /api/v1/operators/{id}/suspend", Forbidden);
    // A's own ledger; B's (and an id that is no operator, the ISP's side) 404.
    add("GET /api/v2/operators/{id}/ledger", Get(Operator));
    // Dashboards.
    add("GET /api/v1/dashboard", Special);
    add("GET /api/v1/noc/dashboard", Forbidden);
    // Billing.
    add("GET /api/v1/bills", List(Bill, &["customer_id={customer}"]));
    add(
        "GET /api/v2/billing/bills",
        List(Bill, &["customer_id={customer}"]),
    );
    add(
        "GET /api/v1/payments",
        List(Payment, &["customer_id={customer}"]),
    );
    add(
        "GET /api/v2/billing/payments",
        List(Payment, &["customer_id={customer}"]),
    );
    add("GET /api/v1/subscriptions", List(Subscription, &[]));
    add(
        "GET /api/v1/invoices",
        List(Invoice, &["customer_id={customer}"]),
    );
    add("GET /api/v2/billing/bills/{id}", Get(Bill));
    add(
        "PUT /api/v2/billing/bills/{id}",
        Change(Bill, json!({"amount": 1})),
    );
    add(
        "DELETE /api/v2/billing/bills/{id}",
        Change(Bill, json!(null)),
    );
    add(
        "POST /api/v2/billing/bills",
        Create(json!({"customer_id": "{customer}", "amount": 100, "due_date": "2026-12-31"})),
    );
    add(
        "POST /api/v2/billing/payments",
        Create(json!({"customer_id": "{customer}", "amount": 100, "method": "cash"})),
    );
    add("GET /api/v1/logs/auto-suspension", Forbidden);
    // The audit trail: rows about A's customers only.
    add(
        "GET /api/v2/logs/audit",
        List(
            Audit,
            &[
                "",
                "customer_id={customer}",
                "resource=customer&resource_id={customer}",
            ],
        ),
    );
    // Recharge cards: the ISP makes them; a reseller sees and redeems its own.
    add(
        "GET /api/v1/recharge-cards",
        List(Card, &["operator_id={operator}", "batch={batch}"]),
    );
    add("POST /api/v2/recharge-cards", Forbidden);
    add("PUT /api/v2/recharge-cards/batches/{batch}", Forbidden);
    add("POST /api/v2/recharge-cards/redeem", Special);
    // Complaints.
    add(
        "GET /api/v2/complaints",
        List(Complaint, &["customer_id={customer}"]),
    );
    add("GET /api/v2/complaints/{id}", Get(Complaint));
    add(
        "PUT /api/v2/complaints/{id}",
        Change(Complaint, json!({"status": "closed"})),
    );
    add(
        "DELETE /api/v2/complaints/{id}",
        Change(Complaint, json!(null)),
    );
    add(
        "POST /api/v2/complaints",
        Create(json!({"customer_id": "{customer}", "subject": "Probe"})),
    );
    // SMS: only to A's customers; history and usage of A only.
    add(
        "POST /api/v1/sms/send",
        Create(json!({"phone": "{phone}", "message": "probe"})),
    );
    add(
        "POST /api/v2/sms/send",
        Create(json!({"phone": "{phone}", "message": "probe"})),
    );
    add("POST /api/v2/sms/broadcast", Special);
    add("GET /api/v1/sms/history", List(Sms, &["phone={phone}"]));
    add("GET /api/v2/sms/history", List(Sms, &["phone={phone}"]));
    add("GET /api/v1/sms/balance", Special);
    add("GET /api/v2/sms/balance", Special);
    // VPN accounts of customers.
    add(
        "GET /api/v1/vpn/accounts",
        List(Vpn, &["customer_id={customer}"]),
    );
    add(
        "GET /api/v2/vpn/accounts",
        List(Vpn, &["customer_id={customer}"]),
    );
    add("GET /api/v1/vpn/accounts/{account}", Get(Vpn));
    add("GET /api/v1/vpn/accounts/{account}/config", Get(Vpn));
    add("GET /api/v2/vpn/accounts/{id}", Get(Vpn));
    add("GET /api/v2/vpn/accounts/{id}/config", Get(Vpn));
    add("POST /api/v2/vpn/accounts", Forbidden);
    add("PUT /api/v2/vpn/accounts/{id}", Forbidden);
    add("DELETE /api/v2/vpn/accounts/{id}", Forbidden);
    add("POST /api/v2/vpn/accounts/{id}/rotate-keys", Forbidden);
    // The ISP's own: integrations, logs, network, monitoring.
    for k in [
        "GET /api/v2/logs/api-requests",
        "GET /api/v2/webhooks",
        "POST /api/v2/webhooks",
        "GET /api/v2/webhooks/{id}",
        "PUT /api/v2/webhooks/{id}",
        "DELETE /api/v2/webhooks/{id}",
        "POST /api/v2/webhooks/{id}/rotate-secret",
        "POST /api/v2/webhooks/{id}/test",
        "GET /api/v2/webhooks/{id}/deliveries",
        "GET /api/v2/webhooks/{id}/deliveries/{delivery_id}",
        "POST /api/v2/webhooks/{id}/deliveries/{delivery_id}/redeliver",
        "GET /api/v1/routers",
        "GET /api/v2/network/routers",
        "POST /api/v2/network/routers",
        "GET /api/v2/network/routers/{id}",
        "PUT /api/v2/network/routers/{id}",
        "DELETE /api/v2/network/routers/{id}",
        "POST /api/v2/network/routers/{id}/sync",
        "GET /api/v2/network/pools",
        "GET /api/v1/logs/router",
        "GET /api/v1/logs/hotspot",
        "GET /api/v1/logs/ppp-auth",
        "GET /api/v1/olts",
        "GET /api/v2/network/olts",
        "POST /api/v2/network/olts",
        "GET /api/v2/network/olts/{id}",
        "PUT /api/v2/network/olts/{id}",
        "DELETE /api/v2/network/olts/{id}",
        "GET /api/v2/monitoring/devices",
        "POST /api/v2/monitoring/devices",
        "GET /api/v2/monitoring/devices/{id}",
        "PUT /api/v2/monitoring/devices/{id}",
        "DELETE /api/v2/monitoring/devices/{id}",
        "GET /api/v2/monitoring/devices/{id}/history",
        "GET /api/v2/network/onus/{id}/history",
        "GET /api/v2/network/onus",
        "GET /api/v1/monitoring/onus",
        "GET /api/v1/monitoring/ubiquiti",
        "GET /api/v1/monitoring/cambium",
        "GET /api/v1/monitoring/status-checks",
        "GET /api/v2/monitoring/status-checks",
        "GET /api/v1/monitoring/access-logs",
        "GET /api/v2/monitoring/zabbix/hosts",
        "GET /api/v2/monitoring/zabbix/problems",
        "GET /api/v1/monitoring/zabbix",
        "GET /api/v2/staff",
        "POST /api/v2/staff",
        "GET /api/v2/staff/{id}",
        "PUT /api/v2/staff/{id}",
        "POST /api/v2/staff/{id}/password",
    ] {
        add(k, Forbidden);
    }
    t
}

/// One side's objects.
#[derive(Debug, Clone, Default)]
struct Side {
    operator: Option<i64>,
    customer: i64,
    name: String,
    phone: String,
    email: String,
    username: String,
    bill: i64,
    payment: i64,
    complaint: i64,
    vpn: i64,
    vpn_name: String,
    batch: String,
    pin: String,
    online: i64,
}

impl Side {
    fn id_of(&self, kind: Kind) -> String {
        match kind {
            Kind::Customer => self.customer.to_string(),
            Kind::Bill => self.bill.to_string(),
            Kind::Payment => self.payment.to_string(),
            Kind::Online => self.online.to_string(),
            Kind::Complaint => self.complaint.to_string(),
            Kind::Vpn => self.vpn.to_string(),
            Kind::Operator => self.operator.unwrap_or(0).to_string(),
            Kind::Card => self.batch.clone(),
            Kind::Sms | Kind::Subscription | Kind::Invoice | Kind::Session | Kind::Audit => {
                self.customer.to_string()
            }
        }
    }

    /// Fills `{...}` placeholders of a query or body text.
    fn fill(&self, text: &str, package: i64) -> String {
        text.replace("{customer}", &self.customer.to_string())
            .replace("{name}", &self.name)
            .replace("{phone}", &self.phone)
            .replace("{email}", &self.email)
            .replace("{username}", &self.username)
            .replace(
                "{operator}",
                &self.operator.map_or("null".into(), |o| o.to_string()),
            )
            .replace("{batch}", &self.batch)
            .replace("{pin}", &self.pin)
            .replace("{package}", &package.to_string())
    }

    /// Whether a listed item belongs to this side.
    fn owns(&self, kind: Kind, item: &Value) -> bool {
        match kind {
            Kind::Customer => item["id"] == json!(self.customer),
            Kind::Operator => self.operator.is_some_and(|o| item["id"] == json!(o)),
            Kind::Card => item["batch"] == json!(self.batch),
            Kind::Sms => {
                item["customer_id"] == json!(self.customer) || item["phone"] == json!(self.phone)
            }
            _ => item["customer_id"] == json!(self.customer),
        }
    }
}

struct World<'a> {
    s: &'a TestServer,
    v2: String,
    v1: String,
    package: i64,
    own: Side,
    others: Vec<(&'static str, Side)>,
    a: panel::Panel<'a>,
}

fn ok(r: &Reply, what: &str) -> Value {
    assert!(
        (200..300).contains(&r.status),
        "{what}: {} {}",
        r.status,
        r.body
    );
    // Config downloads are text; everything else JSON.
    serde_json::from_str(&r.body).unwrap_or(Value::Null)
}

fn make_side(
    s: &TestServer,
    v2: &str,
    tag: &str,
    n: u32,
    operator: Option<i64>,
    package: i64,
) -> Side {
    let name = format!("{tag} Subscriber");
    let phone = format!("0171{n}00000{n}");
    let email = format!("{}@example.com", tag.to_lowercase());
    let username = format!("{}-user", tag.to_lowercase());
    let c = ok(
        &s.call(
            "POST",
            "/api/v2/customers",
            v2,
            Some(json!({"name": name, "phone": phone, "email": email,
                "connection_type": "pppoe", "username": username, "password": "secret-pass",
                "package_id": package, "operator_id": operator})),
        ),
        "customer",
    );
    let customer = c["data"]["id"].as_i64().unwrap();
    // An edit, so the audit trail has a row about the customer.
    ok(
        &s.call(
            "PUT",
            &format!("/api/v2/customers/{customer}"),
            v2,
            Some(json!({"address": format!("{tag} Road 1")})),
        ),
        "edit",
    );
    let bill = ok(
        &s.call(
            "POST",
            "/api/v2/billing/bills",
            v2,
            Some(json!({"customer_id": customer, "amount": 500, "due_date": "2026-12-31"})),
        ),
        "bill",
    )["data"]["id"]
        .as_i64()
        .unwrap();
    let payment = ok(
        &s.call(
            "POST",
            "/api/v2/billing/payments",
            v2,
            Some(json!({"customer_id": customer, "amount": 100, "method": "cash"})),
        ),
        "payment",
    )["data"]["id"]
        .as_i64()
        .unwrap();
    let complaint = ok(
        &s.call(
            "POST",
            "/api/v2/complaints",
            v2,
            Some(json!({"customer_id": customer, "subject": format!("{tag} is down")})),
        ),
        "complaint",
    )["data"]["id"]
        .as_i64()
        .unwrap();
    // A RADIUS session of the customer, as a router's accounting writes it.
    let nas = ok(
        &s.call(
            "POST",
            "/api/v2/network/routers",
            v2,
            Some(
                json!({"name": format!("{tag}-nas"), "host": "127.0.0.1", "port": 9,
                "username": "admin", "password": "x"}),
            ),
        ),
        "router",
    )["data"]["id"]
        .as_i64()
        .unwrap();
    let session = radius_sessions::AcctRecord {
        router_id: nas,
        session_id: format!("{tag}-session"),
        customer_id: Some(customer),
        username: username.clone(),
        framed_ip: Some(format!("10.77.0.{n}")),
        calling_station_id: None,
        started_at: "2026-12-01T10:00:00Z".into(),
        at: "2026-12-01T10:05:00Z".into(),
        stopped: false,
        terminate_cause: None,
        session_time: 300,
        input_octets: 1,
        output_octets: 2,
    };
    s.state
        .db
        .write(move |tx| radius_sessions::record(tx, &session))
        .unwrap();
    let vpn_name = format!("{}-vpn", tag.to_lowercase());
    let vpn = ok(
        &s.call(
            "POST",
            "/api/v2/vpn/accounts",
            v2,
            Some(
                json!({"name": vpn_name, "protocol": "wireguard", "customer_id": customer,
                "addresses": format!("10.66.0.{n}/32")}),
            ),
        ),
        "vpn",
    )["data"]["id"]
        .as_i64()
        .unwrap();
    ok(
        &s.call(
            "POST",
            "/api/v2/sms/send",
            v2,
            Some(json!({"phone": phone, "message": format!("hello {tag}")})),
        ),
        "sms",
    );
    let batch = format!("CARD-{tag}");
    let cards = ok(
        &s.call(
            "POST",
            "/api/v2/recharge-cards",
            v2,
            Some(json!({"count": 2, "value": 100, "batch": batch, "operator_id": operator})),
        ),
        "cards",
    );
    let pin = cards["data"]["cards"][0]["pin"]
        .as_str()
        .unwrap()
        .to_string();
    // The customer claims a send-money payment through the customer API.
    let login = s.send(
        "POST",
        "/api/v2/me/login",
        &[("content-type", "application/json")],
        Some(
            json!({"username": username, "password": "secret-pass"})
                .to_string()
                .as_bytes(),
        ),
    );
    let me = ok(&login, "customer login")["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let online = ok(
        &s.call(
            "POST",
            "/api/v2/me/payments",
            &me,
            Some(
                json!({"gateway": "manual", "amount": 100, "method": "nagad",
                "sender": "01812345678", "trx_id": format!("NGD{n}X{}", tag.len())}),
            ),
        ),
        "manual payment",
    )["payment"]["id"]
        .as_i64()
        .unwrap();
    Side {
        operator,
        customer,
        name,
        phone,
        email,
        username,
        bill,
        payment,
        complaint,
        vpn,
        vpn_name,
        batch,
        pin,
        online,
    }
}

fn world(s: &TestServer) -> World<'_> {
    let v2 = s.v2_admin_token();
    let v1 = s.login_admin_v1();
    ispbills_topup(s);
    let package = s.create_package("Home 20", 500);
    let mut ops = Vec::new();
    for name in ["Reseller A", "Reseller B"] {
        let r = ok(
            &s.call(
                "POST",
                "/api/v1/operators",
                &v1,
                Some(json!({"name": name, "email": format!("{}@ops.example.com", name.replace(' ', "").to_lowercase()), "phone": "01911000000"})),
            ),
            "operator",
        );
        ops.push(r["data"]["id"].as_i64().unwrap());
    }
    let own = make_side(s, &v2, "Alpha", 1, Some(ops[0]), package);
    let b = make_side(s, &v2, "Bravo", 2, Some(ops[1]), package);
    let isp = make_side(s, &v2, "Ispdirect", 3, None, package);
    s.create_staff_of(
        "staff-a@example.com",
        Role::OperatorStaff,
        "correct horse battery",
        Some(ops[0]),
    );
    let a = panel::log_in(s, "staff-a@example.com");
    // The SMS notifications of the bills and payments above are written by a
    // worker: wait for all of them (two per side, besides the one sent), so
    // that snapshots compare only what the reseller's calls could change.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let h = ok(&s.get_auth("/api/v2/sms/history", &v2), "sms history");
        if h["meta"]["total"] == 9 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "notifications: {h}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    World {
        s,
        v2,
        v1,
        package,
        own,
        others: vec![("reseller B", b), ("the ISP", isp)],
        a,
    }
}

/// SMS credits, so the world can send its messages.
fn ispbills_topup(s: &TestServer) {
    let now = ispbills::clock::format_timestamp(s.state.clock.now());
    s.state
        .db
        .write(move |tx| ispbills::store::sms::top_up(tx, 1000, Some("test"), &now))
        .unwrap();
}

impl World<'_> {
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let body = if method == "GET" { None } else { body.cloned() };
        self.a.send(method, path, body)
    }

    /// The path with `{id}`/`{account}`/`{batch}` filled for `side`.
    fn path_for(&self, template: &str, kind: Kind, side: &Side) -> String {
        let id = side.id_of(kind);
        template
            .replace("{id}", &id)
            .replace("{account}", &id)
            .replace("{batch}", &side.batch)
            .replace("{delivery_id}", "1")
    }

    /// What the ISP sees of everything owned, to prove writes changed nothing.
    fn snapshot(&self) -> Vec<String> {
        [
            "/api/v2/customers?per_page=100",
            "/api/v2/billing/bills?per_page=100",
            "/api/v2/billing/payments?per_page=100",
            "/api/v2/complaints?per_page=100",
            "/api/v2/vpn/accounts?per_page=100",
            "/api/v1/recharge-cards?per_page=100",
            "/api/v2/sms/history?per_page=100",
        ]
        .iter()
        .map(|p| {
            let token = if p.starts_with("/api/v1/") {
                &self.v1
            } else {
                &self.v2
            };
            let r = self.s.get_auth(p, token);
            assert_eq!(r.status, 200, "{p}: {}", r.body);
            let mut body = r.json();
            // The SMS worker moves messages along meanwhile: keep what was asked.
            for m in body["data"].as_array_mut().unwrap() {
                if let Some(m) = m.as_object_mut() {
                    for k in [
                        "status",
                        "sent_at",
                        "attempts",
                        "error",
                        "provider_message_id",
                    ] {
                        m.remove(k);
                    }
                }
            }
            body.to_string()
        })
        .collect()
    }

    fn items(r: &Reply, what: &str) -> Vec<Value> {
        let body = ok(r, what);
        body["data"]
            .as_array()
            .unwrap_or_else(|| panic!("{what}: no data list: {body}"))
            .clone()
    }
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        let query = query.replace(' ', "%20").replace('+', "%2B");
        format!("{path}?{query}&per_page=100")
    }
}

fn check(w: &World<'_>, op: &str, rule: &Rule) {
    let (method, template) = op.split_once(' ').unwrap();
    match rule {
        Rule::Open | Rule::Special => {}
        Rule::CustomerApi => {
            let path = template.replace("{id}", "1").replace("{reference}", "OP1");
            let r = w.call(method, &path, Some(&json!({})));
            assert_eq!(r.status, 401, "{op} with a staff token: {}", r.body);
        }
        Rule::Forbidden => {
            for (_, side) in &w.others {
                let path = w.path_for(template, Kind::Customer, side);
                let r = w.call(method, &path, Some(&json!({})));
                assert_eq!(r.status, 403, "{op} as reseller A: {}", r.body);
            }
        }
        Rule::Catalogue => {
            let path = template.replace("{id}", &w.package.to_string());
            ok(&w.call(method, &path, None), op);
        }
        Rule::Get(kind) => {
            let mine = w.path_for(template, *kind, &w.own);
            ok(&w.call(method, &mine, None), &format!("{op}: A's own"));
            for (who, side) in &w.others {
                let path = w.path_for(template, *kind, side);
                let r = w.call(method, &path, None);
                assert_eq!(r.status, 404, "{op} on {who}'s: {}", r.body);
                if *kind == Kind::Vpn && template.contains("{account}") {
                    // v1 takes the account's name too.
                    let by_name = template.replace("{account}", &side.vpn_name);
                    let r = w.call(method, &by_name, None);
                    assert_eq!(r.status, 404, "{op} by {who}'s name: {}", r.body);
                }
            }
        }
        Rule::Change(kind, body) => {
            let before = w.snapshot();
            for (who, side) in &w.others {
                let path = w.path_for(template, *kind, side);
                let body = (!body.is_null()).then_some(body);
                let r = w.call(method, &path, body);
                assert_eq!(r.status, 404, "{op} on {who}'s: {}", r.body);
            }
            assert!(before == w.snapshot(), "{op} changed someone else's");
        }
        Rule::List(kind, filters) => {
            let all = World::items(
                &w.call(method, &with_query(template, "per_page=100"), None),
                op,
            );
            assert!(
                all.iter().any(|i| w.own.owns(*kind, i)),
                "{op}: A's own missing from {all:?}"
            );
            for (who, side) in &w.others {
                assert!(
                    !all.iter().any(|i| side.owns(*kind, i)),
                    "{op} shows {who}'s: {all:?}"
                );
            }
            for filter in *filters {
                let mine = World::items(
                    &w.call(
                        method,
                        &with_query(template, &w.own.fill(filter, w.package)),
                        None,
                    ),
                    op,
                );
                assert!(
                    mine.iter().any(|i| w.own.owns(*kind, i)),
                    "{op}?{filter}: A's own missing"
                );
                for (who, side) in &w.others {
                    if side.operator.is_none() && filter.contains("{operator}") {
                        continue; // "operator_id=null" is no filter
                    }
                    let r = w.call(
                        method,
                        &with_query(template, &side.fill(filter, w.package)),
                        None,
                    );
                    // A filter on another's object finds nothing (or is refused).
                    if r.status == 200 {
                        let found = World::items(&r, op);
                        assert!(
                            !found.iter().any(|i| side.owns(*kind, i)),
                            "{op}?{filter} shows {who}'s: {found:?}"
                        );
                    } else {
                        assert!(
                            [404, 422].contains(&r.status),
                            "{op}?{filter} for {who}: {} {}",
                            r.status,
                            r.body
                        );
                    }
                }
            }
        }
        Rule::Create(template_body) => {
            for (who, side) in &w.others {
                let before = w.snapshot();
                let text = side.fill(&template_body.to_string(), w.package);
                let body: Value = serde_json::from_str(&text.replace("\"null\"", "null")).unwrap();
                let body = fix_numbers(body);
                let r = w.call(method, template, Some(&body));
                if template == "/api/v1/customers" || template == "/api/v2/customers" {
                    // A customer A creates is A's, whatever operator it names.
                    if (200..300).contains(&r.status) {
                        let made = r.json();
                        assert_eq!(
                            made["data"]["operator_id"],
                            json!(w.own.operator),
                            "{op} naming {who}'s operator: {made}"
                        );
                        continue;
                    }
                }
                assert!(
                    [404, 422].contains(&r.status),
                    "{op} naming {who}'s: {} {}",
                    r.status,
                    r.body
                );
                assert!(
                    before == w.snapshot(),
                    "{op} naming {who}'s wrote something"
                );
            }
        }
    }
}

/// Placeholders filled into strings that should be numbers.
fn fix_numbers(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = match (&*k, &v) {
                        ("customer_id" | "package_id" | "operator_id", Value::String(s)) => {
                            s.parse::<i64>().map_or(v.clone(), |n| json!(n))
                        }
                        _ => fix_numbers(v),
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn reseller_staff_reach_only_their_own_on_every_route() {
    // Many requests from one staff user: the rate limits are other tests' business.
    let s = TestServer::start_with(
        |mut c| {
            c.api.v1_standard_per_minute = 100_000;
            c.api.v2_standard_per_minute = 100_000;
            c.api.v1_high_volume_per_minute = 100_000;
            c.api.v2_high_volume_per_minute = 100_000;
            // So VPN config downloads answer (any valid key will do).
            c.vpn.wireguard.endpoint = "vpn.example.net:51820".into();
            c.vpn.wireguard.server_public_key =
                "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=".into();
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let w = world(&s);
    let spec = s.get("/docs/api/openapi.json").json();
    let rules = rules();
    let mut ops = BTreeSet::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            ops.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let missing: Vec<_> = ops
        .iter()
        .filter(|op| !rules.contains_key(op.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a reseller-boundary rule: {missing:?}"
    );
    let stale: Vec<_> = rules.keys().filter(|k| !ops.contains(**k)).collect();
    assert!(
        stale.is_empty(),
        "rules for operations not in the spec: {stale:?}"
    );
    for (op, rule) in &rules {
        check(&w, op, rule);
    }
    special_cases(&w);
}

/// The operations whose rule needs more than the generic checks.
fn special_cases(w: &World<'_>) {
    let (b, isp) = (&w.others[0].1, &w.others[1].1);
    // Payment links: for A's customer and A's bill; another's bill, even
    // under A's customer, is not found.
    let own = format!("/api/v2/customers/{}/payment-link", w.own.customer);
    let link = ok(
        &w.a.send("POST", &format!("{own}?bill_id={}", w.own.bill), None),
        "own payment link",
    );
    assert_eq!(link["data"]["customer_id"], json!(w.own.customer), "{link}");
    for side in [b, isp] {
        w.a.send("POST", &format!("{own}?bill_id={}", side.bill), None)
            .assert_error(404, "NOT_FOUND");
    }
    // Refunds: not even of A's own customers' online payments.
    let before = w.snapshot();
    for side in [&w.own, b, isp] {
        let r = w.a.send(
            "POST",
            &format!("/api/v2/billing/online-payments/{}/refund", side.online),
            Some(json!({"reason": "probe"})),
        );
        r.assert_error(403, "FORBIDDEN");
    }
    assert!(before == w.snapshot(), "a refusal changed something");
    // The audit trail: A sees the rows about its customer (made by the ISP's
    // client from 127.0.0.1) but not the callers' addresses; the ISP does.
    let q = format!("/api/v2/logs/audit?customer_id={}", w.own.customer);
    let seen = ok(&w.a.send("GET", &q, None), "own audit rows");
    let rows = seen["data"].as_array().unwrap();
    assert!(!rows.is_empty(), "{seen}");
    assert!(rows.iter().all(|r| r["source"].is_null()), "{seen}");
    let isp_view = ok(&w.s.call("GET", &q, &w.v2, None), "the ISP's audit rows");
    assert_eq!(isp_view["data"][0]["source"], "127.0.0.1", "{isp_view}");
    // CSV exports: A's rows only; the trail without the callers' addresses.
    let csv_rows = |path: &str| -> Vec<Vec<String>> {
        let r = w.a.send("GET", path, None);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let body = r.body.strip_prefix('\u{feff}').expect("a byte-order mark");
        csv::Reader::from_reader(body.as_bytes())
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect()
    };
    for (path, own, others, column) in [
        (
            "/api/v2/exports/customers",
            w.own.customer,
            [b.customer, isp.customer],
            0,
        ),
        ("/api/v2/exports/bills", w.own.bill, [b.bill, isp.bill], 0),
        (
            "/api/v2/exports/payments",
            w.own.payment,
            [b.payment, isp.payment],
            0,
        ),
        (
            "/api/v2/exports/audit",
            w.own.customer,
            [b.customer, isp.customer],
            8,
        ),
    ] {
        let rows = csv_rows(path);
        let ids: Vec<&str> = rows.iter().map(|r| r[column].as_str()).collect();
        assert!(ids.contains(&own.to_string().as_str()), "{path}: {ids:?}");
        for other in others {
            assert!(
                !ids.contains(&other.to_string().as_str()),
                "{path}: {ids:?}"
            );
        }
    }
    for customer in [b.customer, isp.customer] {
        let rows = csv_rows(&format!("/api/v2/exports/bills?customer_id={customer}"));
        assert!(rows.is_empty(), "{rows:?}");
    }
    assert!(csv_rows("/api/v2/exports/audit")
        .iter()
        .all(|r| r[4].is_empty()));
    // Dashboard: A's figures only (as many customers as A's list holds).
    let d = ok(&w.a.send("GET", "/api/v1/dashboard", None), "dashboard");
    let mine = ok(&w.a.send("GET", "/api/v2/customers", None), "own customers");
    assert_eq!(
        d["data"]["customers"]["total"], mine["meta"]["total"],
        "{d}"
    );
    let all = ok(&w.s.get_auth("/api/v2/customers", &w.v2), "all customers");
    assert!(all["meta"]["total"].as_i64() > mine["meta"]["total"].as_i64());
    // SMS balance: A's own usage, never the ISP's balance.
    for path in ["/api/v1/sms/balance", "/api/v2/sms/balance"] {
        let bal = ok(&w.a.send("GET", path, None), path);
        assert_eq!(bal["data"]["credits_remaining"], Value::Null, "{bal}");
        assert_eq!(bal["data"]["operator_id"], json!(w.own.operator), "{bal}");
    }
    // Broadcast: one foreign number refuses the whole broadcast.
    let before = w.snapshot();
    for side in [b, isp] {
        let r = w.a.send(
            "POST",
            "/api/v2/sms/broadcast",
            Some(json!({"phones": [w.own.phone, side.phone], "message": "probe"})),
        );
        let err = r.assert_error(422, "VALIDATION_ERROR");
        assert!(err["details"]["phones"][0]
            .as_str()
            .unwrap()
            .contains(&side.phone));
    }
    assert!(
        before == w.snapshot(),
        "a refused broadcast queued something"
    );
    // A's own customer: sent, tied to A, remaining credits not shown.
    let sent = ok(
        &w.a.send(
            "POST",
            "/api/v2/sms/send",
            Some(json!({"phone": w.own.phone, "message": "your bill"})),
        ),
        "sms to own",
    );
    assert_eq!(sent["data"]["credits_remaining"], Value::Null, "{sent}");
    let bal = ok(&w.a.send("GET", "/api/v2/sms/balance", None), "balance");
    assert_eq!(bal["data"]["used_today"], 1, "{bal}");
    // Cards: B's and the ISP's PINs do not pay for A's customer, A's card does
    // not pay for B's customer (and the PINs are not told apart from unknown).
    for side in [b, isp] {
        let r = w.a.send(
            "POST",
            "/api/v2/recharge-cards/redeem",
            Some(json!({"customer_id": w.own.customer, "pin": side.pin})),
        );
        let err = r.assert_error(422, "VALIDATION_ERROR");
        assert!(err["details"]["pin"].is_array(), "{err}");
        let r = w.a.send(
            "POST",
            "/api/v2/recharge-cards/redeem",
            Some(json!({"customer_id": side.customer, "pin": w.own.pin})),
        );
        r.assert_error(422, "VALIDATION_ERROR");
    }
    assert_eq!(before.len(), w.snapshot().len());
    ok(
        &w.a.send(
            "POST",
            "/api/v2/recharge-cards/redeem",
            Some(json!({"customer_id": w.own.customer, "pin": w.own.pin})),
        ),
        "redeem own card",
    );
}
