//! The RADIUS packet decoder on arbitrary datagrams: it must never panic,
//! never read past what it was given, and what it decodes must encode back
//! to the same octets; the authenticator checks and vendor lookups that run
//! on decoded packets must not panic either.
#![no_main]

// At the crate root, as siblings: the decoder names `super::crypto`.
#[allow(dead_code)]
#[path = "../../src/drivers/radius/crypto.rs"]
mod crypto;
#[allow(dead_code)]
#[path = "../../src/drivers/radius/packet.rs"]
mod packet;

use libfuzzer_sys::fuzz_target;
use packet::{Builder, Packet};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = Packet::decode(data) else { return };
    assert!(p.raw.len() <= data.len() && p.raw.len() >= packet::HEADER_LEN);
    assert_eq!(p.raw, &data[..p.raw.len()]);
    // Every attribute re-encodes to the same octets, in order.
    let mut b = Builder::new(p.code, p.id);
    for (kind, value) in &p.attrs {
        b.add(*kind, value).expect("a decoded value fits");
    }
    let again = b
        .finish_access_request(&p.authenticator, b"secret", false)
        .expect("a decoded packet fits");
    assert_eq!(again, p.raw);
    let _ = packet::message_authenticator_ok(&p, b"secret");
    let _ = packet::request_authenticator_ok(&p, b"secret");
    let _ = p.vendor(packet::vendor::MICROSOFT, packet::vendor::MS_CHAP2_RESPONSE);
    let _ = p.vendor(packet::vendor::MIKROTIK, packet::vendor::MIKROTIK_RATE_LIMIT);
    if let Some(hidden) = p.get(packet::attr::USER_PASSWORD) {
        let _ = crypto::user_password(hidden, b"secret", &p.authenticator);
    }
});
