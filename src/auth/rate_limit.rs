//! Per-client (per-user for login tokens) request limits per minute, with the
//! `governor` crate's GCRA: a full minute's allowance may be used at once, then it
//! refills evenly.

use std::{collections::HashMap, num::NonZeroU32};

use governor::{
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
    Quota, RateLimiter,
};

use super::{
    config::ApiConfig,
    principal::{Principal, Tier},
    tokens::{ApiVersion, Subject},
};

type Limiter =
    RateLimiter<Subject, DefaultKeyedStateStore<Subject>, DefaultClock, StateInformationMiddleware>;

/// The verdict for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed { limit: u32, remaining: u32 },
    Limited { limit: u32, retry_after_secs: u64 },
}

type CustomerLimiter =
    RateLimiter<i64, DefaultKeyedStateStore<i64>, DefaultClock, StateInformationMiddleware>;

/// One limiter per (API version, tier), and one for customers.
pub struct RateLimits {
    limiters: HashMap<(ApiVersion, Tier), (u32, Limiter)>,
    customers: (u32, CustomerLimiter),
    clock: DefaultClock,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::new(&ApiConfig::default())
    }
}

impl RateLimits {
    /// The limits configured in `[api]` (by default the published table).
    pub fn new(config: &ApiConfig) -> Self {
        let mut limiters = HashMap::new();
        for (api, tier, per_minute) in [
            (
                ApiVersion::V1,
                Tier::Standard,
                config.v1_standard_per_minute,
            ),
            (
                ApiVersion::V1,
                Tier::HighVolume,
                config.v1_high_volume_per_minute,
            ),
            (
                ApiVersion::V2,
                Tier::Standard,
                config.v2_standard_per_minute,
            ),
            (
                ApiVersion::V2,
                Tier::HighVolume,
                config.v2_high_volume_per_minute,
            ),
        ] {
            let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
            let limiter = RateLimiter::keyed(Quota::per_minute(n))
                .with_middleware::<StateInformationMiddleware>();
            limiters.insert((api, tier), (n.get(), limiter));
        }
        let n = NonZeroU32::new(config.customer_per_minute).unwrap_or(NonZeroU32::MIN);
        let customers = (
            n.get(),
            RateLimiter::keyed(Quota::per_minute(n))
                .with_middleware::<StateInformationMiddleware>(),
        );
        Self {
            limiters,
            customers,
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request of customer `id` (the customer API).
    pub fn check_customer(&self, id: i64) -> RateDecision {
        let (limit, limiter) = (&self.customers.0, &self.customers.1);
        self.decide(*limit, limiter.check_key(&id))
    }

    fn decide(
        &self,
        limit: u32,
        checked: Result<
            governor::middleware::StateSnapshot,
            governor::NotUntil<governor::clock::QuantaInstant>,
        >,
    ) -> RateDecision {
        match checked {
            Ok(snapshot) => RateDecision::Allowed {
                limit,
                remaining: snapshot.remaining_burst_capacity(),
            },
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                RateDecision::Limited {
                    limit,
                    retry_after_secs: secs.max(1),
                }
            }
        }
    }

    /// Counts one request of `principal`.
    pub fn check(&self, principal: &Principal) -> RateDecision {
        self.check_subject(principal.api, principal.tier, &principal.subject)
    }

    /// Counts one request of `subject` (also used before it holds a token:
    /// minting one counts against the client's limit).
    pub fn check_subject(&self, api: ApiVersion, tier: Tier, subject: &Subject) -> RateDecision {
        let Some((limit, limiter)) = self.limiters.get(&(api, tier)) else {
            return RateDecision::Allowed {
                limit: 0,
                remaining: 0,
            };
        };
        self.decide(*limit, limiter.check_key(subject))
    }

    /// Forgets buckets that are full again (call now and then).
    pub fn shrink(&self) {
        for (_, limiter) in self.limiters.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.customers.1.retain_recent();
        self.customers.1.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::scope::ScopeSet;

    fn principal(api: ApiVersion, tier: Tier, id: i64) -> Principal {
        Principal {
            subject: Subject::Client(id),
            api,
            scopes: ScopeSet::all(),
            tier,
            role: None,
            operator_id: None,
            jti: "j".into(),
            expires_at: 0,
        }
    }

    #[test]
    fn the_61st_v1_request_in_a_minute_is_limited() {
        let limits = RateLimits::default();
        let p = principal(ApiVersion::V1, Tier::Standard, 1);
        for i in 0..60 {
            match limits.check(&p) {
                RateDecision::Allowed { limit, remaining } => {
                    assert_eq!(limit, 60);
                    assert_eq!(remaining, 59 - i);
                }
                other => panic!("request {i}: {other:?}"),
            }
        }
        match limits.check(&p) {
            RateDecision::Limited {
                limit,
                retry_after_secs,
            } => {
                assert_eq!(limit, 60);
                assert!((1..=1).contains(&retry_after_secs), "{retry_after_secs}");
            }
            other => panic!("{other:?}"),
        }
        // Another client has its own bucket.
        assert!(matches!(
            limits.check(&principal(ApiVersion::V1, Tier::Standard, 2)),
            RateDecision::Allowed { remaining: 59, .. }
        ));
    }

    #[test]
    fn tiers_get_their_own_limits() {
        let limits = RateLimits::default();
        let p = principal(ApiVersion::V2, Tier::HighVolume, 1);
        assert!(matches!(
            limits.check(&p),
            RateDecision::Allowed {
                limit: 300,
                remaining: 299
            }
        ));
    }
}
