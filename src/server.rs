//! `ispbills serve`: open the store (migrating it), bind, answer HTTP, and stop
//! cleanly on SIGTERM/SIGINT, letting in-flight requests finish.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use poem::{
    endpoint::BoxEndpoint,
    listener::{Acceptor, Listener, TcpListener},
    EndpointExt, Response, Server,
};
use tokio::{sync::oneshot, task::JoinHandle};

use crate::{
    app,
    auth::{
        keys::JwtKey, rate_limit::RateLimits, sealed::SealKey, service::Auth,
        throttle::LoginThrottle, tokens::TokenSigner,
    },
    clock::Clock,
    cluster::Cluster,
    config::Config,
    events::{self, worker::Delivery},
    http::{self, GuardedAcceptor, Limits, Registry},
    jobs::{self, Workers},
    metrics::Metrics,
    state::{AppState, Shared},
    store::{Db, StoreError},
};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A server that is listening.
pub struct RunningServer {
    /// The address actually bound (useful with port 0).
    pub addr: SocketAddr,
    pub state: AppState,
    /// The first-run setup code, when no staff user existed at start.
    pub setup_code: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    workers: Option<Workers>,
    grace: Duration,
}

impl RunningServer {
    /// Stops answering (letting in-flight requests finish), then stops the
    /// workers (which write what they hold), and waits for all of it.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let served = self.task.await.map_err(std::io::Error::other)?;
        if let Some(workers) = self.workers.take() {
            workers.stop(self.grace).await;
        }
        served
    }
}

/// Opens the store, binds the configured address and starts answering.
pub async fn start(config: Config, clock: Arc<dyn Clock>) -> Result<RunningServer, ServeError> {
    start_with(config, clock, |state| app::routes(state).boxed()).await
}

