//! Throttling of password and secret checks: each key (an account from one
//! address, an account, an address, a v2 client...) allows so many failures
//! within 15 minutes; beyond that the next attempt gets 429 until the oldest
//! failure ages out. Counted on the appliance's clock, so tests can move time.
//!
//! Check and count are one step: [`LoginThrottle::reserve`] takes a slot in
//! every key under one lock *before* the password is hashed, and the slot
//! stays counted as a failure unless the caller reports success (or that no
//! check happened). So N parallel wrong attempts get at most the limit's number
//! of real checks, and an attempt abandoned half-way (client gone) still counts.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use time::{Duration, OffsetDateTime};

use super::secrets::sha256_hex;

pub const WINDOW: Duration = Duration::minutes(15);
/// Failures allowed per account (or v2 client) from one address.
pub const PER_ACCOUNT_AND_ADDRESS: usize = 5;
/// Failures allowed per account (or v2 client) from all addresses together:
/// the ceiling against guessing spread over many addresses.
pub const PER_ACCOUNT: usize = 50;
/// Failures allowed per address over all accounts (trying one password
/// against many accounts); also the setup code's limit per address is
/// [`PER_SETUP_ADDRESS`].
pub const PER_ADDRESS: usize = 20;
/// Wrong setup codes allowed per address.
pub const PER_SETUP_ADDRESS: usize = 5;
/// Keys kept at most; beyond that the least recently used go first.
const MAX_KEYS: usize = 100_000;
/// Longest key kept as is; longer ones (a megabyte "email") are hashed.
const MAX_KEY_LEN: usize = 200;

/// One key and the failures it allows within [`WINDOW`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub key: String,
    pub max: usize,
}

impl Limit {
    /// `prefix:` followed by `name`, hashed when long.
    pub fn new(prefix: &str, name: &str, max: usize) -> Self {
        let key = if name.len() > MAX_KEY_LEN {
            format!("{prefix}:#{}", sha256_hex(name))
        } else {
            format!("{prefix}:{name}")
        };
        Self { key, max }
    }

    /// The keys of a staff login (or a v2 client's secret): the account from
    /// this address, the account, and the address.
    pub fn for_login(kind: &str, account: &str, address_key: &str) -> Vec<Limit> {
        vec![
            Limit::new(
                &format!("{kind}+{address_key}"),
                account,
                PER_ACCOUNT_AND_ADDRESS,
            ),
            Limit::new(kind, account, PER_ACCOUNT),
            Limit::new(&format!("{kind}-from"), address_key, PER_ADDRESS),
        ]
    }
}

#[derive(Default)]
struct Entry {
    max: usize,
    /// When each counted attempt started, with the reservation it belongs to.
    times: VecDeque<(OffsetDateTime, u64)>,
}

impl Entry {
    fn prune(&mut self, now: OffsetDateTime) {
        while self.times.front().is_some_and(|(t, _)| *t + WINDOW <= now) {
            self.times.pop_front();
        }
    }

    fn newest(&self) -> Option<OffsetDateTime> {
        self.times.back().map(|(t, _)| *t)
    }
}

#[derive(Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Entry>>,
    next_id: AtomicU64,
}

impl LoginThrottle {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes one attempt from every key at once, or none: `Err(seconds)` when
    /// any key is used up (the longest wait among them).
    pub fn reserve(
        self: &Arc<Self>,
        limits: Vec<Limit>,
        now: OffsetDateTime,
    ) -> Result<Reservation, u64> {
        let mut map = self.lock();
        let mut wait: Option<i64> = None;
        for limit in &limits {
            if let Some(entry) = map.get_mut(&limit.key) {
                entry.prune(now);
                if entry.times.len() >= limit.max.max(1) {
                    if let Some((oldest, _)) = entry.times.front() {
                        let secs = (*oldest + WINDOW - now).whole_seconds().max(1);
                        wait = Some(wait.map_or(secs, |w| w.max(secs)));
                    }
                }
            }
        }
        if let Some(w) = wait {
            return Err(w.unsigned_abs());
        }
        if map.len() + limits.len() > MAX_KEYS {
            evict(&mut map, now);
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        for limit in &limits {
            let entry = map.entry(limit.key.clone()).or_default();
            entry.max = limit.max;
            entry.times.push_back((now, id));
        }
        Ok(Reservation {
            throttle: self.clone(),
            keys: limits.into_iter().map(|l| l.key).collect(),
            id,
            settled: false,
        })
    }

    /// Keys held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn release(&self, keys: &[String], id: u64, clear: &[usize]) {
        let mut map = self.lock();
        for (i, key) in keys.iter().enumerate() {
            if clear.contains(&i) {
                map.remove(key);
                continue;
            }
            if let Some(entry) = map.get_mut(key) {
                entry.times.retain(|(_, owner)| *owner != id);
                if entry.times.is_empty() {
                    map.remove(key);
                }
            }
        }
    }
}

