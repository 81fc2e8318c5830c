//! `Idempotency-Key` on money POSTs, the API's side: the header becomes an
//! [`ops::Once`](crate::ops::Once) and the answer is written as JSON. The
//! operation stores the first answer to a key in the transaction of the change
//! (`store::idempotency::once`), so an acknowledged change and its answer are
//! durable together; the same key with the same request replays that answer
//! byte for byte, with another request it is 422.

/// The answer of a write as JSON (what an `Idempotency-Key` replays).
pub fn json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}
