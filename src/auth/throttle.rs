//! Login throttling: after 5 failed logins within 15 minutes for the same IP or
//! the same account, further attempts get 429 until the oldest failure ages out.
//! Counted on the appliance's clock, so tests can move time.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use time::{Duration, OffsetDateTime};

pub const MAX_FAILURES: usize = 5;
pub const WINDOW: Duration = Duration::minutes(15);
/// Keys kept at most; beyond that the stalest are dropped (bounded memory).
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<OffsetDateTime>>>,
}

impl LoginThrottle {
    pub fn new() -> Self {
        Self::default()
    }

    /// Seconds to wait when any of `keys` is blocked.
    pub fn retry_after(&self, keys: &[String], now: OffsetDateTime) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait: Option<i64> = None;
        for key in keys {
            if let Some(times) = map.get_mut(key) {
                prune(times, now);
                if times.len() >= MAX_FAILURES {
                    if let Some(oldest) = times.front() {
                        let secs = (*oldest + WINDOW - now).whole_seconds().max(1);
                        wait = Some(wait.map_or(secs, |w| w.max(secs)));
                    }
                }
            }
        }
        wait.map(|w| w.unsigned_abs())
    }

    pub fn record_failure(&self, keys: &[String], now: OffsetDateTime) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for key in keys {
            let times = map.entry(key.clone()).or_default();
            prune(times, now);
            times.push_back(now);
            while times.len() > MAX_FAILURES {
                times.pop_front();
            }
        }
    }

    /// Forgets the failures of `key` (after a successful login).
    pub fn clear(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

fn prune(times: &mut VecDeque<OffsetDateTime>, now: OffsetDateTime) {
    while times.front().is_some_and(|t| *t + WINDOW <= now) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn five_failures_block_until_the_first_ages_out() {
        let t = LoginThrottle::new();
        let start = datetime!(2026-05-01 10:00:00 UTC);
        let keys = vec!["ip:10.0.0.1".to_string(), "account:a@b.co".to_string()];
        for i in 0..5 {
            assert_eq!(t.retry_after(&keys, start + Duration::minutes(i)), None);
            t.record_failure(&keys, start + Duration::minutes(i));
        }
        let now = start + Duration::minutes(5);
        assert_eq!(t.retry_after(&keys, now), Some(600));
        // Only the account, from another IP: still blocked.
        assert!(t
            .retry_after(&["account:a@b.co".to_string()], now)
            .is_some());
        // 15 minutes after the first failure, one slot frees up.
        assert_eq!(t.retry_after(&keys, start + Duration::minutes(15)), None);
        t.clear("account:a@b.co");
        assert_eq!(t.retry_after(&["account:a@b.co".to_string()], now), None);
    }
}
