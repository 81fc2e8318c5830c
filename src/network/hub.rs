//! Reaching a router from the appliance: its target (password opened from the
//! seal), its desired logins from the store, and reconciliation under a
//! per-router lock shared by the poller and the API.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::{
    auth::sealed::SealKey,
    clock::{format_timestamp, Clock},
    drivers::routeros::{
        self, radius_setup,
        reconcile::{self, DesiredLogin, LoginKind, SyncDiff},
        RouterApi, RouterError, Target,
    },
    store::{
        customers::LOGIN_PASSWORD_PURPOSE,
        radius_coa,
        routers::{self, RouterRow},
        Db, StoreError,
    },
};

use std::net::SocketAddr;

use super::{config::RoutersConfig, radius_config::RadiusConfig};

/// What router passwords are sealed for.
pub const PASSWORD_PURPOSE: &str = "router.password";

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Router(#[from] RouterError),
    #[error("the router's password cannot be opened with this data directory's seal.key")]
    Sealed,
    #[error("background task failed: {0}")]
    Task(String),
}

/// Runs router I/O on its own thread, so a router that does not answer never
/// holds a thread the database work of the API needs.
async fn off_pool<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, HubError> + Send + 'static,
) -> Result<T, HubError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("router-call".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| HubError::Task(e.to_string()))?;
    rx.await
        .map_err(|_| HubError::Task("the router call ended without an answer".into()))?
}

/// Shared by the poller and the API.
pub struct RouterHub {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub seal: SealKey,
    pub config: RoutersConfig,
    /// Which router addresses may be dialled (`[network] allow_loopback`).
    pub policy: crate::net_policy::Policy,
    locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    /// Grows whenever this node changes the inventory: the RADIUS server
    /// reads its NAS list again on the next packet (other nodes within
    /// their periodic re-read).
    pub inventory_changes: Arc<std::sync::atomic::AtomicU64>,
    /// `[radius]`: what a sync in RADIUS mode tells the router.
    pub radius: RadiusConfig,
    /// Where the RADIUS server listens (authentication, accounting) once it
    /// does; unset when it is off.
    pub radius_listen: std::sync::OnceLock<(SocketAddr, SocketAddr)>,
}

/// What a sync is asked to do beyond reconciling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncAsk {
    /// RADIUS mode: remove the logins we made earlier (the operator saw them
    /// in `secrets_to_remove` and confirms).
    pub remove_secrets: bool,
    /// RADIUS mode: set the router up to use the RADIUS server.
    pub setup_radius: bool,
}

