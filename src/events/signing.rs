//! What a webhook request carries: the body exactly `{"event","timestamp","data"}`
//! and its signatures — `X-Signature`, the lowercase hex HMAC-SHA256 of the raw
//! body under the secret (as the guide tells integrators), and the Standard
//! Webhooks headers `webhook-id`, `webhook-timestamp` and `webhook-signature`
//! (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64
//! part of the `whsec_` secret, as the Standard Webhooks libraries expect).

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

/// Secrets look like `whsec_` + base64 of 32 random bytes.
pub const SECRET_PREFIX: &str = "whsec_";
const SECRET_BYTES: usize = 32;

/// A new signing secret.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut key = [0u8; SECRET_BYTES];
    getrandom::fill(&mut key)?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(key)))
}

/// The key Standard Webhooks verifiers derive from the secret: the bytes the
/// base64 after `whsec_` stands for (the secret's own bytes if it is not so).
pub fn standard_webhooks_key(secret: &str) -> Vec<u8> {
    secret
        .strip_prefix(SECRET_PREFIX)
        .and_then(|b| STANDARD.decode(b).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    match hmac::Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            for p in parts {
                mac.update(p);
            }
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length; this cannot happen.
        Err(_) => Vec::new(),
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The request body: `{"event": ..., "timestamp": ..., "data": ...}`.
pub fn body(event: &str, timestamp: &str, data: &Value) -> String {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        event: &'a str,
        timestamp: &'a str,
        data: &'a Value,
    }
    serde_json::to_string(&Body {
        event,
        timestamp,
        data,
    })
    .unwrap_or_default()
}

/// A request ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Signed {
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

/// Signs `body` for event `event_id` of type `event`, sent at `now_unix`.
pub fn sign(secret: &str, event_id: i64, event: &str, body: String, now_unix: i64) -> Signed {
    let id = event_id.to_string();
    let ts = now_unix.to_string();
    let signature = hex(&hmac_sha256(secret.as_bytes(), &[body.as_bytes()]));
    let standard = STANDARD.encode(hmac_sha256(
        &standard_webhooks_key(secret),
        &[id.as_bytes(), b".", ts.as_bytes(), b".", body.as_bytes()],
    ));
    let headers = vec![
        ("Content-Type", "application/json".to_string()),
        ("X-Signature", signature),
        ("X-Webhook-Event", event.to_string()),
        ("X-Webhook-Id", id.clone()),
        ("X-Webhook-Timestamp", ts.clone()),
        ("webhook-id", id),
        ("webhook-timestamp", ts),
        ("webhook-signature", format!("v1,{standard}")),
    ];
    Signed { body, headers }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_exactly_the_three_keys_in_order() {
        let data = serde_json::json!({"customer_id": 1234, "amount": 500});
        assert_eq!(
            body("payment.received", "2026-03-15T10:30:00Z", &data),
            r#"{"event":"payment.received","timestamp":"2026-03-15T10:30:00Z","data":{"customer_id":1234,"amount":500}}"#
        );
    }

    #[test]
    fn signatures_match_independent_computations() {
        // X-Signature: RFC 4231 case 2 shape (key "Jefe").
        let s = sign("Jefe", 7, "x", "what do ya want for nothing?".into(), 1);
        let get = |name: &str| {
            s.headers
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(
            get("X-Signature"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(get("X-Webhook-Id"), "7");
        assert_eq!(get("webhook-id"), "7");
        assert_eq!(get("X-Webhook-Timestamp"), "1");
        // The Standard Webhooks example: secret, id, timestamp, body and signature
        // from the specification's test vector.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let s = sign(
            secret,
            0,
            "test",
            r#"{"test": 2432232314}"#.into(),
            1614265330,
        );
        let sig = s
            .headers
            .iter()
            .find(|(k, _)| *k == "webhook-signature")
            .map(|(_, v)| v.clone())
            .unwrap();
        // Recompute over "msg_p5jXN8AQM9LWM0D4loKWxJek" as the spec does.
        let expected = STANDARD.encode(hmac_sha256(
            &standard_webhooks_key(secret),
            &[b"0.1614265330.{\"test\": 2432232314}"],
        ));
        assert_eq!(sig, format!("v1,{expected}"));
        let spec = STANDARD.encode(hmac_sha256(
            &standard_webhooks_key(secret),
            &[b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}"],
        ));
        assert_eq!(spec, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_are_random_32_bytes() {
        let a = new_secret().unwrap();
        assert!(a.starts_with(SECRET_PREFIX));
        assert_eq!(standard_webhooks_key(&a).len(), 32);
        assert_ne!(a, new_secret().unwrap());
    }
}
