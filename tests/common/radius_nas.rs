//! A test NAS for CoA and Disconnect (RFC 5176): a UDP socket that checks
//! each request's authenticator and Message-Authenticator against the
//! shared secret, keeps what arrived, and answers as told (ACK, NAK with an
//! Error-Cause, or nothing), signed as a router signs.
#![allow(dead_code)]

use std::{
    net::UdpSocket,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use ispbills::drivers::radius::packet::{self, attr, code, Builder, Packet};

/// How the NAS answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Ack,
    /// NAK with this Error-Cause.
    Nak(u32),
    Silent,
}

/// A request as the NAS saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub code: u8,
    /// Request Authenticator and Message-Authenticator both right.
    pub signed: bool,
    pub attrs: Vec<(u8, Vec<u8>)>,
    pub raw: Vec<u8>,
}

impl Seen {
    pub fn text(&self, kind: u8) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    pub fn vendor(&self, vendor: u32, kind: u8) -> Option<String> {
        let p = Packet::decode(&self.raw).ok()?;
        p.vendor(vendor, kind)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }
}

pub struct TestNas {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    answer: Arc<Mutex<Answer>>,
}

impl TestNas {
    pub fn start(secret: &'static [u8]) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(Mutex::new(Answer::Ack));
        let (s2, a2) = (seen.clone(), answer.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    return;
                };
                let Ok(p) = Packet::decode(&buf[..n]) else {
                    continue;
                };
                let signed = packet::request_authenticator_ok(&p, secret)
                    && packet::message_authenticator_ok(&p, secret) == Some(true);
                s2.lock().unwrap().push(Seen {
                    code: p.code,
                    signed,
                    attrs: p.attrs.iter().map(|(k, v)| (*k, v.to_vec())).collect(),
                    raw: p.raw.to_vec(),
                });
                let mode = *a2.lock().unwrap();
                let (ack, nak) = match p.code {
                    code::DISCONNECT_REQUEST => (code::DISCONNECT_ACK, code::DISCONNECT_NAK),
                    code::COA_REQUEST => (code::COA_ACK, code::COA_NAK),
                    _ => continue,
                };
                let reply = match mode {
                    Answer::Silent => continue,
                    Answer::Ack => Builder::new(ack, p.id),
                    Answer::Nak(cause) => {
                        let mut b = Builder::new(nak, p.id);
                        b.add_u32(attr::ERROR_CAUSE, cause);
                        b
                    }
                };
                let bytes = reply
                    .finish_response(&p.authenticator, secret, true)
                    .unwrap();
                let _ = socket.send_to(&bytes, from);
            }
        });
        Self { port, seen, answer }
    }

    pub fn answer(&self, a: Answer) {
        *self.answer.lock().unwrap() = a;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Waits up to 10 s for the `n`th request.
    pub fn wait_for(&self, n: usize) -> Vec<Seen> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let seen = self.seen();
            if seen.len() >= n {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "the NAS got {} requests, not {n}",
                seen.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
