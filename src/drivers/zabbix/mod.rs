//! Zabbix JSON-RPC 2.0 client (`POST <frontend>/api_jsonrpc.php`): hosts,
//! problems, and the hosts of problem triggers. Knows nothing of HTTP routes
//! or SQL. Authentication: an API token as `Authorization: Bearer` (Zabbix
//! 6.4+ and 7.x), the token in the body's `auth` field (5.4–6.2), or
//! `user.login` with a user name and password (older servers; the session is
//! renewed when Zabbix ends it).

mod types;

use std::{
    io::Read,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::Duration,
};

use serde_json::{json, Value};
use ureq::Agent;

pub use types::{severity_label, Host, HostInterface, Problem, Tag, TriggerHost, TriggerHosts};

/// How the client proves who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// An API token sent as `Authorization: Bearer <token>` (6.4+).
    Bearer(String),
    /// An API token in the request body's `auth` field (5.4–6.2; 7.2 refuses it).
    BodyToken(String),
    /// `user.login` with these credentials; the session id goes in `auth`.
    Login { username: String, password: String },
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZabbixError {
    /// No connection, a timeout, or not a Zabbix API answer.
    #[error("Zabbix is unreachable: {0}")]
    Unreachable(String),
    /// Zabbix refused the credentials (token unknown, expired, or not allowed).
    #[error("Zabbix refused the credentials: {0}")]
    Refused(String),
    /// Zabbix answered with an error for the request itself.
    #[error("Zabbix error: {0}")]
    Api(String),
}

const KEPT: u64 = 32 * 1024 * 1024;

pub struct ZabbixClient {
    endpoint: String,
    auth: Auth,
    agent: Agent,
    session: Mutex<Option<String>>,
    next_id: AtomicU64,
}

/// `<frontend>/api_jsonrpc.php` for a frontend URL (kept when already given).
pub fn endpoint_of(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    if url.ends_with("api_jsonrpc.php") {
        url.to_string()
    } else {
        format!("{url}/api_jsonrpc.php")
    }
}

