//! A local stand-in for SSLCommerz API v4, following developer.sslcommerz.com/doc/v4
//! as SSLCommerz's own libraries call it (github.com/sslcommerz/SSLCommerz-PHP
//! config/config.php and lib/SslCommerzNotification.php; the `sslcommerz-lts`
//! npm package; the `sslcommerz-lib` Python package); /work/notes/gateways.md
//! has the spec and the source of each fact.
//!
//! `POST /gwprocess/v4/api.php` (urlencoded form; `store_id`/`store_passwd`)
//! opens a session: `status` SUCCESS with `sessionkey` and `GatewayPageURL`, or
//! FAILED with `failedreason`. The GatewayPageURL (`/EasyCheckOut/<sessionkey>`)
//! acts out what the test chose (default: pays) and answers a small HTML page
//! whose form posts itself to `success_url`, `fail_url` or `cancel_url` with the
//! documented fields, signed (`verify_sign`, `verify_key`). SSLCommerz's IPN is
//! server to server: tests send it with [`SslCommerzSim::send_ipn`]. GET
//! `/validator/api/validationserverAPI.php?val_id=` validates (VALID, then
//! VALIDATED; unknown: INVALID_TRANSACTION); GET
//! `/validator/api/merchantTransIDvalidationAPI.php` answers a transaction query
//! (`tran_id`), a refund (`bank_tran_id` + `refund_amount`) and a
//! refund query (`refund_ref_id`). Amounts are strings with two decimals. Only
//! `application/x-www-form-urlencoded` bodies are read (not multipart). The sim
//! has its own listener: the webhook receiver drops query strings.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use md5::{Digest, Md5};
use poem::{
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    Request, Response, Server,
};
use serde_json::{json, Value};

pub const STORE_ID: &str = "simstore01";
pub const STORE_PASSWD: &str = "simstore01@ssl";
const VALIDATOR: &str = "/validator/api/validationserverAPI.php";
const MERCHANT_API: &str = "/validator/api/merchantTransIDvalidationAPI.php";
const EXPIRED: &str = "<!DOCTYPE html><p>This session has expired.</p>";

/// How a session ends: Valid, Failed and Cancelled come back through the
/// browser (success_url, fail_url, cancel_url); Unattempted and Expired are
/// IPN-only statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Valid,
    Failed,
    Cancelled,
    Unattempted,
    Expired,
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub refund_ref_id: String,
    pub amount: String,
    /// `processing`, `refunded` or `cancelled`, as the refund query shows it.
    pub status: String,
    pub initiated_on: String,
    /// The refund request (`refund_remarks`, `refe_id`, `refund_trans_id`, ...).
    pub request: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Txn {
    pub tran_id: String,
    pub sessionkey: String,
    /// Everything the session request carried.
    pub init: Vec<(String, String)>,
    pub amount: String,
    /// PENDING until the customer acts; then VALID, FAILED, CANCELLED, UNATTEMPTED or EXPIRED.
    pub status: String,
    pub val_id: String,
    pub bank_tran_id: String,
    pub tran_date: String,
    pub risk_level: String,
    pub validations: usize,
    pub refunds: Vec<Refund>,
}

impl Txn {
    /// A field of the session request.
    pub fn field(&self, k: &str) -> String {
        param(&self.init, k).unwrap_or_default().to_string()
    }
}

#[derive(Debug, Default)]
pub struct SslState {
    pub txns: Vec<Txn>,
    /// What customers do on the gateway page from now on (`None`: Valid).
    pub outcome: Option<Outcome>,
    /// Seconds before every API answer (not the page).
    pub delay_secs: u64,
    /// How refunds answer: `success` (then queried as refunded), `processing`
    /// (queried as processing until `settle_refund`) or `failed`.
    pub refund_answer: Option<&'static str>,
    seq: u64,
    base: String,
}

/// One request as it arrived; `params` is the query string then the form.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub params: Vec<(String, String)>,
}

pub struct SslCommerzSim {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<SslState>>,
    log: Arc<Mutex<Vec<Req>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

fn param<'a>(p: &'a [(String, String)], k: &str) -> Option<&'a str> {
    p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

