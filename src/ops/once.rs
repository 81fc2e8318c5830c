//! `Idempotency-Key` on writes that move money: an operation that takes a
//! [`Once`] stores its first answer under the key in the transaction of the
//! change (so an acknowledged change and its answer are durable together);
//! the same key with the same request replays that answer byte for byte,
//! with another request it is refused (`Idempotency-Key`, 422).

use crate::{auth::secrets::sha256_hex, store::idempotency::Key};

use super::Caller;

/// The answer of a write: how to write it (the adapter's shape, e.g. the API's
/// JSON), its status, and the key it may be repeated with.
pub struct Once<T> {
    key: Option<String>,
    status: u16,
    answer: fn(T) -> Result<String, String>,
}

impl<T> Once<T> {
    pub fn new(key: Option<String>, status: u16, answer: fn(T) -> Result<String, String>) -> Self {
        Self {
            key,
            status,
            answer,
        }
    }

    /// The stored key of `caller` for `request` (the parsed request: what a
    /// replay must match; field order and spacing of a body do not matter).
    pub(crate) fn key(&self, caller: &Caller, request: &impl std::fmt::Debug) -> Option<Key> {
        self.key.as_ref().map(|key| Key {
            caller: caller.label(),
            key: key.clone(),
            request_hash: sha256_hex(&format!("{request:?}")),
            status: self.status,
        })
    }

    /// Writes the answer inside the transaction.
    pub(crate) fn answer(&self) -> impl FnOnce(T) -> Result<String, crate::store::StoreError> {
        let write = self.answer;
        move |value| write(value).map_err(crate::store::StoreError::Task)
    }
}