/// Like [`start`], with the application built by `build` from the state (tests
/// mount extra routes behind the same layers this way).
pub async fn start_with<F>(
    config: Config,
    clock: Arc<dyn Clock>,
    build: F,
) -> Result<RunningServer, ServeError>
where
    F: FnOnce(AppState) -> BoxEndpoint<'static, Response>,
{
    let data_dir = config.data_dir.clone();
    let pool_size = config.database.pool_size;
    let url = config.database.url.clone();
    let (db, key, pin_key, seal_key, profiles) = tokio::task::spawn_blocking(move || {
        // The address policy refuses this machine's own addresses.
        crate::net_policy::refresh_own_addresses();
        let db = Db::open_configured(&data_dir, &url, pool_size)?;
        let key = JwtKey::load_or_create(&data_dir)?;
        let pin_key = JwtKey::load_or_create_named(&data_dir, crate::auth::keys::PIN_KEY_FILE)?;
        let seal_key = SealKey::load_or_create(&data_dir)?;
        // SNMP vendor profiles: embedded, plus the ISP's own in the data dir.
        let profiles = crate::drivers::snmp::profile::Profiles::load(Some(&data_dir))
            .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
        Ok::<_, StoreError>((db, key, pin_key, seal_key, profiles))
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))??;
    // First run: the panel asks for this code before it creates the first admin.
    let setup_code = {
        let (db, dir) = (db.clone(), config.data_dir.clone());
        tokio::task::spawn_blocking(move || {
            if db.read(crate::store::staff_users::count)? == 0 {
                Ok::<_, StoreError>(Some(crate::auth::setup_code::load_or_create(&dir)?))
            } else {
                Ok(None)
            }
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??
    };
    // This node's leases, taken before the workers they gate start (on one
    // node: all of them, at once).
    let cluster = {
        let (db, clock, dir) = (db.clone(), clock.clone(), config.data_dir.clone());
        tokio::task::spawn_blocking(move || {
            let cluster = Cluster::new(crate::cluster::node_id(&dir)?, db, clock);
            cluster.renew()?;
            Ok::<_, StoreError>(cluster)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??
    };
    tracing::info!(node = %cluster.node(), leases = ?cluster.held(), engine = db.engine().name(), "node");
    let mut workers = Workers::new();
    workers.spawn(
        "cluster",
        crate::cluster::worker(cluster.clone(), workers.stop_signal()),
    );
    let (request_log, log_worker) = jobs::request_log::worker(
        db.clone(),
        config.api.request_log_max_rows,
        workers.stop_signal(),
    );
    workers.spawn("request-log", log_worker);
    let rate_limits = Arc::new(RateLimits::new(&config.api));
    workers.spawn(
        "retention",
        jobs::retention::worker(
            db.clone(),
            clock.clone(),
            rate_limits.clone(),
            jobs::retention::Retention {
                request_log_days: config.api.request_log_retention_days,
                webhook_delivery_days: config.webhooks.delivery_retention_days,
                router_data_days: config.routers.retention_days,
                monitoring_days: config.monitoring.retention_days,
                radius_session_days: config.radius.retention_days,
                audit_days: config.audit.retention_days,
            },
            cluster.clone(),
            workers.stop_signal(),
        ),
    );
    // SQLite's FTS5 search index needs merging; PostgreSQL's trigram index
    // keeps itself.
    if db.engine() == crate::store::sql::Engine::Sqlite {
        workers.spawn(
            "search-index",
            jobs::search_index::worker(db.clone(), workers.stop_signal()),
        );
    }
    let auth = Auth::new(db.clone(), TokenSigner::new(&key), clock.clone())
        .with_two_factor_roles(config.security.roles());
    workers.spawn(
        "auth-epoch",
        jobs::auth_epoch::worker(db.clone(), auth.cache.clone(), workers.stop_signal()),
    );
    workers.spawn(
        "auth-notify",
        jobs::auth_notify::listener(
            config.data_dir.clone(),
            auth.cache.clone(),
            workers.stop_signal(),
        ),
    );
    workers.spawn(
        "billing",
        jobs::billing::worker(
            db.clone(),
            Arc::new(config.clone()),
            clock.clone(),
            cluster.clone(),
            workers.stop_signal(),
        ),
    );
    workers.spawn(
        "webhooks",
        events::worker::worker(
            Arc::new(Delivery::new(
                db.clone(),
                cluster.node().to_string(),
                clock.clone(),
                config.webhooks.clone(),
                seal_key.clone(),
            )),
            workers.stop_signal(),
        ),
    );
    workers.spawn(
        "sms",
        crate::sms::worker::worker(
            Arc::new(crate::sms::worker::SmsWorker {
                db: db.clone(),
                clock: clock.clone(),
                config: config.sms.clone(),
                offset: config.isp.offset(),
                gateway: crate::sms::worker::gateway_from(&config.sms, config.network.policy()),
                node: cluster.node().to_string(),
            }),
            workers.stop_signal(),
        ),
    );
    let routers = Arc::new(crate::network::hub::RouterHub::new(
        db.clone(),
        clock.clone(),
        seal_key.clone(),
        config.routers.clone(),
        config.network.policy(),
        config.radius.clone(),
    ));
    workers.spawn(
        "routers",
        crate::network::poller::worker(routers.clone(), cluster.clone(), workers.stop_signal()),
    );
    if let Ok(addr) = config.routers.syslog_listen.parse::<SocketAddr>() {
        workers.spawn(
            "syslog",
            crate::network::syslog::receiver(routers.clone(), addr, workers.stop_signal()),
        );
    }
    let pin_key = Arc::new(pin_key);
    let radius = start_radius(
        &config,
        &db,
        &clock,
        &routers,
        &pin_key,
        cluster.node(),
        &mut workers,
    )
    .await;
    let snmp_wake = Arc::new(tokio::sync::Notify::new());
    workers.spawn(
        "snmp",
        crate::monitoring::poller::worker(
            Arc::new(crate::monitoring::poller::SnmpPoller {
                db: db.clone(),
                clock: clock.clone(),
                seal: seal_key.clone(),
                config: config.monitoring.clone(),
                profiles: profiles.clone(),
                policy: config.network.policy(),
                wake: snmp_wake.clone(),
            }),
            cluster.clone(),
            workers.stop_signal(),
        ),
    );
    workers.spawn(
        "status-checks",
        crate::monitoring::checks::worker(
            db.clone(),
            clock.clone(),
            config.monitoring.clone(),
            config.network.policy(),
            cluster.clone(),
            workers.stop_signal(),
        ),
    );
    let gateways = Arc::new(crate::drivers::payments::Gateways::from_config(
        &config.payments,
        config.network.policy(),
    ));
    workers.spawn(
        "online-payments",
        jobs::online_payments::worker(
            crate::ops::Ctx::new(db.clone(), clock.clone(), Arc::new(config.clone())),
            gateways.clone(),
            workers.stop_signal(),
        ),
    );
    let metrics = Arc::new(Metrics::new());
    let hash_pool = Arc::new(crate::auth::hash_pool::HashPool::new(
        config.server.password_hash_threads,
    )?);
    hash_pool.stats.register(&metrics);
    db.writer_stats().register(&metrics);
    cluster.register(&metrics);
    if let Some((server, _)) = &radius {
        server.stats.register(&metrics);
    }
    let state = AppState::new(Shared {
        cluster,
        auth: auth.clone(),
        db,
        clock,
        config: Arc::new(config.clone()),
        metrics: metrics.clone(),
        rate_limits,
        login_throttle: Arc::new(LoginThrottle::new()),
        denials: Arc::new(crate::ops::denials::DenialLog::new()),
        hash_pool,
        trusted_proxies: Arc::new(
            crate::auth::client_addr::TrustedProxies::parse(&config.server.trusted_proxies)
                .map_err(|bad| {
                    std::io::Error::other(format!("server.trusted_proxies: `{bad}` is not a range"))
                })?,
        ),
        request_log,
        pin_key,
        seal_key: Arc::new(seal_key),
        routers,
        profiles: Arc::new(profiles),
        snmp_wake,
        zabbix: Arc::new(crate::monitoring::zabbix::ZabbixService::new(
            &config.zabbix,
            config.network.policy(),
        )),
        radius_auth_addr: radius.as_ref().map(|(_, (auth, _))| *auth),
        radius_acct_addr: radius.as_ref().map(|(_, (_, acct))| *acct),
        gateways,
    });
    workers.spawn(
        "reminders",
        jobs::reminders::worker(state.ctx(), state.portal_keys(), workers.stop_signal()),
    );
    let listen = config.server.listen;
    let acceptor = TcpListener::bind(listen)
        .into_acceptor()
        .await
        .map_err(|source| ServeError::Bind {
            addr: listen,
            source,
        })?;
    let limits = connection_limits(&config);
    let acceptor = GuardedAcceptor::new(acceptor, Registry::new(limits, metrics.connections()));
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .unwrap_or(listen);
    let (tx, rx) = oneshot::channel::<()>();
    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    let app = build(state.clone());
    let task = tokio::spawn(async move {
        Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                app,
                async move {
                    let _ = rx.await;
                },
                Some(grace),
            )
            .await
    });
    Ok(RunningServer {
        addr,
        state,
        setup_code,
        shutdown: Some(tx),
        task,
        workers: Some(workers),
        grace,
    })
}

/// The connection layer's settings: the cap from the open-file limit in force.
/// Binds and starts the RADIUS authentication listener when `[radius]
/// enabled`. A port that cannot be bound (another RADIUS server on it, say)
/// is logged and the appliance runs without it.
async fn start_radius(
    config: &Config,
    db: &Db,
    clock: &Arc<dyn Clock>,
    routers: &crate::network::hub::RouterHub,
    pin_key: &Arc<JwtKey>,
    node: &str,
    workers: &mut Workers,
) -> Option<(
    Arc<crate::radius::server::RadiusServer>,
    (SocketAddr, SocketAddr),
)> {
    if !config.radius.enabled {
        return None;
    }
    let bind = |addr: &str| {
        let addr = addr.parse::<SocketAddr>();
        async move {
            let addr = addr.map_err(|e| std::io::Error::other(e.to_string()))?;
            tokio::net::UdpSocket::bind(addr).await
        }
    };
    let (auth, acct) = match (
        bind(&config.radius.auth_listen).await,
        bind(&config.radius.acct_listen).await,
    ) {
        (Ok(auth), Ok(acct)) => (auth, acct),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(
                auth = %config.radius.auth_listen,
                acct = %config.radius.acct_listen,
                error = %e,
                "radius: cannot listen; running without the RADIUS server"
            );
            return None;
        }
    };
    let bound = auth.local_addr().ok()?;
    let acct_bound = acct.local_addr().ok()?;
    let _ = routers.radius_listen.set((bound, acct_bound));
    let server = Arc::new(crate::radius::server::RadiusServer::new(
        db.clone(),
        clock.clone(),
        Arc::new(routers.seal.clone()),
        pin_key.clone(),
        config.radius.rules(&config.routers.suspend_address_list),
        routers.inventory_changes.clone(),
    ));
    tracing::info!(auth = %bound, acct = %acct_bound, "radius: listening");
    workers.spawn(
        "radius",
        crate::radius::server::serve(server.clone(), auth, acct, workers.stop_signal()),
    );
    workers.spawn(
        "radius-coa",
        crate::radius::coa::worker(
            Arc::new(crate::radius::coa::CoaSender {
                db: db.clone(),
                clock: clock.clone(),
                seal: Arc::new(routers.seal.clone()),
                rules: config.radius.rules(&config.routers.suspend_address_list),
                node: node.to_string(),
                policy: config.network.policy(),
            }),
            workers.stop_signal(),
        ),
    );
    Some((server, (bound, acct_bound)))
}

fn connection_limits(config: &Config) -> Limits {
    let nofile = http::nofile_limit();
    let configured = config.server.max_connections;
    let max_connections = http::connection_cap(nofile, configured);
    if configured > max_connections {
        tracing::warn!(
            configured,
            max_connections,
            open_file_limit = nofile,
            "server.max_connections lowered to stay below the open-file limit"
        );
    }
    tracing::info!(
        max_connections,
        open_file_limit = nofile,
        header_read_timeout_secs = config.server.header_read_timeout_secs,
        keepalive_timeout_secs = config.server.keepalive_timeout_secs,
        "connection limits"
    );
    Limits {
        max_connections,
        header_read: Duration::from_secs(config.server.header_read_timeout_secs),
        keepalive: Duration::from_secs(config.server.keepalive_timeout_secs),
    }
}

/// Runs until SIGTERM or SIGINT, then shuts down gracefully.
pub async fn serve(config: Config, clock: Arc<dyn Clock>) -> Result<(), ServeError> {
    // Each connection holds a file: use all the process may have.
    http::raise_nofile_limit();
    let data_dir = config.data_dir.clone();
    // One server per data directory; `ispbills restore` checks the same lock.
    let _lock = crate::store::backups::lock_data_dir(&data_dir)?;
    let server = start(config, clock).await?;
    let base = base_url(server.addr);
    tracing::info!(addr = %server.addr, data_dir = %data_dir.display(), "listening");
    println!(
        "ispbills {} is listening on {}",
        crate::VERSION,
        server.addr
    );
    println!("  Panel:    {base}/");
    println!("  API docs: {base}/docs/api");
    if server.addr.ip().is_unspecified() {
        println!(
            "  (listening on all interfaces: use this server's LAN address instead of 127.0.0.1)"
        );
    }
    if let Some(code) = server.setup_code.clone() {
        tracing::warn!(setup_code = %code, "first run: no staff user yet; open the panel and enter this setup code");
        println!("  First run: open the panel and enter the setup code {code}");
        println!("  (also shown by `ispbills admin setup-code`)");
    }
    // systemd (Type=notify): ready once listening. Without NOTIFY_SOCKET this does nothing.
    if let Err(e) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
        tracing::warn!(error = %e, "could not tell systemd we are ready");
    }
    shutdown_signal().await;
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    tracing::info!("shutting down");
    server.stop().await?;
    tracing::info!("stopped");
    Ok(())
}

/// The URL people should open for `addr` (loopback when bound to all interfaces).
pub fn base_url(addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        match addr {
            SocketAddr::V4(_) => "127.0.0.1".to_string(),
            SocketAddr::V6(_) => "[::1]".to_string(),
        }
    } else if addr.is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    format!("http://{host}:{}", addr.port())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