pub fn md5_hex(s: &str) -> String {
    let digest = Md5::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `verify_sign` as SSLCommerz's libraries check it: the fields named in
/// `verify_key`, plus `store_passwd` = md5(store password), sorted by key,
/// joined `k=v&k=v`, md5 in lowercase hex.
pub fn verify_sign(fields: &[(String, String)], verify_key: &str, store_passwd: &str) -> String {
    let named = verify_key
        .split(',')
        .filter_map(|k| Some((k, param(fields, k)?)));
    let mut pairs: Vec<String> = named.map(|(k, v)| format!("{k}={v}")).collect();
    pairs.push(format!("store_passwd={}", md5_hex(store_passwd)));
    pairs.sort_by(|a, b| a.split('=').next().cmp(&b.split('=').next()));
    md5_hex(&pairs.join("&"))
}

/// Adds `verify_sign`, `verify_key` (every field, sorted) and `verify_sign_sha2` (empty).
pub fn sign(fields: &mut Vec<(String, String)>, store_passwd: &str) {
    let mut keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort();
    let key = keys.join(",");
    let sig = verify_sign(fields, &key, store_passwd);
    fields.push(("verify_sign".into(), sig));
    fields.push(("verify_key".into(), key));
    fields.push(("verify_sign_sha2".into(), String::new()));
}

/// "10", "10.5", "10.50" -> paisa.
fn cents(s: &str) -> Option<i64> {
    let (w, f) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    let ok = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !ok(w) || f.len() > 2 || (!f.is_empty() && !ok(f)) {
        return None;
    }
    Some(w.parse::<i64>().ok()? * 100 + format!("{f:0<2}").parse::<i64>().ok()?)
}

fn money(c: i64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

/// `2016-05-08 15:53:49`, Dhaka time.
fn now() -> String {
    let t = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+6));
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.format(format).unwrap()
}

fn esc(s: &str) -> String {
    let s = s.replace('&', "&amp;").replace('"', "&quot;");
    s.replace('<', "&lt;").replace('>', "&gt;")
}

/// The fields SSLCommerz posts (to the browser's return URL and the IPN URL), signed.
fn notice(t: &Txn) -> Vec<(String, String)> {
    let paid = t.status == "VALID";
    let amount = cents(&t.amount).unwrap_or(0);
    let (amount, store_amount) = (money(amount), money(amount * 975 / 1000));
    let error = match t.status.as_str() {
        "FAILED" => "Declined by the issuer",
        "CANCELLED" => "Cancelled by User",
        "UNATTEMPTED" => "Customer did not choose to pay any channel",
        "EXPIRED" => "Session expired",
        _ => "",
    };
    let risk_title = if t.risk_level == "1" { "Risky" } else { "Safe" };
    let (currency, a, b) = (t.field("currency"), t.field("value_a"), t.field("value_b"));
    let (c, d) = (t.field("value_c"), t.field("value_d"));
    let Txn {
        status,
        bank_tran_id,
        tran_date,
        tran_id,
        val_id,
        risk_level,
        ..
    } = t;
    let text = format!(
        "amount={amount}\nbank_tran_id={bank_tran_id}\nbase_fair=0.00\ncard_brand=VISA\n\
         card_issuer=DUTCH-BANGLA BANK LIMITED\ncard_issuer_country=Bangladesh\n\
         card_issuer_country_code=BD\ncard_no=432149XXXXXX0667\ncard_sub_brand=Classic\n\
         card_type=VISA-Dutch Bangla\ncurrency=BDT\ncurrency_amount={amount}\n\
         currency_rate=1.0000\ncurrency_type={currency}\nerror={error}\nrisk_level={risk_level}\n\
         risk_title={risk_title}\nstatus={status}\nstore_amount={store_amount}\n\
         store_id={STORE_ID}\ntran_date={tran_date}\ntran_id={tran_id}\nval_id={val_id}\n\
         value_a={a}\nvalue_b={b}\nvalue_c={c}\nvalue_d={d}"
    );
    let pair = |l: &str| Some((l.split_once('=')?.0.into(), l.split_once('=')?.1.into()));
    let mut fields: Vec<(String, String)> = text.lines().filter_map(pair).collect();
    // Only a paid session has card details and a store amount.
    let unpaid =
        |(k, _): &&mut (String, String)| !paid && (k.starts_with("card_") || k == "store_amount");
    fields
        .iter_mut()
        .filter(unpaid)
        .for_each(|(_, v)| v.clear());
    sign(&mut fields, STORE_PASSWD);
    fields
}

/// A transaction as the validation and query APIs describe it.
fn details(t: &Txn, status: &str) -> Value {
    let mut v = json!({ "status": status });
    for (k, val) in notice(t) {
        if !k.starts_with("verify_") && !["status", "store_id"].contains(&k.as_str()) {
            v[k] = val.into();
        }
    }
    v
}

/// The status the query APIs show: VALIDATED once the merchant validated it.
fn shown(t: &Txn) -> String {
    if t.status == "VALID" && t.validations > 0 {
        return "VALIDATED".into();
    }
    t.status.clone()
}

