//! A local stand-in for bKash Tokenized Checkout, API v1.2.0-beta, "Checkout
//! URL" (mode `0011`, no agreement), on the webhook receiver. It follows the
//! developer.bka.sh reference as bKash's own WooCommerce plugin calls it
//! (github.com/bKash-developer/bKash-for-woocommerce, includes/classes/ApiComm.php)
//! and the sandbox answers integrators recorded; /work/notes/gateways.md has
//! the spec and the source of each fact.
//!
//! Under `/bkash/v1.2.0-beta/tokenized/checkout`: `token/grant`, `token/refresh`
//! (headers `username`/`password`, body `app_key`/`app_secret`), `create`,
//! `execute`, `payment/status`, `payment/refund` (with `amount`: refund;
//! without: refund status) and `general/searchTransaction` (headers
//! `Authorization: <id_token>` — the bare token — and `X-APP-Key`). JSON, amounts
//! as strings. A business failure is HTTP 200 with `statusCode` != "0000" and a
//! `statusMessage`; a missing, unknown or expired id_token is refused by the API
//! gateway in front: 401 `{"message": ...}`; an unknown path, 403.
//!
//! The customer's side: `bkashURL` is `/bkash/checkout/<paymentID>` on the sim;
//! a GET there acts out what the test chose (default: pays) and answers 302 to
//! the merchant's callbackURL plus `paymentID`, `status=success|failure|cancel`,
//! `signature` and `apiVersion`, as bKash's redirect does. Execute is the only
//! step that moves money, and only once (a second call answers 2117).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{json, Value};

use super::receiver::{Answer, Received, Receiver};

pub const USERNAME: &str = "sim-merchant";
pub const PASSWORD: &str = "sim merchant password";
pub const APP_KEY: &str = "sim-app-key-5nfu8c2e";
pub const APP_SECRET: &str = "sim-app-secret-0b1d9k3q7x";
/// The wallet that pays.
pub const CUSTOMER_MSISDN: &str = "01900000001";
/// Where the API lives on the sim; the client's base URL is `BkashSim::base_url()`.
pub const PREFIX: &str = "/bkash/v1.2.0-beta/tokenized/checkout";

/// What the customer does on bKash's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Wallet, OTP and PIN accepted: back with `status=success`; execute completes.
    Approve,
    /// Back with `status=success`, but execute answers 2023 Insufficient Balance
    /// (as the sandbox's "insufficient balance" wallet does).
    InsufficientBalance,
    /// Back with `status=failure`; execute answers 2056 Invalid Payment State.
    Fail,
    /// The customer closes the page: `status=cancel`; execute answers 2056.
    Cancel,
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub refund_trx_id: String,
    pub amount: String,
    pub completed_time: String,
    /// The refund request as sent (`sku`, `reason`, ...).
    pub request: Value,
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub payment_id: String,
    /// The create request as sent (`amount`, `merchantInvoiceNumber`, `callbackURL`, ...).
    pub request: Value,
    pub create_time: String,
    /// What the customer did; `None` while they have not come back.
    pub customer: Option<Outcome>,
    /// `Initiated`, `Completed`, `Failed` or `Cancelled`.
    pub transaction_status: String,
    pub trx_id: Option<String>,
    pub execute_time: Option<String>,
    /// Execute gave its one final answer (Completed or 2023); later calls get 2117.
    pub executed: bool,
    pub executes: usize,
    pub queries: usize,
    pub refunds: Vec<Refund>,
}

impl Payment {
    /// A field of the create request, as a string.
    pub fn field(&self, k: &str) -> String {
        self.request[k].as_str().unwrap_or_default().to_string()
    }
}

#[derive(Debug, Default)]
pub struct BkashState {
    pub payments: Vec<Payment>,
    /// What customers do on the checkout page from now on (`None`: Approve).
    pub outcome: Option<Outcome>,
    /// Seconds before every API answer (a hung bKash).
    pub delay_secs: u64,
    /// Extra seconds before execute answers; its effect happens at once, so a
    /// client that times out finds the payment Completed when it queries.
    pub execute_delay_secs: u64,
    pub id_tokens: Vec<String>,
    pub refresh_tokens: Vec<String>,
    pub expired: Vec<String>,
    seq: u64,
    base: String,
}

