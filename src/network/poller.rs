//! One thread per router (its blocking I/O never takes a thread the API needs):
//! polls /system/resource and identity, keeps pools, pulls logs, samples usage,
//! and reconciles logins when asked (by a customer change) and periodically.
//! A router that does not answer is marked down and polled with a growing gap
//! (up to 5 minutes); nothing else waits for it.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use super::{
    hub::{HubError, RouterHub},
    pools,
};
use crate::{
    clock::format_timestamp,
    drivers::routeros::{self, RouterApi, RouterError, Row, Target},
    shutdown::{stopped, StopSignal},
    store::{
        monitoring::{self, Access},
        router_data::{self, NewLog, PoolState, Sample},
        routers::{self, Resource, RouterRow},
    },
};

const TICK: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Runs until `stop`: one thread per router in the inventory.
/// Keeps one polling thread per router, on the node holding the routers'
/// lease (elsewhere none: their threads stop when the lease goes).
pub async fn worker(
    hub: Arc<RouterHub>,
    cluster: Arc<crate::cluster::Cluster>,
    mut stop: StopSignal,
) {
    let mut threads: HashMap<i64, (Arc<AtomicBool>, JoinHandle<()>)> = HashMap::new();
    loop {
        let ids = hub
            .db
            .read_async(|c| {
                Ok(routers::all_with_secrets(c)?
                    .into_iter()
                    .map(|(r, _)| r.id)
                    .collect::<Vec<_>>())
            })
            .await;
        let ids = ids.map(|ids| {
            if cluster.holds(crate::cluster::ROUTERS) {
                ids
            } else {
                Vec::new()
            }
        });
        match ids {
            Ok(ids) => {
                threads.retain(|id, (flag, handle)| {
                    let keep = ids.contains(id) && !handle.is_finished();
                    if !keep {
                        flag.store(true, Ordering::Relaxed);
                    }
                    keep
                });
                for id in ids {
                    if threads.contains_key(&id) {
                        continue;
                    }
                    let flag = Arc::new(AtomicBool::new(false));
                    let (h, f) = (hub.clone(), flag.clone());
                    match std::thread::Builder::new()
                        .name(format!("router-{id}"))
                        .spawn(move || router_loop(&h, id, &f))
                    {
                        Ok(handle) => {
                            threads.insert(id, (flag, handle));
                        }
                        Err(e) => {
                            tracing::error!(router = id, error = %e, "cannot start router thread")
                        }
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "routers: listing failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stopped(&mut stop) => break,
        }
    }
    for (flag, _) in threads.values() {
        flag.store(true, Ordering::Relaxed);
    }
    let _ = tokio::task::spawn_blocking(move || {
        for (_, (_, handle)) in threads {
            let _ = handle.join();
        }
    })
    .await;
}

/// What identifies a connection: a change means connecting again.
fn fingerprint(row: &RouterRow, sealed: &str) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}|{sealed}",
        row.host, row.port, row.username, row.transport, row.use_tls, row.tls_verify
    )
}

struct State {
    api: Option<Box<dyn RouterApi>>,
    fingerprint: String,
    up: bool,
    failures: u32,
    next_poll: Instant,
    next_sync: Instant,
    next_usage: Instant,
}

fn router_loop(hub: &RouterHub, id: i64, stop: &AtomicBool) {
    let now = Instant::now();
    let mut st = State {
        api: None,
        fingerprint: String::new(),
        up: false,
        failures: 0,
        next_poll: now,
        next_sync: now,
        next_usage: now,
    };
    while !stop.load(Ordering::Relaxed) {
        let loaded = hub.db.read(|c| routers::with_secret(c, id));
        let (row, sealed) = match loaded {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(router = id, error = %e, "routers: reading failed");
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
        };
        let fp = fingerprint(&row, &sealed);
        if fp != st.fingerprint {
            st.fingerprint = fp;
            st.api = None;
            st.next_poll = Instant::now();
        }
        if Instant::now() >= st.next_poll {
            poll(hub, id, &row, &sealed, &mut st);
        }
        if st.up {
            if let Some(api) = st.api.as_mut() {
                if let Err(e) = keep_in_sync(hub, id, api.as_mut(), &mut st.next_sync) {
                    tracing::warn!(router = id, error = %e, "routers: reconciliation failed");
                    if matches!(e, HubError::Router(ref r) if connection_lost(r)) {
                        st.api = None;
                        st.up = false;
                        st.next_poll = Instant::now();
                    }
                }
            }
        }
        if st.up && Instant::now() >= st.next_usage {
            st.next_usage = Instant::now() + Duration::from_secs(hub.config.usage_interval_secs);
            if let Some(api) = st.api.as_mut() {
                if let Err(e) = sample_usage(hub, id, api.as_mut()) {
                    tracing::warn!(router = id, error = %e, "routers: usage sampling failed");
                }
            }
        }
        std::thread::sleep(TICK);
    }
}