impl SslState {
    fn find(&mut self, f: impl Fn(&Txn) -> bool) -> Option<&mut Txn> {
        self.txns.iter_mut().rev().find(|t| f(t))
    }

    fn act(&mut self, sessionkey: &str, outcome: Option<Outcome>) -> Option<Txn> {
        self.seq += 1;
        let (seq, default) = (self.seq, self.outcome.unwrap_or(Outcome::Valid));
        let t = self.find(|t| t.sessionkey == sessionkey)?;
        if t.status == "PENDING" {
            let o = outcome.unwrap_or(default);
            (t.status, t.tran_date) = (format!("{o:?}").to_uppercase(), now());
            if o == Outcome::Valid {
                t.val_id = format!("{}{seq:06}SIM", t.tran_date.replace(['-', ' ', ':'], ""));
            }
            if matches!(o, Outcome::Valid | Outcome::Failed) {
                t.bank_tran_id = format!("SIMBANK{seq:010}");
            }
        }
        Some(t.clone())
    }

    fn handle(&mut self, r: &Req) -> (u16, &'static str, String) {
        let p = |k: &str| param(&r.params, k).unwrap_or("").to_string();
        let authed = p("store_id") == STORE_ID && p("store_passwd") == STORE_PASSWD;
        let v = match (r.method.as_str(), r.path.as_str()) {
            ("POST", "/gwprocess/v4/api.php") => self.init(r, authed),
            ("GET", path) if path.starts_with("/EasyCheckOut/") => return self.page(&path[14..]),
            ("GET", VALIDATOR | MERCHANT_API) if !authed => json!({"APIConnect": "FAILED"}),
            ("GET", VALIDATOR) if p("val_id").is_empty() => {
                json!({"APIConnect": "INVALID_REQUEST"})
            }
            ("GET", VALIDATOR) => match self
                .find(|t| t.status == "VALID" && t.val_id == p("val_id"))
            {
                Some(t) => {
                    t.validations += 1;
                    let mut v = details(t, ["VALID", "VALIDATED"][usize::from(t.validations > 1)]);
                    (v["APIConnect"], v["validated_on"], v["gw_version"]) =
                        ("DONE".into(), now().into(), "".into());
                    v
                }
                None => json!({"status": "INVALID_TRANSACTION"}),
            },
            ("GET", MERCHANT_API) if !p("refund_amount").is_empty() => self.refund(r),
            ("GET", MERCHANT_API) if !p("refund_ref_id").is_empty() => {
                self.refund_query(&p("refund_ref_id"))
            }
            ("GET", MERCHANT_API) if !p("tran_id").is_empty() => {
                let mine = self.txns.iter().filter(|t| t.tran_id == p("tran_id"));
                let element: Vec<Value> = mine.map(|t| details(t, &shown(t))).collect();
                json!({"APIConnect": "DONE", "no_of_trans_found": element.len(), "element": element})
            }
            ("GET", MERCHANT_API) => json!({"APIConnect": "INVALID_REQUEST"}),
            _ => return (404, "text/plain", "Not Found".into()),
        };
        (200, "application/json", v.to_string())
    }

    fn init(&mut self, r: &Req, authed: bool) -> Value {
        let failed = |why: &str| json!({"status": "FAILED", "failedreason": why, "sessionkey": "", "GatewayPageURL": ""});
        if !authed {
            return failed("Store Credential Error Or Store is De-active");
        }
        let required = "total_amount currency tran_id success_url fail_url cancel_url cus_name \
                        cus_email cus_add1 cus_city cus_country cus_phone shipping_method \
                        product_name product_category product_profile";
        let missing = |k: &&str| param(&r.params, k).is_none_or(str::is_empty);
        if let Some(k) = required.split(' ').find(missing) {
            return failed(&format!("Invalid Information! '{k}' is missing")); // text unconfirmed
        }
        let amount = param(&r.params, "total_amount").and_then(cents);
        let bdt = param(&r.params, "currency") == Some("BDT");
        let Some(amount) = amount.filter(|c| !bdt || (1_000..=50_000_000).contains(c)) else {
            return failed("Invalid amount: from 10.00 BDT to 500000.00 BDT"); // text unconfirmed
        };
        self.seq += 1;
        let sessionkey = md5_hex(&format!("session-{}", self.seq)).to_uppercase();
        self.txns.push(Txn {
            tran_id: param(&r.params, "tran_id").unwrap_or_default().into(),
            sessionkey: sessionkey.clone(),
            init: r.params.clone(),
            amount: money(amount),
            status: "PENDING".into(),
            val_id: String::new(),
            bank_tran_id: String::new(),
            tran_date: now(),
            risk_level: "0".into(),
            validations: 0,
            refunds: vec![],
        });
        json!({"status": "SUCCESS", "failedreason": "", "sessionkey": sessionkey,
            "gw": {"visa": "city_visa,ebl_visa,visacard", "master": "city_master,ebl_master,mastercard",
                "mobilebanking": "dbblmobilebanking,bkash"},
            "redirectGatewayURL": "", "directPaymentURLBank": "", "directPaymentURLCard": "",
            "directPaymentURL": "", "redirectGatewayURLFailed": "",
            "GatewayPageURL": format!("{}/EasyCheckOut/{sessionkey}", self.base),
            "storeBanner": "", "storeLogo": "", "store_name": "Sim Store", "desc": [],
            "is_direct_pay_enable": "0"})
    }