pub struct BkashSim {
    pub receiver: Receiver,
    pub state: Arc<Mutex<BkashState>>,
}

fn reply(v: Value) -> Answer {
    let mut a = Answer::ok();
    a.body = v.to_string();
    a
}

fn fail(code: &str, message: &str) -> Value {
    json!({"statusCode": code, "statusMessage": message})
}

/// What AWS API Gateway, in front of bKash, answers.
fn gateway(status: u16, message: &str) -> Answer {
    let mut a = Answer::status(status);
    a.body = json!({ "message": message }).to_string();
    a
}

/// "15", "15.5", "15.50" -> paisa; `None` for anything else.
pub fn cents(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || frac.len() > 2 || (!frac.is_empty() && !digits(frac)) {
        return None;
    }
    Some(whole.parse::<i64>().ok()? * 100 + format!("{frac:0<2}").parse::<i64>().ok()?)
}

/// bKash's timestamp: `2024-07-25T19:35:17:574 GMT+0600`.
pub fn bkash_time() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+6));
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]:[subsecond digits:3] GMT+0600"
    );
    now.format(format).unwrap()
}

/// `<callbackURL>?paymentID=..&status=..&signature=..&apiVersion=1.2.0-beta/`.
fn callback(p: &Payment, status: &str) -> String {
    let (cb, id) = (p.field("callbackURL"), &p.payment_id);
    let sep = if cb.contains('?') { '&' } else { '?' };
    let signature = &id[id.len() - 10..];
    format!("{cb}{sep}paymentID={id}&status={status}&signature={signature}&apiVersion=1.2.0-beta/")
}

impl BkashState {
    fn find(&mut self, id: &str) -> Option<&mut Payment> {
        self.payments.iter_mut().find(|p| p.payment_id == id)
    }

    /// The customer acts on the checkout page; where bKash then sends the browser.
    fn checkout(&mut self, id: &str) -> Option<String> {
        let default = self.outcome.unwrap_or(Outcome::Approve);
        let p = self.find(id)?;
        let outcome = *p.customer.get_or_insert(default);
        let (status, state) = match outcome {
            Outcome::Approve | Outcome::InsufficientBalance => ("success", None),
            Outcome::Fail => ("failure", Some("Failed")),
            Outcome::Cancel => ("cancel", Some("Cancelled")),
        };
        if let (Some(state), "Initiated") = (state, p.transaction_status.as_str()) {
            p.transaction_status = state.into();
        }
        Some(callback(p, status))
    }

    fn api(&mut self, op: &str, req: &Received) -> Answer {
        let b: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let s = |k: &str| b[k].as_str().unwrap_or("").to_string();
        if op.starts_with("/token/") {
            let answer = if req.header("username") != Some(USERNAME) {
                fail("9999", "Username does not exist")
            } else if req.header("password") != Some(PASSWORD) {
                fail("9999", "Invalid password") // text unconfirmed
            } else if s("app_key") != APP_KEY || s("app_secret") != APP_SECRET {
                fail("2001", "Invalid App Key")
            } else if op == "/token/refresh" && !self.refresh_tokens.contains(&s("refresh_token")) {
                fail("9999", "Invalid refresh token") // text unconfirmed
            } else {
                self.seq += 1;
                let id = format!("sim-id-token-{}", self.seq);
                let refresh = format!("sim-refresh-token-{}", self.seq);
                self.id_tokens.push(id.clone());
                self.refresh_tokens.push(refresh.clone());
                json!({"statusCode": "0000", "statusMessage": "Successful", "id_token": id,
                    "token_type": "Bearer", "expires_in": 3600, "refresh_token": refresh})
            };
            return reply(answer);
        }
        match req.header("authorization") {
            None => return gateway(401, "Unauthorized"),
            Some(t) if self.expired.iter().any(|e| e == t) => {
                return gateway(401, "The incoming token has expired")
            }
            Some(t) if !self.id_tokens.iter().any(|e| e == t) => {
                return gateway(401, "Unauthorized")
            }
            _ => {}
        }
        if req.header("x-app-key") != Some(APP_KEY) {
            return reply(fail("2001", "Invalid App Key"));
        }
        reply(match op {
            "/create" => self.create(&b),
            "/execute" => self.execute(&s("paymentID")),
            "/payment/status" => self.query(&s("paymentID")),
            "/payment/refund" => self.refund(&b),
            _ => self.search(&s("trxID")),
        })
    }

