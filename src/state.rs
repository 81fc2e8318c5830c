//! The application state every handler and background job shares.

use std::sync::Arc;

use crate::{
    auth::{rate_limit::RateLimits, service::Auth, throttle::LoginThrottle},
    clock::Clock,
    config::Config,
    jobs::request_log::RequestLogSink,
    metrics::Metrics,
    store::Db,
};

/// Shared by every handler (through `Data<&AppState>`); cloning is one
/// reference-count increment.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What the application shares.
pub struct Shared {
    pub db: Db,
    /// This node and the leases it holds.
    pub cluster: Arc<crate::cluster::Cluster>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub auth: Auth,
    pub rate_limits: Arc<RateLimits>,
    pub login_throttle: Arc<LoginThrottle>,
    /// How many refusals (403) each caller had recorded this minute.
    pub denials: Arc<crate::ops::denials::DenialLog>,
    /// The bounded password hashing threads.
    pub hash_pool: Arc<crate::auth::hash_pool::HashPool>,
    /// `[server] trusted_proxies`, parsed: who may name the client.
    pub trusted_proxies: Arc<crate::auth::client_addr::TrustedProxies>,
    pub request_log: RequestLogSink,
    /// Key of recharge-card PIN hashes.
    pub pin_key: Arc<crate::auth::keys::JwtKey>,
    /// Key sealing secrets the appliance must read back (webhook secrets).
    pub seal_key: Arc<crate::auth::sealed::SealKey>,
    /// The MikroTik routers: reconciliation, disconnects.
    pub routers: Arc<crate::network::hub::RouterHub>,
    /// SNMP vendor profiles (embedded and from the data dir).
    pub profiles: Arc<crate::drivers::snmp::profile::Profiles>,
    /// Wakes the SNMP poller: a device added or changed is polled at once.
    pub snmp_wake: Arc<tokio::sync::Notify>,
    /// Zabbix, behind a short-lived cache.
    pub zabbix: Arc<crate::monitoring::zabbix::ZabbixService>,
    /// Where the RADIUS authentication listener is bound (`None`: off, or
    /// the address could not be bound).
    pub radius_auth_addr: Option<std::net::SocketAddr>,
    /// Where the RADIUS accounting listener is bound.
    pub radius_acct_addr: Option<std::net::SocketAddr>,
    /// The online payment gateways of `[payments]`.
    pub gateways: Arc<crate::drivers::payments::Gateways>,
}

impl Shared {
    /// The context the operations run in.
    pub fn ctx(&self) -> crate::ops::Ctx {
        crate::ops::Ctx::new(self.db.clone(), self.clock.clone(), self.config.clone())
    }

    /// What customer logins and tokens use.
    pub fn portal_keys(&self) -> crate::ops::portal::PortalKeys {
        crate::ops::portal::PortalKeys {
            signer: self.auth.signer.clone(),
            pin: self.pin_key.clone(),
            seal: self.seal_key.clone(),
            throttle: self.login_throttle.clone(),
            hash_pool: self.hash_pool.clone(),
        }
    }

    /// What a throttled password check uses, now.
    pub fn login_guard(&self) -> crate::auth::login_guard::Guard {
        crate::auth::login_guard::Guard {
            auth: self.auth.clone(),
            throttle: self.login_throttle.clone(),
            hash_pool: self.hash_pool.clone(),
            seal: self.seal_key.clone(),
            now: self.clock.now(),
        }
    }
}