    /// The gateway page: the customer acts; the browser posts the result back.
    fn page(&mut self, sessionkey: &str) -> (u16, &'static str, String) {
        let Some(t) = self.act(sessionkey, None) else {
            return (404, "text/html", "Invalid session".into());
        };
        let to = match t.status.as_str() {
            "VALID" => t.field("success_url"),
            "FAILED" => t.field("fail_url"),
            "CANCELLED" => t.field("cancel_url"),
            _ => return (200, "text/html", EXPIRED.into()),
        };
        let input = |(k, v): &(String, String)| {
            let (k, v) = (esc(k), esc(v));
            format!("<input type=\"hidden\" name=\"{k}\" value=\"{v}\">")
        };
        let inputs: String = notice(&t).iter().map(input).collect();
        let html = format!(
            "<!DOCTYPE html><html><head><title>SSLCommerz</title></head>\
             <body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">\
             {inputs}<noscript><button type=\"submit\">Continue</button></noscript></form></body></html>",
            esc(&to)
        );
        (200, "text/html; charset=utf-8", html)
    }

    fn refund(&mut self, r: &Req) -> Value {
        self.seq += 1;
        let (seq, answer) = (self.seq, self.refund_answer.unwrap_or("success"));
        let p = |k: &str| param(&r.params, k).unwrap_or("").to_string();
        let bank = p("bank_tran_id");
        let failed = |why: &str| json!({"APIConnect": "DONE", "bank_tran_id": bank, "status": "failed", "errorReason": why});
        if bank.is_empty() || p("refund_remarks").is_empty() {
            return json!({"APIConnect": "INVALID_REQUEST"});
        }
        let Some(t) = self.find(|t| t.status == "VALID" && t.bank_tran_id == bank) else {
            return failed("Invalid bank_tran_id"); // text unconfirmed
        };
        let refunded: i64 = t.refunds.iter().filter_map(|f| cents(&f.amount)).sum();
        let room = cents(&t.amount).unwrap_or(0) - refunded;
        let asked = cents(&p("refund_amount")).filter(|c| *c > 0 && *c <= room);
        let Some(asked) = asked.filter(|_| answer != "failed") else {
            return failed("Refund amount exceeds the transaction amount"); // text unconfirmed
        };
        let f = Refund {
            refund_ref_id: format!("{:013x}", 0x59bd_0000_0000_u64 + seq),
            amount: money(asked),
            status: ["refunded", "processing"][usize::from(answer == "processing")].into(),
            initiated_on: now(),
            request: r.params.clone(),
        };
        let v = json!({"APIConnect": "DONE", "bank_tran_id": bank, "trans_id": t.tran_id,
            "refund_ref_id": f.refund_ref_id, "status": answer, "errorReason": ""});
        t.refunds.push(f);
        v
    }

    fn refund_query(&self, id: &str) -> Value {
        let mut all = self
            .txns
            .iter()
            .flat_map(|t| t.refunds.iter().map(move |f| (t, f)));
        let Some((t, f)) = all.find(|(_, f)| f.refund_ref_id == id) else {
            return json!({"APIConnect": "DONE", "refund_ref_id": id, "status": "failed",
                "errorReason": "Invalid refund_ref_id"}); // text unconfirmed
        };
        json!({"APIConnect": "DONE", "bank_tran_id": t.bank_tran_id, "tran_id": t.tran_id,
            "refund_ref_id": f.refund_ref_id, "initiated_on": f.initiated_on,
            "refunded_on": if f.status == "refunded" { f.initiated_on.as_str() } else { "" },
            "status": f.status, "errorReason": ""})
    }
}