    fn create(&mut self, b: &Value) -> Value {
        let keys = "mode payerReference callbackURL amount currency intent merchantInvoiceNumber";
        let missing = |k: &str| b.get(k).is_none_or(|v| v.is_null() || v == "");
        if keys.split(' ').any(missing) {
            return fail("2065", "Mandatory field missing");
        }
        // bKash sends and takes amounts as strings ("500", "85.50").
        if b["amount"].as_str().and_then(cents).is_none_or(|c| c <= 0) {
            return fail("2006", "Invalid amount");
        }
        let cb = b["callbackURL"].as_str().unwrap_or("");
        let answer = match () {
            _ if b["currency"] != "BDT" => fail("2007", "Invalid currency"),
            _ if b["intent"] != "sale" && b["intent"] != "authorization" => {
                fail("2008", "Invalid intent")
            }
            _ if b["mode"] != "0011" => fail("2063", "Mode is not valid as per request data"),
            _ if !cb.starts_with("http://") && !cb.starts_with("https://") => {
                fail("2049", "Invalid Merchant Callback URL")
            }
            _ => Value::Null,
        };
        if !answer.is_null() {
            return answer;
        }
        self.seq += 1;
        let p = Payment {
            payment_id: format!("TR0011SIM{:013}", self.seq),
            request: b.clone(),
            create_time: bkash_time(),
            customer: None,
            transaction_status: "Initiated".into(),
            trx_id: None,
            execute_time: None,
            executed: false,
            executes: 0,
            queries: 0,
            refunds: vec![],
        };
        let answer = json!({
            "paymentID": p.payment_id,
            "bkashURL": format!("{}/bkash/checkout/{}", self.base, p.payment_id),
            "callbackURL": cb,
            "successCallbackURL": callback(&p, "success"),
            "failureCallbackURL": callback(&p, "failure"),
            "cancelledCallbackURL": callback(&p, "cancel"),
            "amount": b["amount"], "intent": b["intent"], "currency": "BDT",
            "paymentCreateTime": p.create_time, "transactionStatus": "Initiated",
            "merchantInvoiceNumber": b["merchantInvoiceNumber"],
            "statusCode": "0000", "statusMessage": "Successful",
        });
        self.payments.push(p);
        answer
    }

    fn execute(&mut self, id: &str) -> Value {
        self.seq += 1;
        let trx = format!("SIM{:07}", self.seq);
        let Some(p) = self.find(id) else {
            return fail("2002", "Invalid Payment ID");
        };
        p.executes += 1;
        if p.executed {
            return fail("2117", "Payment execution already been called before");
        }
        match p.customer {
            Some(Outcome::Approve) => {
                (p.executed, p.transaction_status) = (true, "Completed".into());
                (p.trx_id, p.execute_time) = (Some(trx), Some(bkash_time()));
                json!({"paymentID": p.payment_id, "trxID": p.trx_id, "transactionStatus": "Completed",
                    "amount": p.field("amount"), "currency": "BDT", "intent": p.field("intent"),
                    "paymentExecuteTime": p.execute_time,
                    "merchantInvoiceNumber": p.field("merchantInvoiceNumber"),
                    "payerReference": p.field("payerReference"), "customerMsisdn": CUSTOMER_MSISDN,
                    "statusCode": "0000", "statusMessage": "Successful"})
            }
            Some(Outcome::InsufficientBalance) => {
                (p.executed, p.transaction_status) = (true, "Failed".into());
                fail("2023", "Insufficient Balance")
            }
            _ => fail("2056", "Invalid Payment State"),
        }
    }

