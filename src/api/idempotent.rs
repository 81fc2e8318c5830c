//! `Idempotency-Key` on money POSTs, the API's side: the header becomes an
//! [`ops::Once`](crate::ops::Once) and the answer is written as JSON. The
//! operation stores the first answer to a key in the transaction of the change
//! (`store::idempotency::once`), so an acknowledged change and its answer are
//! durable together; the same key with the same request replays that answer
//! byte for byte, with another request it is 422.

use rusqlite::Transaction;

use crate::{
    auth::secrets::sha256_hex,
    clock::format_timestamp,
    error::ApiResult,
    state::AppState,
    store::{
        idempotency::{self, Key},
        StoreError,
    },
};

/// The answer of a write as JSON (what an `Idempotency-Key` replays).
pub fn json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

/// Runs `change` (which returns the answer's JSON) at most once per key.
///
/// Transitional: the handlers that still compose their transaction here
/// (operator funds, SMS) move to an operation taking an `ops::Once`; then this
/// goes, and with it the last rusqlite type named in api/.
pub async fn write_once<F>(
    state: &AppState,
    caller: String,
    key: Option<String>,
    request: &impl std::fmt::Debug,
    status: u16,
    change: F,
) -> ApiResult<String>
where
    F: FnOnce(&Transaction<'_>) -> Result<String, StoreError> + Send + 'static,
{
    let key = key.map(|key| Key {
        caller,
        key,
        request_hash: sha256_hex(&format!("{request:?}")),
        status,
    });
    let now = format_timestamp(state.clock.now());
    Ok(state
        .db
        .write_async(move |tx| idempotency::once(tx, key.as_ref(), &now, change, Ok))
        .await?)
}

/// Serialises an answer inside a write transaction (for [`write_once`]).
pub fn to_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Task(e.to_string()))
}
