//! Zabbix in the appliance: the `[zabbix]` settings, and a cache in front of
//! the client so the mobile app cannot hammer Zabbix. A reader gets the cached
//! answer while it is younger than `cache_ttl_secs`; otherwise one caller
//! refreshes it (the others wait for that one call, bounded by the client's
//! timeout). When Zabbix is down or refuses the token, the last known data is
//! kept and handed out with the error and its age.

use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::drivers::zabbix::{Auth, Host, Problem, TriggerHost, ZabbixClient, ZabbixError};

/// `[zabbix]`: where the Zabbix frontend is and how to log in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ZabbixConfig {
    /// The frontend URL (`http://zabbix.lan/zabbix`; `/api_jsonrpc.php` is added).
    /// Empty: Zabbix is not used.
    pub url: String,
    /// `bearer` (token in `Authorization`, Zabbix 6.4+ and 7.x), `body` (token in
    /// the request's `auth` field, 5.4–6.2) or `login` (user.login with
    /// `username`/`password`, older servers).
    pub auth: String,
    /// An API token (Zabbix: Users → API tokens).
    pub api_token: String,
    pub username: String,
    pub password: String,
    /// Seconds one request to Zabbix may take.
    pub timeout_secs: u64,
    /// Seconds an answer is reused before Zabbix is asked again.
    pub cache_ttl_secs: u64,
}

impl Default for ZabbixConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            auth: "bearer".into(),
            api_token: String::new(),
            username: String::new(),
            password: String::new(),
            timeout_secs: 10,
            cache_ttl_secs: 30,
        }
    }
}

impl ZabbixConfig {
    pub fn check(&self) -> Result<(), String> {
        if self.timeout_secs == 0 {
            return Err("key `zabbix.timeout_secs`: must be at least 1".into());
        }
        if self.cache_ttl_secs == 0 {
            return Err("key `zabbix.cache_ttl_secs`: must be at least 1".into());
        }
        if self.url.is_empty() {
            return Ok(());
        }
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(format!(
                "key `zabbix.url`: `{}` must start with http:// or https://",
                self.url
            ));
        }
        match self.auth.as_str() {
            "bearer" | "body" if self.api_token.trim().is_empty() => Err(format!(
                "key `zabbix.api_token`: required with auth = \"{}\"",
                self.auth
            )),
            "bearer" | "body" => Ok(()),
            "login" if self.username.is_empty() || self.password.is_empty() => Err(
                "keys `zabbix.username` and `zabbix.password`: required with auth = \"login\""
                    .into(),
            ),
            "login" => Ok(()),
            other => Err(format!(
                "key `zabbix.auth`: `{other}` is not one of bearer, body, login"
            )),
        }
    }

    fn client(&self, policy: crate::net_policy::Policy) -> Option<ZabbixClient> {
        if self.url.is_empty() {
            return None;
        }
        let auth = match self.auth.as_str() {
            "body" => Auth::BodyToken(self.api_token.trim().to_string()),
            "login" => Auth::Login {
                username: self.username.clone(),
                password: self.password.clone(),
            },
            _ => Auth::Bearer(self.api_token.trim().to_string()),
        };
        Some(ZabbixClient::new(
            &self.url,
            auth,
            Duration::from_secs(self.timeout_secs.max(1)),
            policy,
        ))
    }
}

/// A problem with the hosts of its trigger.
#[derive(Debug, Clone)]
pub struct HostedProblem {
    pub problem: Problem,
    pub hosts: Vec<TriggerHost>,
}

/// One complete answer from Zabbix.
#[derive(Debug, Clone, Default)]
pub struct ZabbixData {
    pub hosts: Vec<Host>,
    pub problems: Vec<HostedProblem>,
}

/// What a reader gets: the data (if Zabbix ever answered), when it was
/// fetched, and the error of the last attempt if that failed.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub data: Option<Arc<ZabbixData>>,
    pub fetched_at: Option<OffsetDateTime>,
    pub error: Option<String>,
}