/// Drops keys with nothing left in the window; if that is not enough, the
/// least recently used tenth.
fn evict(map: &mut HashMap<String, Entry>, now: OffsetDateTime) {
    map.retain(|_, e| {
        e.prune(now);
        !e.times.is_empty()
    });
    if map.len() < MAX_KEYS * 9 / 10 {
        return;
    }
    let mut by_age: Vec<(OffsetDateTime, String)> = map
        .iter()
        .map(|(k, e)| (e.newest().unwrap_or(now), k.clone()))
        .collect();
    by_age.sort_unstable();
    let excess = map.len() - MAX_KEYS * 8 / 10;
    for (_, key) in by_age.into_iter().take(excess) {
        map.remove(&key);
    }
    tracing::warn!(
        kept = map.len(),
        "login throttle: too many keys, the least recently used were forgotten"
    );
}

/// One attempt's slot in each of its keys. Dropped without a verdict it stays
/// counted as a failure.
#[must_use = "a reservation dropped unsettled counts as a failure"]
pub struct Reservation {
    throttle: Arc<LoginThrottle>,
    keys: Vec<String>,
    id: u64,
    settled: bool,
}

impl Reservation {
    /// The check succeeded: this attempt no longer counts, and the keys at
    /// `clear` (indexes into the limits given to `reserve`) forget their
    /// earlier failures too.
    pub fn succeeded(mut self, clear: &[usize]) {
        self.settled = true;
        self.throttle.release(&self.keys, self.id, clear);
    }

    /// No check happened (for example no hashing capacity): the attempt does
    /// not count.
    pub fn cancel(mut self) {
        self.settled = true;
        self.throttle.release(&self.keys, self.id, &[]);
    }

    /// The check failed: the attempt stays counted.
    pub fn failed(mut self) {
        self.settled = true;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.settled {
            tracing::debug!("throttle reservation dropped unsettled: counted as a failure");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn limits() -> Vec<Limit> {
        Limit::for_login("account", "a@b.co", "ip:10.0.0.1")
    }

    #[test]
    fn five_failures_block_until_the_first_ages_out() {
        let t = Arc::new(LoginThrottle::new());
        let start = datetime!(2026-05-01 10:00:00 UTC);
        for i in 0..5 {
            t.reserve(limits(), start + Duration::minutes(i))
                .unwrap()
                .failed();
        }
        let now = start + Duration::minutes(5);
        assert_eq!(t.reserve(limits(), now).err(), Some(600));
        // The same account from another address: its own count.
        let elsewhere = Limit::for_login("account", "a@b.co", "ip:10.0.0.2");
        t.reserve(elsewhere, now).unwrap().succeeded(&[0]);
        // 15 minutes after the first failure, one slot frees up.
        let later = start + Duration::minutes(15);
        t.reserve(limits(), later).unwrap().succeeded(&[0]);
        // Success forgot the account-from-address failures.
        for _ in 0..5 {
            t.reserve(limits(), later).unwrap().failed();
        }
        assert!(t.reserve(limits(), later).is_err());
    }

    #[test]
    fn reservations_count_before_the_verdict_and_cancel_gives_back() {
        let t = Arc::new(LoginThrottle::new());
        let now = datetime!(2026-05-01 10:00:00 UTC);
        let held: Vec<_> = (0..5).map(|_| t.reserve(limits(), now).unwrap()).collect();
        // Five in flight: the sixth is refused before any of them is decided.
        assert!(t.reserve(limits(), now).is_err());
        let mut held = held.into_iter();
        held.next().unwrap().cancel();
        let sixth = t.reserve(limits(), now).unwrap();
        assert!(t.reserve(limits(), now).is_err());
        // Dropped unsettled: still counted.
        drop(sixth);
        drop(held);
        assert!(t.reserve(limits(), now).is_err());
    }

    #[test]
    fn the_account_ceiling_holds_across_addresses() {
        let t = Arc::new(LoginThrottle::new());
        let now = datetime!(2026-05-01 10:00:00 UTC);
        for i in 0..PER_ACCOUNT {
            let from = format!("ip:10.0.{}.1", i / PER_ACCOUNT_AND_ADDRESS);
            t.reserve(Limit::for_login("account", "a@b.co", &from), now)
                .unwrap()
                .failed();
        }
        let fresh = Limit::for_login("account", "a@b.co", "ip:192.0.2.1");
        assert!(t.reserve(fresh, now).is_err());
        // Another account from a fresh address is not affected.
        let other = Limit::for_login("account", "c@d.co", "ip:192.0.2.1");
        assert!(t.reserve(other, now).is_ok());
    }

    #[test]
    fn long_keys_are_hashed_and_the_map_stays_bounded() {
        let long = Limit::new("account", &"x".repeat(10_000), 5);
        assert!(long.key.len() < 100, "{}", long.key);
        let t = Arc::new(LoginThrottle::new());
        let now = datetime!(2026-05-01 10:00:00 UTC);
        for i in 0..(MAX_KEYS + 10) {
            t.reserve(vec![Limit::new("k", &i.to_string(), 5)], now)
                .unwrap()
                .failed();
        }
        assert!(t.len() <= MAX_KEYS, "{}", t.len());
    }
}
