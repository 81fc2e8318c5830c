//! Idempotency keys of money POSTs: the first answer to a key is stored in the
//! same transaction as the change, and replayed for the same key and body.
//! Writes are serialised by SQLite (`BEGIN IMMEDIATE`), so a second request
//! with a key waits for the first to commit and then replays it: it never sees
//! one "in flight".

use super::sql::{OptionalExtension, Transaction};
use rusqlite::params;

use super::StoreError;

/// What a key already stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Not used yet.
    New,
    /// Used with the same body: the stored answer.
    Replay { status: u16, body: String },
    /// Used with another body.
    Mismatch,
}

/// An `Idempotency-Key` as a write sees it: whose, which, what request it
/// stands for (a digest) and the status of its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub caller: String,
    pub key: String,
    pub request_hash: String,
    pub status: u16,
}

/// Runs `change` and writes its answer with `answer`, at most once per key:
/// the same key and request replay the stored answer (nothing is changed), the
/// same key with another request is refused, and a first answer is stored in
/// this transaction, so the change and its answer are durable together.
/// Without a key it is just the change and its answer.
pub fn once<T>(
    tx: &Transaction<'_>,
    key: Option<&Key>,
    now: &str,
    change: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    answer: impl FnOnce(T) -> Result<String, StoreError>,
) -> Result<String, StoreError> {
    if let Some(k) = key {
        match lookup(tx, &k.caller, &k.key, &k.request_hash)? {
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
    let body = answer(change(tx)?)?;
    if let Some(k) = key {
        store(tx, &k.caller, &k.key, &k.request_hash, k.status, &body, now)?;
    }
    Ok(body)
}

pub fn lookup(
    tx: &Transaction<'_>,
    caller: &str,
    key: &str,
    request_hash: &str,
) -> Result<Seen, StoreError> {
    let found: Option<(String, u16, String)> = tx
        .query_row(
            "SELECT request_hash, response_status, response_body FROM idempotency_keys
             WHERE caller = ?1 AND key = ?2",
            params![caller, key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(match found {
        None => Seen::New,
        Some((hash, status, body)) if hash == request_hash => Seen::Replay { status, body },
        Some(_) => Seen::Mismatch,
    })
}

pub fn store(
    tx: &Transaction<'_>,
    caller: &str,
    key: &str,
    request_hash: &str,
    status: u16,
    body: &str,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO idempotency_keys (caller, key, request_hash, response_status, response_body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![caller, key, request_hash, status, body, now],
    )?;
    Ok(())
}

/// Forgets keys older than `before` (kept at least 24 hours).
pub fn delete_before(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    Ok(tx.exec(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        [before],
    )?)
}
