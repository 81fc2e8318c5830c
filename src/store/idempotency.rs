//! Idempotency keys of money POSTs: the first answer to a key is stored in the
//! same transaction as the change, and replayed for the same key and body.

use rusqlite::{params, OptionalExtension, Transaction};

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
    tx.execute(
        "INSERT INTO idempotency_keys (caller, key, request_hash, response_status, response_body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![caller, key, request_hash, status, body, now],
    )?;
    Ok(())
}

/// Forgets keys older than `before` (kept at least 24 hours).
pub fn delete_before(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        [before],
    )?)
}
