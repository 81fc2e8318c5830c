//! The generic HTTP gateway: one request per message, built from the
//! `[sms.http]` templates, judged by its status and body.

use std::{collections::BTreeMap, io::Read, time::Duration};

use ureq::Agent;

use super::{
    config::HttpGatewayConfig,
    gateway::{Gateway, Handoff, Outgoing},
};

/// A bulk-SMS provider's HTTP API.
#[derive(Debug, Clone)]
pub struct HttpGateway {
    config: HttpGatewayConfig,
    agent: Agent,
    resend_safe: bool,
}

const KEPT: u64 = 4096;

impl HttpGateway {
    /// A gateway whose every dial passes `policy` (`[network]`: a provider
    /// on the LAN is fine, one on this machine only with allow_loopback).
    pub fn new(
        config: HttpGatewayConfig,
        resend_safe: bool,
        policy: crate::net_policy::Policy,
    ) -> Self {
        let agent_config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(config.timeout_secs.max(1))))
            .user_agent(format!("ispbills/{}", crate::VERSION))
            .build();
        let agent = crate::net_policy::agent(agent_config, policy);
        Self {
            config,
            agent,
            resend_safe,
        }
    }

    fn fill(&self, template: &str, m: &Outgoing) -> String {
        let phone = m.phone.e164();
        let mut out = template.to_string();
        for (key, value) in [
            ("{phone_digits}", phone.trim_start_matches('+').to_string()),
            ("{phone_national}", m.phone.display()),
            ("{phone}", phone.to_string()),
            ("{message_id}", m.message_id.clone()),
            ("{sender_id}", m.sender_id.clone()),
            ("{api_key}", self.config.api_key.clone()),
        ] {
            out = out.replace(key, &value);
        }
        // The message last, so text in it is never taken for a placeholder.
        out.replace("{message}", &m.text)
    }

    fn params(&self, m: &Outgoing) -> BTreeMap<String, String> {
        self.config
            .params
            .iter()
            .map(|(k, v)| (k.clone(), self.fill(v, m)))
            .collect()
    }

    fn judge(&self, status: u16, body: &str) -> Handoff {
        let status_ok = if self.config.success_status.is_empty() {
            (200..300).contains(&status)
        } else {
            self.config.success_status.contains(&status)
        };
        let body_ok = self
            .config
            .success_body_contains
            .as_deref()
            .is_none_or(|needle| body.contains(needle));
        let snippet: String = body.chars().take(300).collect();
        if status_ok && body_ok {
            let provider_id = self.config.message_id_pointer.as_deref().and_then(|ptr| {
                let json: serde_json::Value = serde_json::from_str(body).ok()?;
                match json.pointer(ptr)? {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                }
            });
            Handoff::Accepted { provider_id }
        } else if status >= 500 || status == 429 {
            Handoff::Retry(format!("the gateway answered {status}: {snippet}"))
        } else {
            Handoff::Refused(format!("the gateway answered {status}: {snippet}"))
        }
    }
}

impl Gateway for HttpGateway {
    fn name(&self) -> &'static str {
        "http"
    }

    fn send(&self, m: &Outgoing) -> Handoff {
        let params = self.params(m);
        let url = self.fill(&self.config.url, m);
        let result = match (self.config.method.as_str(), self.config.encoding.as_str()) {
            ("GET", _) => {
                let mut req = self.agent.get(&url);
                for (k, v) in &params {
                    req = req.query(k, v);
                }
                for (k, v) in &self.config.headers {
                    req = req.header(k, self.fill(v, m));
                }
                req.call()
            }
            (_, encoding) => {
                let mut req = self.agent.post(&url);
                for (k, v) in &self.config.headers {
                    req = req.header(k, self.fill(v, m));
                }
                match encoding {
                    "json" => req
                        .header("content-type", "application/json")
                        .send(serde_json::to_vec(&params).unwrap_or_default()),
                    "query" => {
                        for (k, v) in &params {
                            req = req.query(k, v);
                        }
                        req.send_empty()
                    }
                    _ => req.send_form(params.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
                }
            }
        };
        match result {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let mut kept = Vec::new();
                let _ = response
                    .body_mut()
                    .as_reader()
                    .take(KEPT)
                    .read_to_end(&mut kept);
                self.judge(status, &String::from_utf8_lossy(&kept))
            }
            Err(ureq::Error::Timeout(t)) => {
                let why = format!("no answer from the gateway in time ({t})");
                if self.resend_safe {
                    Handoff::Retry(why)
                } else {
                    Handoff::Unknown(format!("{why}; it may have been sent"))
                }
            }
            // Nothing was sent: the message fails with the reason.
            Err(e) if crate::net_policy::refusal_in(&e).is_some() => Handoff::Refused(format!(
                "the gateway was not dialled: {}",
                crate::net_policy::refusal_in(&e).unwrap_or_default()
            )),
            Err(e) => Handoff::Retry(format!("the gateway could not be reached: {e}")),
        }
    }

    fn resend_is_safe(&self) -> bool {
        self.resend_safe
    }
}
