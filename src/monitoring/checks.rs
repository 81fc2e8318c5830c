//! Infrastructure status checks: TCP connect, HTTP GET (2xx/3xx is up), and
//! ICMP — done as a TCP connect to port 80 here, since an unprivileged service
//! cannot send ICMP echo (the answer says which method was used).

use std::{
    net::ToSocketAddrs,
    sync::Arc,
    time::{Duration, Instant},
};

use super::config::{CheckConfig, MonitoringConfig};
use crate::{
    clock::{format_timestamp, Clock},
    jobs::{stopped, StopSignal},
    store::{monitoring, Db},
};

/// Result of one check: latency when up, the reason when down.
pub async fn run_check(c: &CheckConfig, timeout: Duration) -> Result<i64, String> {
    let started = Instant::now();
    match c.kind.as_str() {
        "http" => {
            let url = c.target.clone();
            let result = tokio::task::spawn_blocking(move || {
                let agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .timeout_global(Some(timeout))
                    .build()
                    .new_agent();
                agent.get(&url).call().map(|r| r.status().as_u16())
            })
            .await
            .map_err(|e| e.to_string())?;
            match result {
                Ok(status) if status < 400 => {}
                Ok(status) => return Err(format!("HTTP {status}")),
                Err(e) => return Err(e.to_string()),
            }
        }
        kind => {
            let target = if kind == "icmp" && !c.target.contains(':') {
                format!("{}:80", c.target)
            } else {
                c.target.clone()
            };
            let addrs: Vec<_> = tokio::task::spawn_blocking(move || {
                target.to_socket_addrs().map(|a| a.collect::<Vec<_>>())
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot resolve: {e}"))?;
            let addr = addrs.first().ok_or("no address")?;
            tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr))
                .await
                .map_err(|_| format!("no answer within {} ms", timeout.as_millis()))?
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX))
}

pub async fn worker(db: Db, clock: Arc<dyn Clock>, config: MonitoringConfig, mut stop: StopSignal) {
    let defs: Vec<(String, String, String)> = config
        .checks
        .iter()
        .map(|c| (c.name.clone(), c.kind.clone(), c.target.clone()))
        .collect();
    if let Err(e) = db
        .write_async(move |tx| monitoring::sync_checks(tx, &defs))
        .await
    {
        tracing::error!(error = %e, "status checks: setup failed");
    }
    if config.checks.is_empty() {
        return;
    }
    let timeout = Duration::from_millis(config.check_timeout_ms);
    loop {
        let results = futures_util::future::join_all(
            config
                .checks
                .iter()
                .map(|c| async move { (c.name.clone(), run_check(c, timeout).await) }),
        )
        .await;
        let now = format_timestamp(clock.now());
        let written = db
            .write_async(move |tx| {
                for (name, r) in &results {
                    match r {
                        Ok(ms) => monitoring::record_check(tx, name, true, Some(*ms), None, &now)?,
                        Err(why) => {
                            monitoring::record_check(tx, name, false, None, Some(why), &now)?
                        }
                    }
                }
                Ok(())
            })
            .await;
        if let Err(e) = written {
            tracing::error!(error = %e, "status checks: recording failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(config.check_interval_secs)) => {}
            _ = stopped(&mut stop) => break,
        }
    }
}