#[derive(Default)]
struct Cache {
    data: Option<Arc<ZabbixData>>,
    fetched_at: Option<OffsetDateTime>,
    attempted_at: Option<OffsetDateTime>,
    error: Option<String>,
}

impl Cache {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            data: self.data.clone(),
            fetched_at: self.fetched_at,
            error: self.error.clone(),
        }
    }
}

pub struct ZabbixService {
    client: Option<Arc<ZabbixClient>>,
    ttl: time::Duration,
    cache: std::sync::Mutex<Cache>,
    /// Held by the one caller refreshing, so the others wait for its answer.
    refreshing: tokio::sync::Mutex<()>,
}

/// Reads hosts, problems and the problems' hosts in one go.
fn fetch(client: &ZabbixClient) -> Result<ZabbixData, ZabbixError> {
    let hosts = client.hosts()?;
    let problems = client.problems()?;
    let mut trigger_ids: Vec<String> = problems.iter().map(|p| p.objectid.clone()).collect();
    trigger_ids.sort();
    trigger_ids.dedup();
    let triggers = client.trigger_hosts(&trigger_ids)?;
    let problems = problems
        .into_iter()
        .map(|problem| {
            let hosts = triggers
                .iter()
                .find(|t| t.triggerid == problem.objectid)
                .map(|t| t.hosts.clone())
                .unwrap_or_default();
            HostedProblem { problem, hosts }
        })
        .collect();
    Ok(ZabbixData { hosts, problems })
}

impl ZabbixService {
    /// The service; every dial to Zabbix passes `policy` (a refused address
    /// is the error of the snapshot, as any other failure).
    pub fn new(config: &ZabbixConfig, policy: crate::net_policy::Policy) -> Self {
        // Said at start too, when the URL names a refused address outright.
        if let Ok(parts) = crate::events::target::parse_url(&config.url) {
            if let Ok(ip) = parts.host.parse::<std::net::IpAddr>() {
                if let Some(why) = policy.refusal(ip) {
                    tracing::warn!(url = %config.url, "zabbix: {why}");
                }
            }
        }
        Self {
            client: config.client(policy).map(Arc::new),
            ttl: time::Duration::seconds(i64::try_from(config.cache_ttl_secs).unwrap_or(30)),
            cache: std::sync::Mutex::new(Cache::default()),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    pub fn configured(&self) -> bool {
        self.client.is_some()
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fresh(&self, now: OffsetDateTime) -> bool {
        self.cache()
            .attempted_at
            .is_some_and(|at| now - at < self.ttl && at <= now)
    }

    /// The cached answer, refreshed first when older than the TTL (`None`
    /// when Zabbix is not configured).
    pub async fn snapshot(&self, now: OffsetDateTime) -> Option<Snapshot> {
        let client = self.client.clone()?;
        if !self.fresh(now) {
            let _one = self.refreshing.lock().await;
            // Another caller may have refreshed while this one waited.
            if !self.fresh(now) {
                self.cache().attempted_at = Some(now);
                let outcome = tokio::task::spawn_blocking(move || fetch(&client))
                    .await
                    .unwrap_or_else(|e| Err(ZabbixError::Unreachable(e.to_string())));
                let mut cache = self.cache();
                match outcome {
                    Ok(data) => {
                        cache.data = Some(Arc::new(data));
                        cache.fetched_at = Some(now);
                        cache.error = None;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "zabbix: refresh failed; serving the last known data");
                        cache.error = Some(e.to_string());
                    }
                }
            }
        }
        Some(self.cache().snapshot())
    }

    /// The cached answer as it is, without asking Zabbix (for dashboards that
    /// must never wait).
    pub fn peek(&self) -> Option<Snapshot> {
        self.client.as_ref()?;
        Some(self.cache().snapshot())
    }
}
