//! RouterOS v7 REST (`https://<router>/rest/<path>`, HTTP Basic auth, every
//! value a string): GET = print, PUT = add, PATCH = set, DELETE = remove,
//! POST `<path>/print` with `.proplist` and `.query`.

use std::io::Read;

use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::{Map, Value};
use ureq::{tls::TlsConfig, Agent};

use super::{reply::Row, RouterApi, RouterError, Target};

/// A router reached over REST.
#[derive(Debug, Clone)]
pub struct RestClient {
    base: String,
    auth: String,
    agent: Agent,
    timeout: std::time::Duration,
}

fn row_of(v: &Value) -> Row {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn encode_id(id: &str) -> String {
    id.replace('*', "%2A")
}

impl RestClient {
    pub fn new(t: &Target) -> Self {
        let scheme = if t.tls { "https" } else { "http" };
        let host = if t.host.contains(':') {
            format!("[{}]", t.host)
        } else {
            t.host.clone()
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_global(Some(t.timeout))
            .tls_config(
                TlsConfig::builder()
                    .disable_verification(!t.tls_verify)
                    .build(),
            )
            .build();
        Self {
            base: format!("{scheme}://{host}:{}/rest", t.port),
            auth: format!(
                "Basic {}",
                STANDARD.encode(format!("{}:{}", t.username, t.password))
            ),
            agent: crate::net_policy::agent(config, t.policy),
            timeout: t.timeout,
        }
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, RouterError> {
        let url = format!("{}{path}", self.base);
        let result = match (method, body) {
            ("GET", _) => self
                .agent
                .get(&url)
                .header("authorization", &self.auth)
                .call(),
            ("DELETE", _) => self
                .agent
                .delete(&url)
                .header("authorization", &self.auth)
                .call(),
            (m, body) => {
                let body = body.unwrap_or(Value::Object(Map::new())).to_string();
                let req = match m {
                    "PUT" => self.agent.put(&url),
                    "PATCH" => self.agent.patch(&url),
                    _ => self.agent.post(&url),
                };
                req.header("authorization", &self.auth)
                    .header("content-type", "application/json")
                    .send(body.as_bytes())
            }
        };
        let mut response = result.map_err(|e| {
            if let Some(why) = crate::net_policy::refusal_in(&e) {
                return RouterError::Refused(why);
            }
            match e {
                ureq::Error::Timeout(_) => RouterError::Timeout(self.timeout),
                ureq::Error::Io(io) => RouterError::Connect(io.to_string()),
                other => RouterError::Connect(other.to_string()),
            }
        })?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|t| {
                t.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '+' | '.'))
                    .take(60)
                    .collect::<String>()
            })
            .filter(|t| !t.is_empty());
        let mut text = String::new();
        response
            .body_mut()
            .as_reader()
            .take(64 * 1024 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => RouterError::Protocol(format!(
                    "not a RouterOS REST answer (HTTP {status}, not UTF-8 text)"
                )),
                _ => RouterError::Io(e.to_string()),
            })?;
        // The body of an answer that is not RouterOS's JSON is never shown:
        // it may be any web server's page.
        let foreign = || {
            RouterError::Protocol(format!(
                "not a RouterOS REST answer (HTTP {status}{})",
                content_type
                    .as_deref()
                    .map(|t| format!(", {t}"))
                    .unwrap_or_default()
            ))
        };
        let json: Value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|_| foreign())?
        };
        match status {
            200..=299 => Ok(json),
            401 => Err(RouterError::Login(
                "the router refused the user name or password".into(),
            )),
            _ => {
                // RouterOS errors: {"error": 404, "message": "Not Found", "detail": ...}.
                if !json.get("error").is_some_and(Value::is_number) {
                    return Err(foreign());
                }
                let field = |k: &str| {
                    json.get(k)
                        .and_then(Value::as_str)
                        .map(|m| m.chars().take(200).collect::<String>())
                };
                let message = field("detail")
                    .or_else(|| field("message"))
                    .unwrap_or_else(|| format!("HTTP {status}"));
                if status == 400 || status == 404 {
                    Err(RouterError::Trap {
                        message,
                        category: None,
                    })
                } else {
                    Err(RouterError::Rest { status, message })
                }
            }
        }
    }
}

/// Attributes as the JSON object REST takes.
fn object(attrs: &[(&str, &str)]) -> Value {
    Value::Object(
        attrs
            .iter()
            .map(|(k, v)| ((*k).to_string(), Value::from(*v)))
            .collect::<Map<String, Value>>(),
    )
}

impl RouterApi for RestClient {
    fn print(
        &mut self,
        path: &str,
        proplist: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Vec<Row>, RouterError> {
        let json = if proplist.is_empty() && query.is_empty() {
            self.send("GET", path, None)?
        } else {
            let mut body = Map::new();
            if !proplist.is_empty() {
                body.insert(".proplist".into(), Value::from(proplist.to_vec()));
            }
            if !query.is_empty() {
                let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
                body.insert(".query".into(), Value::from(q));
            }
            self.send("POST", &format!("{path}/print"), Some(Value::Object(body)))?
        };
        Ok(match &json {
            Value::Array(rows) => rows.iter().map(row_of).collect(),
            Value::Object(_) => vec![row_of(&json)],
            _ => Vec::new(),
        })
    }

    fn add(&mut self, path: &str, attrs: &[(&str, &str)]) -> Result<String, RouterError> {
        let json = self.send("PUT", path, Some(object(attrs)))?;
        json.get(".id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| RouterError::Protocol("add did not return an id".into()))
    }

    fn set(&mut self, path: &str, id: &str, attrs: &[(&str, &str)]) -> Result<(), RouterError> {
        self.send(
            "PATCH",
            &format!("{path}/{}", encode_id(id)),
            Some(object(attrs)),
        )
        .map(|_| ())
    }

    /// RouterOS v7 REST runs any console command as `POST <path>/<command>`.
    fn set_settings(&mut self, path: &str, attrs: &[(&str, &str)]) -> Result<(), RouterError> {
        self.send("POST", &format!("{path}/set"), Some(object(attrs)))
            .map(|_| ())
    }

    fn remove(&mut self, path: &str, id: &str) -> Result<(), RouterError> {
        self.send("DELETE", &format!("{path}/{}", encode_id(id)), None)
            .map(|_| ())
    }
}
