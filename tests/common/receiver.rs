//! A real HTTP receiver on loopback for webhook tests: records every request
//! (path, headers, the raw body bytes) and answers as the test says.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use hmac::{KeyInit, Mac};
use poem::{
    listener::{Acceptor, Listener, TcpListener},
    Request, Response, Server,
};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Verifies X-Signature as the guide tells integrators: the raw body as
    /// received, HMAC-SHA256 keyed with the secret, compared in constant time.
    pub fn signature_valid(&self, secret: &str) -> bool {
        let Some(given) = self.header("x-signature") else {
            return false;
        };
        let Some(given) = decode_hex(given) else {
            return false;
        };
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(&self.body);
        mac.verify_slice(&given).is_ok()
    }

    /// Verifies webhook-signature as Standard Webhooks libraries do: key = the
    /// base64 after `whsec_`, content `id.timestamp.body`, any `v1,` entry.
    pub fn standard_signature_valid(&self, secret: &str) -> bool {
        use base64::{engine::general_purpose::STANDARD, Engine};
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        let (Some(id), Some(ts), Some(sigs)) = (
            self.header("webhook-id"),
            self.header("webhook-timestamp"),
            self.header("webhook-signature"),
        ) else {
            return false;
        };
        sigs.split(' ').any(|sig| {
            let Some(b64) = sig.strip_prefix("v1,") else {
                return false;
            };
            let Ok(given) = STANDARD.decode(b64) else {
                return false;
            };
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(ts.as_bytes());
            mac.update(b".");
            mac.update(&self.body);
            mac.verify_slice(&given).is_ok()
        })
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.chars().any(|c| c.is_ascii_uppercase()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// How to answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
    pub location: Option<String>,
}

impl Answer {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            body: format!("answer {status}"),
            delay: Duration::ZERO,
            location: None,
        }
    }

    pub fn ok() -> Self {
        Self::status(200)
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Behaviour = dyn Fn(&Received, usize) -> Answer + Send + Sync;

/// The receiver; it stops when dropped.
pub struct Receiver {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Received>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Receiver {
    /// Answers every request 200.
    pub fn ok() -> Self {
        Self::start(|_, _| Answer::ok())
    }

    /// `behaviour(request, n)` decides the answer; `n` counts earlier requests
    /// to the same path.
    pub fn start(behaviour: impl Fn(&Received, usize) -> Answer + Send + Sync + 'static) -> Self {
        let behaviour: Arc<Behaviour> = Arc::new(behaviour);
        let log: Arc<Mutex<Vec<Received>>> = Arc::default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let acceptor = runtime
            .block_on(TcpListener::bind("127.0.0.1:0").into_acceptor())
            .unwrap();
        let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
        let app_log = log.clone();
        let app = poem::endpoint::make(move |mut req: Request| {
            let log = app_log.clone();
            let behaviour = behaviour.clone();
            async move {
                let body = req.take_body().into_vec().await.unwrap_or_default();
                let received = Received {
                    method: req.method().to_string(),
                    path: req.uri().path().to_string(),
                    headers: req
                        .headers()
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                        .collect(),
                    body,
                    at: Instant::now(),
                };
                let n = {
                    let mut log = log.lock().unwrap();
                    let n = log.iter().filter(|r| r.path == received.path).count();
                    log.push(received.clone());
                    n
                };
                let answer = behaviour(&received, n);
                if !answer.delay.is_zero() {
                    tokio::time::sleep(answer.delay).await;
                }
                let mut response = Response::builder()
                    .status(poem::http::StatusCode::from_u16(answer.status).unwrap());
                if let Some(location) = &answer.location {
                    response = response.header("location", location.as_str());
                }
                response.body(answer.body)
            }
        });
        runtime.spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self {
            addr,
            log,
            runtime: Some(runtime),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until `pred` holds for what arrived (panics after `timeout`).
    pub fn wait_until(
        &self,
        timeout: Duration,
        what: &str,
        pred: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received();
            if pred(&got) {
                return got;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; received {} requests: {:?}",
                    got.len(),
                    got.iter()
                        .map(|r| (
                            r.path.clone(),
                            String::from_utf8_lossy(&r.body).into_owned()
                        ))
                        .collect::<Vec<_>>()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for at least `n` requests.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        self.wait_until(timeout, &format!("{n} requests"), |got| got.len() >= n)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