fn connection_lost(e: &RouterError) -> bool {
    !matches!(e, RouterError::Trap { .. })
}

fn poll(hub: &RouterHub, id: i64, row: &RouterRow, sealed: &str, st: &mut State) {
    let result = (|| -> Result<Resource, HubError> {
        if st.api.is_none() {
            let target: Target = hub.target(row, sealed)?;
            st.api = Some(routeros::connect(target));
        }
        let Some(api) = st.api.as_mut() else {
            return Err(HubError::Task("no client".into()));
        };
        let res = read_resource(api.as_mut())?;
        if let Err(e) = keep_pools(hub, id, api.as_mut()) {
            tracing::debug!(router = id, error = %e, "routers: pools not read");
        }
        if let Err(e) = pull_logs(hub, id, api.as_mut()) {
            tracing::debug!(router = id, error = %e, "routers: logs not read");
        }
        Ok(res)
    })();
    let now = format_timestamp(hub.clock.now());
    let interval = Duration::from_secs(hub.config.poll_interval_secs);
    let recorded = match &result {
        Ok(res) => {
            st.up = true;
            st.failures = 0;
            st.next_poll = Instant::now() + interval;
            let res = res.clone();
            hub.db
                .write(move |tx| routers::record_poll(tx, id, Ok(&res), &now))
        }
        Err(e) => {
            // Seen failures of logins go to the access log, once per change,
            // with the poll that saw them.
            let login_failure = (matches!(e, HubError::Router(RouterError::Login(_)))
                && row.last_error.as_deref() != Some(e.to_string().as_str()))
            .then(|| Access {
                actor: "appliance".into(),
                device_kind: "router".into(),
                device_id: Some(id),
                device_name: Some(row.name.clone()),
                action: "api login".into(),
                ok: false,
                detail: Some(e.to_string()),
            });
            st.up = false;
            st.api = None;
            st.failures = st.failures.saturating_add(1);
            let backoff = interval
                .saturating_mul(1 << st.failures.min(10))
                .min(MAX_BACKOFF.max(interval));
            st.next_poll = Instant::now() + backoff;
            let why = e.to_string();
            hub.db.write(move |tx| {
                if let Some(access) = &login_failure {
                    monitoring::log_access(tx, access, &now)?;
                }
                routers::record_poll(tx, id, Err(&why), &now)
            })
        }
    };
    if let Err(e) = recorded {
        tracing::error!(router = id, error = %e, "routers: recording a poll failed");
    }
}

fn first(rows: Vec<Row>) -> Row {
    rows.into_iter().next().unwrap_or_default()
}

fn read_resource(api: &mut dyn RouterApi) -> Result<Resource, RouterError> {
    let res = first(api.print("/system/resource", &[], &[])?);
    let identity = first(api.print("/system/identity", &[], &[])?);
    Ok(Resource {
        identity: identity.get("name").cloned(),
        version: res.get("version").cloned(),
        board: res.get("board-name").cloned(),
        uptime: res.get("uptime").cloned(),
        cpu_load: res.get("cpu-load").and_then(|c| c.parse().ok()),
    })
}

/// Reconciles when a customer change asked for it, or when the periodic
/// reconciliation is due.
fn keep_in_sync(
    hub: &RouterHub,
    id: i64,
    api: &mut dyn RouterApi,
    next_sync: &mut Instant,
) -> Result<(), HubError> {
    let requested = hub
        .db
        .read(routers::sync_requests)?
        .into_iter()
        .find(|(router, _)| *router == id)
        .map(|(_, seq)| seq);
    if requested.is_none() && Instant::now() < *next_sync {
        return Ok(());
    }
    let lock = hub.lock_of(id);
    let _held = lock.blocking_lock();
    *next_sync = Instant::now() + Duration::from_secs(hub.config.sync_interval_secs);
    let diff = hub.sync_blocking(api, id, requested, Default::default())?;
    if diff != Default::default() {
        tracing::info!(router = id, ?diff, "routers: logins reconciled");
    }
    Ok(())
}