impl SslCommerzSim {
    pub fn start() -> Self {
        let (state, log) = (
            Arc::<Mutex<SslState>>::default(),
            Arc::<Mutex<Vec<Req>>>::default(),
        );
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build();
        let runtime = rt.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").into_acceptor();
        let acceptor = runtime.block_on(listener).unwrap();
        let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
        state.lock().unwrap().base = format!("http://{addr}");
        let (held, app_log) = (state.clone(), log.clone());
        let app = poem::endpoint::make(move |mut req: Request| {
            let (state, log) = (held.clone(), app_log.clone());
            async move {
                let body = req.take_body().into_vec().await.unwrap_or_default();
                let query = req.uri().query().unwrap_or("");
                let mut params: Vec<(String, String)> =
                    serde_urlencoded::from_str(query).unwrap_or_default();
                let form = req
                    .content_type()
                    .unwrap_or("")
                    .starts_with("application/x-www-form-urlencoded");
                if form {
                    params
                        .extend(serde_urlencoded::from_bytes::<Vec<_>>(&body).unwrap_or_default());
                }
                let (method, path) = (req.method().to_string(), req.uri().path().to_string());
                let r = Req {
                    method,
                    path,
                    params,
                };
                log.lock().unwrap().push(r.clone());
                let ((status, kind, text), delay) = {
                    let mut st = state.lock().unwrap();
                    let delay = st.delay_secs * u64::from(!r.path.starts_with("/EasyCheckOut/"));
                    (st.handle(&r), delay)
                };
                tokio::time::sleep(Duration::from_secs(delay)).await;
                let status = StatusCode::from_u16(status).unwrap();
                Response::builder()
                    .status(status)
                    .content_type(kind)
                    .body(text)
            }
        });
        runtime.spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self {
            addr,
            state,
            log,
            runtime: Some(runtime),
        }
    }

    /// The host to configure (like `https://sandbox.sslcommerz.com`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What customers do on the gateway page from now on.
    pub fn set_outcome(&self, outcome: Outcome) {
        self.state.lock().unwrap().outcome = Some(outcome);
    }

    /// The latest session for `tran_id` ends so, without a browser; returns it.
    pub fn act(&self, tran_id: &str, outcome: Outcome) -> Txn {
        let key = self.txn(tran_id).sessionkey;
        self.state.lock().unwrap().act(&key, Some(outcome)).unwrap()
    }

    /// The latest session for `tran_id`.
    pub fn txn(&self, tran_id: &str) -> Txn {
        let mut st = self.state.lock().unwrap();
        st.find(|t| t.tran_id == tran_id)
            .expect("no such tran_id")
            .clone()
    }

    /// The signed fields SSLCommerz would post now (return URL or IPN).
    pub fn notice(&self, tran_id: &str) -> Vec<(String, String)> {
        notice(&self.txn(tran_id))
    }

    /// Posts the IPN for `tran_id`'s latest session to its `ipn_url`.
    pub fn send_ipn(&self, tran_id: &str) -> super::Reply {
        self.send_ipn_with(tran_id, &self.notice(tran_id))
    }

    /// Posts `fields` (e.g. a tampered notice) to `tran_id`'s `ipn_url`.
    pub fn send_ipn_with(&self, tran_id: &str, fields: &[(String, String)]) -> super::Reply {
        let url = self.txn(tran_id).field("ipn_url");
        let body = serde_urlencoded::to_string(fields).unwrap();
        let form = [("content-type", "application/x-www-form-urlencoded")];
        super::request("POST", &url, &form, Some(body.as_bytes()))
    }

    pub fn set_delay(&self, secs: u64) {
        self.state.lock().unwrap().delay_secs = secs;
    }

    /// `success`, `processing` or `failed` for the refunds that follow.
    pub fn set_refund_answer(&self, answer: &'static str) {
        self.state.lock().unwrap().refund_answer = Some(answer);
    }

    /// A processing refund ends: `refunded` or `cancelled`.
    pub fn settle_refund(&self, refund_ref_id: &str, status: &str) {
        let mut st = self.state.lock().unwrap();
        let mut all = st.txns.iter_mut().flat_map(|t| t.refunds.iter_mut());
        let f = all
            .find(|f| f.refund_ref_id == refund_ref_id)
            .expect("no such refund");
        f.status = status.into();
    }

    /// Requests to `path` so far (query string and form merged in `params`).
    pub fn requests(&self, path: &str) -> Vec<Req> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|r| r.path == path).cloned().collect()
    }
}

impl Drop for SslCommerzSim {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
