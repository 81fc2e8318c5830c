//! Infrastructure status checks: TCP connect, HTTP GET (2xx/3xx is up), and
//! ICMP — done as a TCP connect to port 80 here, since an unprivileged service
//! cannot send ICMP echo (the answer says which method was used). Every
//! address dialled passes the address policy first.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use super::config::{CheckConfig, MonitoringConfig};
use crate::{
    clock::{format_timestamp, Clock},
    net_policy::Policy,
    shutdown::{stopped, StopSignal},
    store::{monitoring, Db},
};

/// Result of one check: latency when up, the reason when down.
pub async fn run_check(c: &CheckConfig, timeout: Duration, policy: Policy) -> Result<i64, String> {
    let started = Instant::now();
    match c.kind.as_str() {
        "http" => {
            let url = c.target.clone();
            // Timed on the thread: a wait for a free outbound thread is not
            // the target's latency.
            let (result, took) = crate::outbound::blocking(move || {
                let started = Instant::now();
                let config = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .timeout_global(Some(timeout))
                    .build();
                let agent = crate::net_policy::agent(config, policy);
                let result = agent.get(&url).call().map(|r| r.status().as_u16());
                (result, started.elapsed())
            })
            .await?;
            return match result {
                Ok(status) if status < 400 => Ok(millis(took)),
                Ok(status) => Err(format!("HTTP {status}")),
                Err(e) => Err(crate::net_policy::refusal_in(&e).unwrap_or(e.to_string())),
            };
        }
        kind => {
            let (host, port) = host_and_port(&c.target, kind == "icmp")
                .ok_or_else(|| format!("`{}` is not a host:port", c.target))?;
            let addrs = policy
                .resolve_async(&host, port)
                .await
                .map_err(|e| e.to_string())?;
            let addr = addrs.first().ok_or("no address")?;
            tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr))
                .await
                .map_err(|_| format!("no answer within {} ms", timeout.as_millis()))?
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(millis(started.elapsed()))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The host and port of a check's target (`host:port`, `[v6]:port`; an
/// ICMP target without a port is checked at port 80).
fn host_and_port(target: &str, icmp: bool) -> Option<(String, u16)> {
    if let Ok(addr) = target.parse::<std::net::SocketAddr>() {
        return Some((addr.ip().to_string(), addr.port()));
    }
    if icmp && (!target.contains(':') || target.parse::<std::net::IpAddr>().is_ok()) {
        return Some((target.trim_matches(['[', ']']).to_string(), 80));
    }
    let (host, port) = target.rsplit_once(':')?;
    Some((
        host.trim_matches(['[', ']']).to_string(),
        port.parse().ok()?,
    ))
}

pub async fn worker(
    db: Db,
    clock: Arc<dyn Clock>,
    config: MonitoringConfig,
    policy: Policy,
    cluster: Arc<crate::cluster::Cluster>,
    mut stop: StopSignal,
) {
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
        if !cluster.holds(crate::cluster::STATUS_CHECKS) {
            // Another node checks; look again when the lease may be free.
            tokio::select! {
                _ = tokio::time::sleep(crate::cluster::RENEW_EVERY) => continue,
                _ = stopped(&mut stop) => break,
            }
        }
        let results = futures_util::future::join_all(
            config
                .checks
                .iter()
                .map(|c| async move { (c.name.clone(), run_check(c, timeout, policy).await) }),
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

#[cfg(test)]
mod http_check_tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A one-connection HTTP server answering `status` after `delay`.
    fn serve_once(status: u16, delay: Duration) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf);
                std::thread::sleep(delay);
                let _ = write!(
                    s,
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        url
    }

    fn check(url: String) -> CheckConfig {
        CheckConfig {
            name: "web".into(),
            kind: "http".into(),
            target: url,
        }
    }

    /// 2xx is up with the answer's latency; 5xx is down, named.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn http_checks_time_the_answer_and_name_a_bad_status() {
        let policy = Policy::network(true);
        let timeout = Duration::from_secs(5);
        let up = run_check(
            &check(serve_once(200, Duration::from_millis(120))),
            timeout,
            policy,
        )
        .await
        .unwrap();
        assert!((120..5000).contains(&up), "{up} ms");
        let down = run_check(&check(serve_once(503, Duration::ZERO)), timeout, policy).await;
        assert_eq!(down, Err("HTTP 503".to_string()));
    }
}
