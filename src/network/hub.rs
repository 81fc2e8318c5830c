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
        self,
        reconcile::{self, DesiredLogin, LoginKind, SyncDiff},
        RouterApi, RouterError, Target,
    },
    store::{
        customers::LOGIN_PASSWORD_PURPOSE,
        routers::{self, RouterRow},
        Db, StoreError,
    },
};

use super::config::RoutersConfig;

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
}

impl RouterHub {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        seal: SealKey,
        config: RoutersConfig,
        policy: crate::net_policy::Policy,
    ) -> Self {
        Self {
            db,
            clock,
            seal,
            config,
            policy,
            locks: Mutex::new(HashMap::new()),
            inventory_changes: Arc::default(),
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
    /// holding its lock). `seq` is the request being served, if any.
    pub fn sync_blocking(
        &self,
        api: &mut dyn RouterApi,
        router_id: i64,
        seq: Option<i64>,
    ) -> Result<SyncDiff, HubError> {
        let desired = self.desired(router_id)?;
        let result = reconcile::reconcile(api, &desired, &self.config.suspend());
        let now = format_timestamp(self.clock.now());
        let error = result.as_ref().err().map(ToString::to_string);
        self.db
            .write(move |tx| routers::record_sync(tx, router_id, seq, error.as_deref(), &now))?;
        Ok(result?)
    }

    /// Reconciles a router now on a fresh connection (the API's sync button).
    pub async fn sync_now(self: &Arc<Self>, router_id: i64) -> Result<SyncDiff, HubError> {
        let lock = self.lock_of(router_id);
        let _held = lock.lock().await;
        let hub = self.clone();
        off_pool(move || {
            let (row, sealed) = hub
                .db
                .read(|c| routers::with_secret(c, router_id))?
                .ok_or(StoreError::NotFound)?;
            let mut api = routeros::connect(hub.target(&row, &sealed)?);
            hub.sync_blocking(api.as_mut(), router_id, None)
        })
        .await
    }

    /// Ends a customer's session on its router; returns how many were ended.
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
