//! A local stand-in for the Zabbix 7.2 JSON-RPC API (`POST
//! /api_jsonrpc.php`), on the webhook receiver: API-token auth in
//! `Authorization: Bearer`, the old `auth` body field refused as 7.2 refuses
//! it ("unexpected parameter"), `host.get`, `problem.get` (no selectHosts)
//! and `trigger.get` with `selectHosts`, numbers sent as strings like Zabbix
//! does. In `legacy` mode it behaves like 6.0: the token or a `user.login`
//! session goes in the `auth` field instead.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{json, Value};

use super::receiver::{Answer, Receiver};

/// What the simulated Zabbix holds.
#[derive(Debug, Clone, Default)]
pub struct ZabbixData {
    pub hosts: Vec<Value>,
    pub problems: Vec<Value>,
    /// triggerid -> hosts ([{hostid, host, name}]).
    pub triggers: Vec<(String, Vec<Value>)>,
    /// Seconds to wait before answering (a hung server).
    pub delay_secs: u64,
}

pub struct ZabbixSim {
    pub receiver: Receiver,
    pub data: Arc<Mutex<ZabbixData>>,
}

pub const TOKEN: &str = "b4c7e1f08a2d4c6e9f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c0d2e";

fn error(id: &Value, code: i64, message: &str, data: &str) -> String {
    json!({"jsonrpc": "2.0", "error": {"code": code, "message": message, "data": data}, "id": id})
        .to_string()
}

impl ZabbixSim {
    pub fn start(legacy: bool) -> Self {
        let data: Arc<Mutex<ZabbixData>> = Arc::default();
        let held = data.clone();
        let receiver = Receiver::start(move |req, _| {
            let d = held.lock().unwrap().clone();
            let answer = |body: String| {
                let mut a = Answer::ok();
                a.body = body;
                a.delay = Duration::from_secs(d.delay_secs);
                a
            };
            if req.path != "/zabbix/api_jsonrpc.php" {
                return Answer::status(404);
            }
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return answer(error(&Value::Null, -32700, "Parse error.", "Invalid JSON."));
            };
            let id = body["id"].clone();
            let method = body["method"].as_str().unwrap_or("");
            let bearer = req
                .header("authorization")
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::to_string);
            let field = body.get("auth").and_then(Value::as_str).map(str::to_string);
            if method == "user.login" {
                let p = &body["params"];
                return if p["username"] == "noc" && p["password"] == "zabbix pass" {
                    answer(json!({"jsonrpc": "2.0", "result": "0424bd59b807674191e7d77572075f33", "id": id}).to_string())
                } else {
                    answer(error(
                        &id,
                        -32602,
                        "Invalid params.",
                        "Incorrect user name or password or account is temporarily blocked.",
                    ))
                };
            }
            let authorised = if legacy {
                matches!(
                    field.as_deref(),
                    Some(TOKEN) | Some("0424bd59b807674191e7d77572075f33")
                )
            } else {
                if field.is_some() {
                    return answer(error(
                        &id,
                        -32602,
                        "Invalid params.",
                        "Invalid parameter \"/\": unexpected parameter \"auth\".",
                    ));
                }
                bearer.as_deref() == Some(TOKEN)
            };
            if !authorised {
                return answer(error(&id, -32602, "Invalid params.", "Not authorized."));
            }
            let result = match method {
                "host.get" => Value::Array(d.hosts.clone()),
                "problem.get" => {
                    if body["params"].get("selectHosts").is_some() {
                        return answer(error(
                            &id,
                            -32602,
                            "Invalid params.",
                            "Invalid parameter \"/\": unexpected parameter \"selectHosts\".",
                        ));
                    }
                    Value::Array(d.problems.clone())
                }
                "trigger.get" => {
                    let wanted: Vec<String> = body["params"]["triggerids"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    Value::Array(
                        d.triggers
                            .iter()
                            .filter(|(t, _)| wanted.contains(t))
                            .map(|(t, hosts)| json!({"triggerid": t, "hosts": hosts}))
                            .collect(),
                    )
                }
                _ => {
                    return answer(error(
                        &id,
                        -32601,
                        "Method not found.",
                        "Incorrect API \"x\".",
                    ))
                }
            };
            answer(json!({"jsonrpc": "2.0", "result": result, "id": id}).to_string())
        });
        Self { receiver, data }
    }

    /// The frontend URL to configure (`/api_jsonrpc.php` is added by the client).
    pub fn url(&self) -> String {
        format!("http://{}/zabbix", self.receiver.addr)
    }

    /// Requests received so far, per JSON-RPC method.
    pub fn calls(&self, method: &str) -> usize {
        self.receiver
            .received()
            .iter()
            .filter(|r| {
                serde_json::from_slice::<Value>(&r.body).is_ok_and(|b| b["method"] == method)
            })
            .count()
    }
}
