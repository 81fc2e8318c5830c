//! The one HTTP client the gateways use: JSON or form requests with a time
//! limit, no redirects followed, every dial under the outbound address
//! policy, the answer read up to a limit.

use std::{io::Read, time::Duration};

use serde_json::Value;
use ureq::Agent;

use super::GatewayError;

const KEPT: u64 = 1024 * 1024;

pub(super) fn agent(timeout: Duration, policy: crate::net_policy::Policy) -> Agent {
    let config = Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(timeout))
        .user_agent(format!("ispbills/{}", crate::VERSION))
        .build();
    crate::net_policy::agent(config, policy)
}

fn unreachable(e: &ureq::Error) -> GatewayError {
    GatewayError::Unreachable(crate::net_policy::refusal_in(e).unwrap_or(e.to_string()))
}

/// Reads an answer: its status and JSON body (an answer that is not JSON is
/// not the gateway's).
fn read(
    mut response: ureq::http::Response<ureq::Body>,
    url: &str,
) -> Result<(u16, Value), GatewayError> {
    let status = response.status().as_u16();
    let mut text = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(KEPT)
        .read_to_end(&mut text)
        .map_err(|e| GatewayError::Unreachable(e.to_string()))?;
    let body = serde_json::from_slice(&text).map_err(|_| {
        GatewayError::Unreachable(format!("HTTP {status} from {url} is not a JSON answer"))
    })?;
    Ok((status, body))
}

/// POSTs `body` as JSON with `headers`.
pub(super) fn post_json(
    agent: &Agent,
    url: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> Result<(u16, Value), GatewayError> {
    let mut req = agent
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = req
        .send(serde_json::to_vec(body).unwrap_or_default())
        .map_err(|e| unreachable(&e))?;
    read(response, url)
}

/// POSTs `fields` as an `application/x-www-form-urlencoded` form.
pub(super) fn post_form(
    agent: &Agent,
    url: &str,
    fields: &[(&str, String)],
) -> Result<(u16, Value), GatewayError> {
    let body = serde_urlencoded::to_string(fields)
        .map_err(|e| GatewayError::Api(format!("cannot encode the form: {e}")))?;
    let response = agent
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .send(body.into_bytes())
        .map_err(|e| unreachable(&e))?;
    read(response, url)
}

/// GETs `url` with `query` added (its values encoded).
pub(super) fn get(
    agent: &Agent,
    url: &str,
    query: &[(&str, String)],
) -> Result<(u16, Value), GatewayError> {
    let q = serde_urlencoded::to_string(query)
        .map_err(|e| GatewayError::Api(format!("cannot encode the query: {e}")))?;
    let full = format!("{url}?{q}");
    let response = agent
        .get(&full)
        .header("accept", "application/json")
        .call()
        .map_err(|e| unreachable(&e))?;
    read(response, url)
}