    fn query(&mut self, id: &str) -> Value {
        let Some(p) = self.find(id) else {
            return fail("2002", "Invalid Payment ID");
        };
        p.queries += 1;
        let verified = if p.trx_id.is_some() {
            "Complete"
        } else {
            "Incomplete"
        };
        let mut v = json!({"paymentID": p.payment_id, "mode": "0011",
            "paymentCreateTime": p.create_time, "paymentExecuteTime": p.execute_time,
            "amount": p.field("amount"), "currency": "BDT", "intent": p.field("intent"),
            "merchantInvoice": p.field("merchantInvoiceNumber"), "trxID": p.trx_id,
            "transactionStatus": p.transaction_status, "verificationStatus": verified,
            "statusCode": "0000", "statusMessage": "Successful",
            "payerReference": p.field("payerReference")});
        v.as_object_mut().unwrap().retain(|_, x| !x.is_null());
        v
    }

    fn search(&mut self, trx: &str) -> Value {
        let found = self
            .payments
            .iter()
            .find(|p| !trx.is_empty() && p.trx_id.as_deref() == Some(trx));
        let Some(p) = found else {
            return fail("2033", "Transaction not found");
        };
        json!({"trxID": trx, "initiationTime": p.execute_time, "completedTime": p.execute_time,
            "transactionType": "bKash Tokenized Checkout via API", "customerMsisdn": CUSTOMER_MSISDN,
            "transactionStatus": "Completed", "amount": p.field("amount"), "currency": "BDT",
            "organizationShortCode": "50022", "statusCode": "0000", "statusMessage": "Successful"})
    }

    fn refund(&mut self, b: &Value) -> Value {
        self.seq += 1;
        let refund_trx = format!("SIMR{:06}", self.seq);
        let Some(p) = self.find(b["paymentID"].as_str().unwrap_or("")) else {
            return fail("2002", "Invalid Payment ID");
        };
        if p.trx_id.is_none() || p.trx_id.as_deref() != b["trxID"].as_str() {
            return fail("2033", "Transaction not found");
        }
        let answer = |p: &Payment, r: &Refund| {
            json!({"statusCode": "0000", "statusMessage": "Successful", "originalTrxID": p.trx_id,
                "refundTrxID": r.refund_trx_id, "transactionStatus": "Completed", "amount": r.amount,
                "currency": "BDT", "charge": "0.00", "completedTime": r.completed_time})
        };
        if b.get("amount").is_none_or(Value::is_null) {
            // Refund status: the same answer again, or 2002 when never refunded.
            return match p.refunds.last() {
                Some(r) => answer(p, r),
                None => fail("2002", "Invalid Payment ID"),
            };
        }
        let refunded: i64 = p.refunds.iter().filter_map(|r| cents(&r.amount)).sum();
        let paid = cents(&p.field("amount")).unwrap_or(0);
        let asked = b["amount"].as_str().and_then(cents);
        if !asked.is_some_and(|c| c > 0 && refunded + c <= paid) {
            return fail("2006", "Invalid amount"); // code unconfirmed for "more than paid"
        }
        let r = Refund {
            refund_trx_id: refund_trx,
            amount: b["amount"].as_str().unwrap_or_default().into(),
            completed_time: bkash_time(),
            request: b.clone(),
        };
        let v = answer(p, &r);
        p.refunds.push(r);
        v
    }
}