impl RouterHub {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        seal: SealKey,
        config: RoutersConfig,
        policy: crate::net_policy::Policy,
        radius: RadiusConfig,
    ) -> Self {
        Self {
            db,
            clock,
            seal,
            config,
            policy,
            locks: Mutex::new(HashMap::new()),
            inventory_changes: Arc::default(),
            radius,
            radius_listen: std::sync::OnceLock::new(),
        }
    }

    /// Records that a router was added, changed or removed.
    pub fn inventory_changed(&self) {
        self.inventory_changes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The lock of one router.
    pub fn lock_of(&self, id: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(id).or_default().clone()
    }

    /// A router password as stored: sealed with this data directory's key.
    pub fn seal_password(&self, password: &str) -> Result<String, crate::auth::sealed::SealError> {
        self.seal.seal(PASSWORD_PURPOSE, password)
    }

    /// A RADIUS secret as stored: sealed with this data directory's key.
    pub fn seal_radius_secret(
        &self,
        secret: &str,
    ) -> Result<String, crate::auth::sealed::SealError> {
        self.seal.seal(crate::store::radius::SECRET_PURPOSE, secret)
    }

    /// How to reach a router.
    pub fn target(&self, row: &RouterRow, sealed: &str) -> Result<Target, HubError> {
        let password = self
            .seal
            .open(PASSWORD_PURPOSE, sealed)
            .map_err(|_| HubError::Sealed)?;
        Ok(Target {
            host: row.host.clone(),
            port: u16::try_from(row.port).unwrap_or(8728),
            username: row.username.clone(),
            password,
            tls: row.use_tls,
            tls_verify: row.tls_verify,
            rest: row.transport == "rest",
            timeout: Duration::from_secs(self.config.timeout_secs),
            policy: self.policy,
        })
    }

    /// The logins the router should carry.
    pub fn desired(&self, router_id: i64) -> Result<Vec<DesiredLogin>, HubError> {
        let specs = self.db.read(|c| routers::logins(c, router_id))?;
        Ok(specs
            .into_iter()
            .map(|s| DesiredLogin {
                customer_id: s.customer_id,
                kind: if s.connection_type == "hotspot" {
                    LoginKind::Hotspot
                } else {
                    LoginKind::Ppp
                },
                name: s.username,
                password: s
                    .password_sealed
                    .and_then(|p| self.seal.open(LOGIN_PASSWORD_PURPOSE, &p).ok()),
                profile: s.profile,
                status: s.status,
            })
            .collect())
    }

    /// Reconciles one router now (blocking; call from a blocking thread while
    /// holding its lock). `seq` is the request being served, if any. In
    /// secrets mode the router's logins are brought to the customers'; in
    /// RADIUS mode none of ours should be there (removed when `ask` says so)
    /// and, when asked, the router is set up to use the RADIUS server.
    pub fn sync_blocking(
        &self,
        api: &mut dyn RouterApi,
        router_id: i64,
        seq: Option<i64>,
        ask: SyncAsk,
    ) -> Result<SyncDiff, HubError> {
        let row = self
            .db
            .read(|c| routers::get(c, router_id))?
            .ok_or(StoreError::NotFound)?;
        let result = if row.auth_mode == "radius" {
            self.sync_radius(api, &row, ask)
        } else {
            let desired = self.desired(router_id)?;
            reconcile::reconcile(api, &desired, &self.config.suspend()).map_err(HubError::from)
        };
        let now = format_timestamp(self.clock.now());
        let error = result.as_ref().err().map(ToString::to_string);
        self.db
            .write(move |tx| routers::record_sync(tx, router_id, seq, error.as_deref(), &now))?;
        result
    }

    /// RADIUS mode: our old logins reported (or removed), and the router's
    /// RADIUS settings brought to what the appliance serves.
    fn sync_radius(
        &self,
        api: &mut dyn RouterApi,
        row: &RouterRow,
        ask: SyncAsk,
    ) -> Result<SyncDiff, HubError> {
        let list = match self.config.suspend() {
            reconcile::SuspendMode::AddressList(list) => Some(list),
            _ => None,
        };
        let mut diff = reconcile::reconcile_radius(api, list.as_deref(), ask.remove_secrets)?;
        if !ask.setup_radius {
            return Ok(diff);
        }
        let Some(&(auth, acct)) = self.radius_listen.get() else {
            diff.errors.push(
                "the built-in RADIUS server is off ([radius] enabled = false): the router was \
                 not set up to use it, and its subscribers cannot log in"
                    .into(),
            );
            return Ok(diff);
        };
        let sealed = self
            .db
            .read(|c| routers::radius_secret(c, row.id))?
            .ok_or_else(|| {
                HubError::Store(StoreError::Conflict(
                    "The router has no RADIUS secret; set radius_secret first.".into(),
                ))
            })?;
        let secret = self
            .seal
            .open(crate::store::radius::SECRET_PURPOSE, &sealed)
            .map_err(|_| HubError::Sealed)?;
        let server = match self.radius_server_address(&row.host, auth) {
            Ok(ip) => ip,
            Err(why) => {
                diff.errors.push(why);
                return Ok(diff);
            }
        };
        let hotspot = self
            .db
            .read(|c| routers::logins(c, row.id))?
            .iter()
            .any(|l| l.connection_type == "hotspot");
        let setup = radius_setup::RadiusSetup {
            server,
            secret,
            auth_port: auth.port(),
            acct_port: acct.port(),
            src_address: row.nas_ip.clone(),
            coa_port: u16::try_from(row.coa_port).unwrap_or(3799),
            interim_secs: u64::from(self.radius.interim_interval_secs),
            hotspot,
        };
        diff.radius_setup = radius_setup::apply(api, &setup)?;
        Ok(diff)
    }

    /// The address the router should send RADIUS to: `[radius]
    /// server_address`, else the listener's own address when it is bound to
    /// one, else this machine's address on the route to the router (a UDP
    /// socket's source address once connected: no packet is sent).
    fn radius_server_address(&self, router_host: &str, auth: SocketAddr) -> Result<String, String> {
        if !self.radius.server_address.is_empty() {
            return Ok(self.radius.server_address.clone());
        }
        if !auth.ip().is_unspecified() {
            return Ok(auth.ip().to_string());
        }
        let why = |e: std::io::Error| {
            format!(
                "cannot tell which address of this server the router reaches ({e}); \
                 set [radius] server_address"
            )
        };
        let target = std::net::ToSocketAddrs::to_socket_addrs(&(router_host, auth.port()))
            .map_err(why)?
            .next()
            .ok_or_else(|| why(std::io::Error::other("the router's host has no address")))?;
        let bind: SocketAddr = if target.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = std::net::UdpSocket::bind(bind).map_err(why)?;
        socket.connect(target).map_err(why)?;
        Ok(socket
            .local_addr()
            .map_err(why)?
            .ip()
            .to_canonical()
            .to_string())
    }

    /// Reconciles a router now on a fresh connection (the API's sync button).
    pub async fn sync_now(
        self: &Arc<Self>,
        router_id: i64,
        ask: SyncAsk,
    ) -> Result<SyncDiff, HubError> {
        let lock = self.lock_of(router_id);
        let _held = lock.lock().await;
        let hub = self.clone();
        off_pool(move || {
            let (row, sealed) = hub
                .db
                .read(|c| routers::with_secret(c, router_id))?
                .ok_or(StoreError::NotFound)?;
            let mut api = routeros::connect(hub.target(&row, &sealed)?);
            hub.sync_blocking(api.as_mut(), router_id, None, ask)
        })
        .await
    }

    /// Ends a customer's session on its router; returns how many were ended
    /// (RADIUS mode: how many Disconnect-Requests were queued).
    pub async fn disconnect(self: &Arc<Self>, customer_id: i64) -> Result<usize, HubError> {
        let Some((router_id, name, kind)) = self
            .db
            .read_async(move |c| routers::customer_login(c, customer_id))
            .await?
        else {
            return Err(HubError::Store(StoreError::Conflict(
                "This customer has no login on a router to disconnect.".into(),
            )));
        };
        let radius_mode = self
            .db
            .read_async(move |c| routers::get(c, router_id))
            .await?
            .is_some_and(|r| r.auth_mode == "radius");
        if radius_mode {
            // The router's sessions are RADIUS's: a Disconnect-Request per
            // open session, queued durably and sent within a second.
            let now = self.clock.now();
            let stamp = format_timestamp(now);
            return Ok(self
                .db
                .write_async(move |tx| {
                    radius_coa::queue_for_customer(
                        tx,
                        customer_id,
                        radius_coa::Intent::Disconnect,
                        "disconnected by staff",
                        &stamp,
                        now.unix_timestamp(),
                    )
                })
                .await?);
        }
        let lock = self.lock_of(router_id);
        let _held = lock.lock().await;
        let hub = self.clone();
        off_pool(move || {
            let (row, sealed) = hub
                .db
                .read(|c| routers::with_secret(c, router_id))?
                .ok_or(StoreError::NotFound)?;
            let mut api = routeros::connect(hub.target(&row, &sealed)?);
            let (menu, field) = if kind == "hotspot" {
                ("/ip/hotspot/active", "user")
            } else {
                ("/ppp/active", "name")
            };
            let mut ended = 0;
            for session in api.print(menu, &[".id", field], &[(field, &name)])? {
                if session.get(field) == Some(&name) {
                    if let Some(id) = session.get(".id") {
                        api.remove(menu, id)?;
                        ended += 1;
                    }
                }
            }
            Ok(ended)
        })
        .await
    }
}
