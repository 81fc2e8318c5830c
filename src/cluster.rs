//! This node among the appliance nodes serving one database.
//!
//! Any node serves any request; background work that must run in one place
//! at a time (the daily billing run, retention, the router and SNMP pollers,
//! the status checks) runs on the node holding its **lease**, a row of
//! `leases` that node renews every [`RENEW_EVERY`] and that lapses
//! [`TTL`] after its last renewal. A node that dies stops renewing, and
//! another takes the lease over within `TTL` plus one renewal (about 25 s);
//! one that stops cleanly gives its leases up at once. Each node also holds
//! `node:<id>`, its liveness, which other nodes read to settle what it left
//! in flight (SMS being handed to the gateway).
//!
//! The leases' times are the nodes' own clocks: keep them in step (NTP), as
//! any cluster needs. On the embedded database there is one node, which
//! holds every lease.

use std::{
    collections::BTreeSet,
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use prometheus_client::{encoding::EncodeLabelSet, metrics::family::Family, metrics::gauge::Gauge};

use crate::{
    clock::{format_timestamp, Clock},
    metrics::Metrics,
    shutdown::{stopped, StopSignal},
    store::{leases, Db, StoreError},
};

/// The daily billing run.
pub const BILLING: &str = "billing";
/// Retention (old request log rows, deliveries, router and monitoring data).
pub const RETENTION: &str = "retention";
/// The routers' poller (every router: one node polls them all).
pub const ROUTERS: &str = "routers";
/// The SNMP poll round.
pub const SNMP: &str = "snmp";
/// The configured status checks.
pub const STATUS_CHECKS: &str = "status-checks";

/// Every singleton lease.
pub const ALL: [&str; 5] = [BILLING, RETENTION, ROUTERS, SNMP, STATUS_CHECKS];

/// How long a lease lasts after its last renewal.
pub const TTL: Duration = Duration::from_secs(20);
/// How often a node renews (and tries to take) its leases.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);

/// The file in the data directory holding the node's own part of its id.
const NODE_ID_FILE: &str = "node-id";

/// This node's standing: its id and the leases it holds.
pub struct Cluster {
    node: String,
    db: Db,
    clock: Arc<dyn Clock>,
    held: Mutex<Held>,
    /// `ispbills_cluster_lease_held{lease,node}`: 1 while held.
    gauges: Family<LeaseLabels, Gauge>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LeaseLabels {
    lease: String,
    node: String,
    engine: String,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("node", &self.node)
            .field("held", &self.held())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Held {
    names: BTreeSet<String>,
    /// When the leases were last renewed: past `TTL` they may be another's.
    renewed: Option<Instant>,
}

impl Cluster {
    pub fn new(node: String, db: Db, clock: Arc<dyn Clock>) -> Arc<Self> {
        Arc::new(Self {
            node,
            db,
            clock,
            held: Mutex::new(Held::default()),
            gauges: Family::default(),
        })
    }

    /// Adds `ispbills_cluster_lease_held{lease,node,engine}` to `/metrics`.
    pub fn register(&self, metrics: &Metrics) {
        metrics.register_metric(
            "cluster_lease_held",
            "1 while this node holds the lease (the engine and node in the labels)",
            self.gauges.clone(),
        );
        self.publish();
    }

    /// Sets the gauges from the leases held now.
    fn publish(&self) {
        for lease in ALL {
            let labels = LeaseLabels {
                lease: lease.to_string(),
                node: self.node.clone(),
                engine: self.db.engine().name().to_string(),
            };
            self.gauges
                .get_or_create(&labels)
                .set(i64::from(self.holds(lease)));
        }
    }

    /// This node's id (`<host>-<8 hex digits>`, kept in the data directory).
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Whether this node holds `lease` now.
    pub fn holds(&self, lease: &str) -> bool {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.renewed
            .is_some_and(|at| at.elapsed() < TTL - RENEW_EVERY)
            && held.names.contains(lease)
    }

    /// The leases this node holds, by name.
    pub fn held(&self) -> Vec<String> {
        ALL.iter()
            .filter(|l| self.holds(l))
            .map(|l| (*l).to_string())
            .collect()
    }

    /// Renews this node's liveness and leases and takes those free
    /// (blocking: one write).
    pub fn renew(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        let now_ms = crate::clock::unix_millis(now);
        let until = now_ms + i64::try_from(TTL.as_millis()).unwrap_or(i64::MAX / 2);
        let (node, stamp) = (self.node.clone(), format_timestamp(now));
        let started = Instant::now();
        let names = self.db.write(move |tx| {
            leases::acquire(tx, &leases::node_lease(&node), &node, now_ms, until, &stamp)?;
            let mut names = BTreeSet::new();
            for lease in ALL {
                if leases::acquire(tx, lease, &node, now_ms, until, &stamp)? {
                    names.insert(lease.to_string());
                }
            }
            Ok(names)
        })?;
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        for name in names.difference(&held.names) {
            tracing::info!(lease = %name, node = %self.node, "lease taken");
        }
        for name in held.names.difference(&names) {
            tracing::warn!(lease = %name, node = %self.node, "lease lost");
        }
        held.names = names;
        held.renewed = Some(started);
        drop(held);
        self.publish();
        Ok(())
    }

    /// Gives every lease up (a clean stop): others take them at once.
    pub fn release(&self) -> Result<(), StoreError> {
        let node = self.node.clone();
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .names
            .clear();
        self.publish();
        self.db.write(move |tx| leases::release_all(tx, &node))?;
        Ok(())
    }
}

/// The node's id: the host name and a random part kept in `data_dir` (made
/// on first start), so a restarted node is the same node and takes its
/// leases back at once.
pub fn node_id(data_dir: &Path) -> Result<String, StoreError> {
    let file = data_dir.join(NODE_ID_FILE);
    let own = match std::fs::read_to_string(&file) {
        Ok(s) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes).map_err(|e| StoreError::Task(e.to_string()))?;
            let own: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            std::fs::write(&file, &own)?;
            own
        }
    };
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".into());
    Ok(format!("{host}-{own}"))
}

/// Renews the leases until `stop`, then gives them up.
pub async fn worker(cluster: Arc<Cluster>, mut stop: StopSignal) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(RENEW_EVERY) => {}
            _ = stopped(&mut stop) => break,
        }
        let c = cluster.clone();
        match tokio::task::spawn_blocking(move || c.renew()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "renewing the leases failed"),
            Err(e) => tracing::error!(error = %e, "the lease task failed"),
        }
    }
    let c = cluster.clone();
    match tokio::task::spawn_blocking(move || c.release()).await {
        Ok(Ok(())) => tracing::info!(node = %cluster.node(), "leases given up"),
        Ok(Err(e)) => tracing::warn!(error = %e, "giving up the leases failed; they lapse"),
        Err(e) => tracing::warn!(error = %e, "the lease task failed"),
    }
}