fn keep_pools(hub: &RouterHub, id: i64, api: &mut dyn RouterApi) -> Result<(), HubError> {
    let pools_rows = api.print("/ip/pool", &["name", "ranges"], &[])?;
    let active = api.print("/ppp/active", &["address"], &[])?;
    let secrets = api.print("/ppp/secret", &["remote-address"], &[])?;
    let addresses: Vec<&str> = active
        .iter()
        .filter_map(|r| r.get("address"))
        .chain(secrets.iter().filter_map(|r| r.get("remote-address")))
        .map(String::as_str)
        .collect();
    let states: Vec<PoolState> = pools_rows
        .iter()
        .map(|p| {
            let ranges_text = p.get("ranges").cloned().unwrap_or_default();
            let ranges = pools::parse_ranges(&ranges_text);
            PoolState {
                name: p.get("name").cloned().unwrap_or_default(),
                size: pools::size(&ranges),
                used: pools::used(&ranges, addresses.iter().copied()),
                ranges: ranges_text,
            }
        })
        .collect();
    let now = format_timestamp(hub.clock.now());
    hub.db
        .write(move |tx| router_data::replace_pools(tx, id, &states, &now))?;
    Ok(())
}

/// The category of a log line by its topics.
pub fn categorize(topics: &str) -> &'static str {
    let has = |t: &str| topics.split(',').any(|x| x.trim() == t);
    if has("hotspot") {
        "hotspot"
    } else if ["ppp", "pppoe", "l2tp", "pptp", "sstp", "radius", "account"]
        .iter()
        .any(|t| has(t))
    {
        "ppp-auth"
    } else {
        "router"
    }
}

fn log_number(id: &str) -> Option<i64> {
    i64::from_str_radix(id.trim_start_matches('*'), 16).ok()
}

fn pull_logs(hub: &RouterHub, id: i64, api: &mut dyn RouterApi) -> Result<(), HubError> {
    let rows = api.print("/log", &[], &[])?;
    let mut last = hub.db.read(|c| router_data::last_log_id(c, id))?;
    let newest = rows
        .iter()
        .filter_map(|r| r.get(".id").and_then(|i| log_number(i)))
        .max()
        .unwrap_or(0);
    if newest < last {
        // The router restarted and numbers its log afresh.
        last = 0;
    }
    let now = format_timestamp(hub.clock.now());
    let entries: Vec<NewLog> = rows
        .iter()
        .filter(|r| {
            r.get(".id")
                .and_then(|i| log_number(i))
                .is_some_and(|n| n > last)
        })
        .map(|r| {
            let topics = r.get("topics").cloned().unwrap_or_default();
            let message = r.get("message").cloned().unwrap_or_default();
            let time = r.get("time").cloned().unwrap_or_default();
            NewLog {
                router_id: Some(id),
                source: "api",
                host: None,
                category: categorize(&topics),
                topics,
                message: if time.is_empty() {
                    message
                } else {
                    format!("[{time}] {message}")
                },
                logged_at: now.clone(),
            }
        })
        .collect();
    if entries.is_empty() && newest == last {
        return Ok(());
    }
    hub.db
        .write(move |tx| router_data::insert_logs(tx, &entries, Some((id, newest))))?;
    Ok(())
}

fn sample_usage(hub: &RouterHub, id: i64, api: &mut dyn RouterApi) -> Result<(), HubError> {
    let logins = hub.db.read(|c| routers::logins(c, id))?;
    if logins.is_empty() {
        return Ok(());
    }
    let active = api.print("/ppp/active", &["name", "address", "uptime"], &[])?;
    let queues = api.print("/queue/simple", &["name", "bytes"], &[])?;
    let now = format_timestamp(hub.clock.now());
    let samples: Vec<Sample> = logins
        .iter()
        .filter(|l| l.connection_type == "pppoe")
        .map(|l| {
            let session = active.iter().find(|a| a.get("name") == Some(&l.username));
            let queue_name = format!("<pppoe-{}>", l.username);
            let bytes = queues
                .iter()
                .find(|q| q.get("name") == Some(&queue_name))
                .and_then(|q| q.get("bytes"))
                .and_then(|b| {
                    let (up, down) = b.split_once('/')?;
                    Some((up.parse::<i64>().ok()?, down.parse::<i64>().ok()?))
                });
            Sample {
                customer_id: l.customer_id,
                router_id: id,
                sampled_at: now.clone(),
                online: session.is_some(),
                address: session.and_then(|s| s.get("address").cloned()),
                uptime: session.and_then(|s| s.get("uptime").cloned()),
                bytes_in: bytes.map(|(_, down)| down),
                bytes_out: bytes.map(|(up, _)| up),
            }
        })
        .collect();
    hub.db
        .write(move |tx| router_data::insert_samples(tx, &samples))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_topics_map_to_the_three_logs() {
        assert_eq!(categorize("hotspot,info,debug"), "hotspot");
        assert_eq!(categorize("pppoe,ppp,info"), "ppp-auth");
        assert_eq!(categorize("system,info,account"), "ppp-auth");
        assert_eq!(categorize("system,error,critical"), "router");
        assert_eq!(log_number("*1A"), Some(26));
    }
}