impl BkashSim {
    pub fn start() -> Self {
        let state: Arc<Mutex<BkashState>> = Arc::default();
        let held = state.clone();
        let receiver = Receiver::start(move |req, _| {
            let mut st = held.lock().unwrap();
            if req.method == "GET" {
                let id = req.path.strip_prefix("/bkash/checkout/").unwrap_or("");
                let Some(to) = st.checkout(id) else {
                    return Answer::status(404);
                };
                let mut a = Answer::status(302);
                (a.location, a.body) = (Some(to), String::new());
                return a;
            }
            let op = req.path.strip_prefix(PREFIX).unwrap_or("");
            let ops =
                "/token/grant /token/refresh /create /execute /payment/status /payment/refund \
                       /general/searchTransaction";
            if req.method != "POST" || !ops.split(' ').any(|o| o == op) {
                // API Gateway: no such resource.
                return gateway(403, match req.header("authorization") {
                    Some(_) => "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.",
                    None => "Missing Authentication Token",
                });
            }
            let extra = st.execute_delay_secs * u64::from(op == "/execute");
            let delay = Duration::from_secs(st.delay_secs + extra);
            st.api(op, req).after(delay)
        });
        state.lock().unwrap().base = format!("http://{}", receiver.addr);
        Self { receiver, state }
    }

    /// The base URL to configure (like `https://tokenized.sandbox.bka.sh/v1.2.0-beta`);
    /// the client adds `/tokenized/checkout/...`.
    /// Points `config`'s bKash at this stand-in, with its merchant's
    /// credentials and a short call timeout.
    pub fn configure(&self, config: &mut ispbills::config::Config) {
        use ispbills::drivers::payments::config::Secret;
        let b = &mut config.payments.bkash;
        (b.enabled, b.base_url, b.timeout_secs) = (true, self.base_url(), 2);
        b.app_key = APP_KEY.into();
        b.app_secret = Secret(APP_SECRET.into());
        b.username = USERNAME.into();
        b.password = Secret(PASSWORD.into());
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/bkash/v1.2.0-beta", self.receiver.addr)
    }

    /// What customers do on the checkout page from now on.
    pub fn set_outcome(&self, outcome: Outcome) {
        self.state.lock().unwrap().outcome = Some(outcome);
    }

    /// This payment's customer acts (without a browser).
    pub fn act(&self, payment_id: &str, outcome: Outcome) {
        let mut st = self.state.lock().unwrap();
        st.find(payment_id).expect("no such payment").customer = Some(outcome);
        st.checkout(payment_id);
    }

    /// The customer entered the PIN: execute will complete.
    pub fn approve(&self, payment_id: &str) {
        self.act(payment_id, Outcome::Approve);
    }

    /// What a browser on `bkashURL` would do: acts out the chosen outcome and
    /// returns the URL bKash redirects it to.
    pub fn customer_redirect(&self, payment_id: &str) -> String {
        let mut st = self.state.lock().unwrap();
        st.checkout(payment_id).expect("no such payment")
    }

    /// The redirect for a given `status` (success|failure|cancel), state untouched
    /// (e.g. a forged "success" for a payment nobody paid).
    pub fn redirect_url(&self, payment_id: &str, status: &str) -> String {
        callback(&self.payment(payment_id), status)
    }

    /// A payment as the sim holds it (`executes` and `queries` count the calls).
    pub fn payment(&self, payment_id: &str) -> Payment {
        let mut st = self.state.lock().unwrap();
        st.find(payment_id).expect("no such payment").clone()
    }

    pub fn payments(&self) -> Vec<Payment> {
        self.state.lock().unwrap().payments.clone()
    }

    /// Every id_token issued so far now answers 401 "The incoming token has expired".
    pub fn expire_tokens(&self) {
        let mut st = self.state.lock().unwrap();
        let issued = st.id_tokens.clone();
        st.expired.extend(issued);
    }

    pub fn set_delay(&self, secs: u64) {
        self.state.lock().unwrap().delay_secs = secs;
    }

    pub fn set_execute_delay(&self, secs: u64) {
        self.state.lock().unwrap().execute_delay_secs = secs;
    }

    /// Requests to `PREFIX` + `op` (e.g. "/token/grant") so far.
    pub fn calls(&self, op: &str) -> usize {
        let path = format!("{PREFIX}{op}");
        let log = self.receiver.received();
        log.iter().filter(|r| r.path == path).count()
    }
}
