//! Posts a signed webhook request and reports what happened: redirects are not
//! followed, the whole exchange has a deadline, only the allowed addresses are
//! dialled, and the first 1 KB of the answer is kept for the delivery log.

use std::{io::Read, time::Duration, time::Instant};

use ureq::{unversioned::transport::DefaultConnector, Agent};

use super::{
    config::WebhooksConfig,
    signing::Signed,
    target::{AddressPolicy, PolicyResolver},
};

/// How much of a response body is kept.
pub const RESPONSE_KEPT_BYTES: u64 = 1024;

/// What an attempt got.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The status, when an answer came.
    pub status: Option<u16>,
    /// The start of the body (lossy UTF-8).
    pub body: Option<String>,
    /// Why there was no (usable) answer.
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// An HTTP client for webhooks (thread-safe, pooling connections).
#[derive(Debug, Clone)]
pub struct Sender {
    agent: Agent,
}

impl Sender {
    pub fn new(config: &WebhooksConfig) -> Self {
        let agent_config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(config.timeout_secs)))
            .user_agent(format!("ispbills-webhooks/{}", crate::VERSION))
            .max_idle_connections(256)
            .max_idle_connections_per_host(config.concurrency_per_endpoint.max(1) * 2)
            .build();
        let agent = Agent::with_parts(
            agent_config,
            DefaultConnector::default(),
            PolicyResolver::new(AddressPolicy::webhooks(config)),
        );
        Self { agent }
    }

    /// Posts `signed` to `url` (blocking; call from a blocking thread).
    pub fn post(&self, url: &str, signed: &Signed) -> Reply {
        let started = Instant::now();
        let mut request = self.agent.post(url);
        for (name, value) in &signed.headers {
            request = request.header(*name, value);
        }
        let result = request.send(signed.body.as_bytes());
        let (status, body, error) = match result {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let mut kept = Vec::new();
                let read = response
                    .body_mut()
                    .as_reader()
                    .take(RESPONSE_KEPT_BYTES)
                    .read_to_end(&mut kept);
                let error = read
                    .err()
                    .map(|e| format!("reading the answer failed: {e}"));
                (
                    Some(status),
                    Some(String::from_utf8_lossy(&kept).into_owned()),
                    error,
                )
            }
            Err(e) => (None, None, Some(describe(&e))),
        };
        Reply {
            status,
            body,
            error,
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        }
    }
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(what) => format!("timed out ({what})"),
        ureq::Error::Io(io) => io.to_string(),
        ureq::Error::HostNotFound => "the host name does not resolve".into(),
        ureq::Error::ConnectionFailed => "the connection failed".into(),
        other => other.to_string(),
    }
}