fn is_auth_error(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "not authorized",
        "not authorised",
        "session terminated",
        "re-login",
        "api token expired",
        "incorrect user name or password",
        "login name or password is incorrect",
        "not allowed",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

impl ZabbixClient {
    /// A client whose every dial passes `policy`.
    pub fn new(
        url: &str,
        auth: Auth,
        timeout: Duration,
        policy: crate::net_policy::Policy,
    ) -> Self {
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_global(Some(timeout))
            .user_agent(format!("ispbills/{}", crate::VERSION))
            .build();
        let agent = crate::net_policy::agent(config, policy);
        Self {
            endpoint: endpoint_of(url),
            auth,
            agent,
            session: Mutex::new(None),
            next_id: AtomicU64::new(1),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// One JSON-RPC request; `auth_field` goes into the body's `auth`.
    fn raw(
        &self,
        method: &str,
        params: &Value,
        bearer: Option<&str>,
        auth_field: Option<&str>,
    ) -> Result<Value, ZabbixError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut body = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": id});
        if let Some(a) = auth_field {
            body["auth"] = Value::String(a.to_string());
        }
        let mut req = self
            .agent
            .post(&self.endpoint)
            .header("content-type", "application/json-rpc");
        if let Some(token) = bearer {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let mut response = req
            .send(serde_json::to_vec(&body).unwrap_or_default())
            .map_err(|e| {
                ZabbixError::Unreachable(crate::net_policy::refusal_in(&e).unwrap_or(e.to_string()))
            })?;
        let status = response.status().as_u16();
        let mut text = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(KEPT)
            .read_to_end(&mut text)
            .map_err(|e| ZabbixError::Unreachable(e.to_string()))?;
        // Only a JSON-RPC 2.0 answer is Zabbix's; anything else (a web
        // server's page, another service's JSON) is never shown.
        let answer: Value = serde_json::from_slice(&text)
            .ok()
            .filter(|a: &Value| a.get("jsonrpc").and_then(Value::as_str) == Some("2.0"))
            .ok_or_else(|| {
                ZabbixError::Unreachable(format!(
                    "HTTP {status} from {} is not a Zabbix API answer",
                    self.endpoint
                ))
            })?;
        if let Some(err) = answer.get("error") {
            let message = err.get("message").and_then(Value::as_str).unwrap_or("");
            let data = err.get("data").and_then(Value::as_str).unwrap_or("");
            let text = format!("{message} {data}").trim().to_string();
            return Err(if is_auth_error(&text) || status == 401 || status == 403 {
                ZabbixError::Refused(text)
            } else {
                ZabbixError::Api(text)
            });
        }
        if status == 401 || status == 403 {
            return Err(ZabbixError::Refused(format!("HTTP {status}")));
        }
        answer
            .get("result")
            .cloned()
            .ok_or_else(|| ZabbixError::Unreachable("no result in the answer".into()))
    }

    fn login(&self, username: &str, password: &str) -> Result<String, ZabbixError> {
        // Zabbix 5.4+ calls it `username`; older servers `user`.
        let first = self.raw(
            "user.login",
            &json!({"username": username, "password": password}),
            None,
            None,
        );
        let result = match first {
            Err(ZabbixError::Api(m)) if m.contains("username") || m.contains("Invalid params") => {
                self.raw(
                    "user.login",
                    &json!({"user": username, "password": password}),
                    None,
                    None,
                )?
            }
            other => other?,
        };
        result
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ZabbixError::Refused("user.login returned no session".into()))
    }

    /// Calls `method` with the configured authentication.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, ZabbixError> {
        match &self.auth {
            Auth::Bearer(token) => self.raw(method, &params, Some(token), None),
            Auth::BodyToken(token) => self.raw(method, &params, None, Some(token)),
            Auth::Login { username, password } => {
                let cached = self
                    .session
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                let session = match cached {
                    Some(s) => s,
                    None => self.login(username, password)?,
                };
                match self.raw(method, &params, None, Some(&session)) {
                    // The session ended (timeout, logout): log in once more.
                    Err(ZabbixError::Refused(_)) => {
                        let fresh = self.login(username, password)?;
                        let out = self.raw(method, &params, None, Some(&fresh));
                        *self.session.lock().unwrap_or_else(|e| e.into_inner()) = Some(fresh);
                        out
                    }
                    other => {
                        *self.session.lock().unwrap_or_else(|e| e.into_inner()) = Some(session);
                        other
                    }
                }
            }
        }
    }

    /// `host.get` with interfaces and tags.
    pub fn hosts(&self) -> Result<Vec<Host>, ZabbixError> {
        let result = self.call(
            "host.get",
            json!({
                "output": ["hostid", "host", "name", "status"],
                "selectInterfaces": ["interfaceid", "ip", "dns", "useip", "type", "main", "available", "error"],
                "selectTags": "extend",
            }),
        )?;
        types::parse_list(result, "host.get")
    }

    /// Current problems (`problem.get`, newest first).
    pub fn problems(&self) -> Result<Vec<Problem>, ZabbixError> {
        let result = self.call(
            "problem.get",
            json!({
                "output": ["eventid", "objectid", "clock", "name", "severity", "acknowledged", "r_eventid"],
                "recent": false,
                "sortfield": ["eventid"],
                "sortorder": "DESC",
            }),
        )?;
        types::parse_list(result, "problem.get")
    }

    /// The hosts of these triggers (`problem.get` cannot select hosts).
    pub fn trigger_hosts(&self, trigger_ids: &[String]) -> Result<Vec<TriggerHosts>, ZabbixError> {
        if trigger_ids.is_empty() {
            return Ok(Vec::new());
        }
        let result = self.call(
            "trigger.get",
            json!({
                "output": ["triggerid"],
                "triggerids": trigger_ids,
                "selectHosts": ["hostid", "host", "name"],
            }),
        )?;
        types::parse_list(result, "trigger.get")
    }
}
