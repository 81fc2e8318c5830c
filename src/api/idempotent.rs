//! `Idempotency-Key` on money POSTs. The first answer to a key is stored in the
//! same transaction as the change, so an acknowledged change and its answer are
//! durable together; the same key with the same request replays that answer
//! byte for byte, with another request it is 422. Writes are serialised by
//! SQLite (`BEGIN IMMEDIATE`), so a second request with a key waits for the first
//! to commit and then replays it: it never sees one "in flight".

use rusqlite::Transaction;

use crate::{
    auth::secrets::sha256_hex,
    clock::format_timestamp,
    error::ApiResult,
    state::AppState,
    store::{
        idempotency::{self, Seen},
        StoreError,
    },
};

/// Runs `change` (which returns the answer's JSON) at most once per key.
/// `request` is the parsed request: what a replay must match (field order and
/// spacing of the body do not matter).
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
    let hash = sha256_hex(&format!("{request:?}"));
    let now = format_timestamp(state.clock.now());
    Ok(state
        .db
        .write_async(move |tx| {
            if let Some(key) = &key {
                match idempotency::lookup(tx, &caller, key, &hash)? {
                    Seen::Replay { body, .. } => return Ok(body),
                    Seen::Mismatch => {
                        return Err(StoreError::invalid(
                            "Idempotency-Key",
                            "This key was used with a different request.",
                        ))
                    }
                    Seen::New => {}
                }
            }
            let body = change(tx)?;
            if let Some(key) = &key {
                idempotency::store(tx, &caller, key, &hash, status, &body, &now)?;
            }
            Ok(body)
        })
        .await?)
}

/// Serialises an answer inside a write transaction.
pub fn to_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Task(e.to_string()))
}
