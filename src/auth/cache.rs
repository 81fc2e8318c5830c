//! Remembers what each access token was found to be, so a request with a token
//! seen before needs neither a signature check nor a database read (the token's
//! bytes are the key; its expiry is still checked on every use). Every entry is tied to an epoch;
//! the epoch moves whenever anything that could change a token's standing may
//! have changed — at once for changes made by this process (revoke, rotate,
//! delete, scope changes, refresh-token reuse), and within a poll interval for
//! changes made by another process (the `ispbills client ...` commands), which
//! the auth-epoch watcher notices.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
};

use super::principal::Principal;

/// Entries kept at most; past that the map starts over.
const MAX_ENTRIES: usize = 50_000;

/// The epoch an entry was found in, and what was found (`None`: refused).
type Entry = (u64, Option<Arc<Principal>>);

#[derive(Default)]
pub struct AuthCache {
    epoch: AtomicU64,
    entries: RwLock<HashMap<Box<str>, Entry>>,
}

impl AuthCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything known (cheaply: entries of older epochs are ignored).
    pub fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// `Some(Some(p))`: known good; `Some(None)`: known refused; `None`: unknown.
    pub fn get(&self, token: &str) -> Option<Option<Arc<Principal>>> {
        let epoch = self.epoch();
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        match entries.get(token) {
            Some((e, found)) if *e == epoch => Some(found.clone()),
            _ => None,
        }
    }

    /// Records what `token` was found to be, as of `epoch` (read before the
    /// lookup, so a change that raced with the lookup is not hidden).
    pub fn put(&self, token: &str, epoch: u64, found: Option<Arc<Principal>>) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(token.into(), (epoch, found));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{
        principal::Tier,
        scope::ScopeSet,
        tokens::{ApiVersion, Subject},
    };

    #[test]
    fn entries_expire_with_their_epoch() {
        let cache = AuthCache::new();
        let p = Arc::new(Principal {
            subject: Subject::Client(1),
            api: ApiVersion::V2,
            scopes: ScopeSet::all(),
            tier: Tier::Standard,
            role: None,
            operator_id: None,
            jti: "a".into(),
            expires_at: 0,
        });
        assert_eq!(cache.get("a"), None);
        cache.put("a", cache.epoch(), Some(p.clone()));
        assert_eq!(cache.get("a"), Some(Some(p.clone())));
        cache.invalidate();
        assert_eq!(cache.get("a"), None);
        // A lookup that started before the change must not be cached as current.
        let stale = cache.epoch() - 1;
        cache.put("a", stale, Some(p));
        assert_eq!(cache.get("a"), None);
    }
}
