//! What the Zabbix API returns, as far as the appliance uses it. Zabbix sends
//! numbers as strings ("0", "4"); both forms are accepted.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::ZabbixError;

fn num<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom("not an integer")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a number"))),
        Value::Null => Ok(0),
        other => Err(serde::de::Error::custom(format!(
            "expected a number, got {other}"
        ))),
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Tag {
    #[serde(deserialize_with = "text")]
    pub tag: String,
    #[serde(default, deserialize_with = "text")]
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HostInterface {
    #[serde(default, deserialize_with = "text")]
    pub interfaceid: String,
    #[serde(default, deserialize_with = "text")]
    pub ip: String,
    #[serde(default, deserialize_with = "text")]
    pub dns: String,
    /// 1 agent, 2 SNMP, 3 IPMI, 4 JMX.
    #[serde(rename = "type", default, deserialize_with = "num")]
    pub kind: i64,
    /// 0 unknown, 1 available, 2 unavailable.
    #[serde(default, deserialize_with = "num")]
    pub available: i64,
    #[serde(default, deserialize_with = "text")]
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Host {
    #[serde(deserialize_with = "text")]
    pub hostid: String,
    #[serde(deserialize_with = "text")]
    pub host: String,
    #[serde(default, deserialize_with = "text")]
    pub name: String,
    /// 0 monitored, 1 not monitored.
    #[serde(default, deserialize_with = "num")]
    pub status: i64,
    #[serde(default)]
    pub interfaces: Vec<HostInterface>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Problem {
    #[serde(deserialize_with = "text")]
    pub eventid: String,
    /// The trigger.
    #[serde(deserialize_with = "text")]
    pub objectid: String,
    /// Unix seconds when it began.
    #[serde(deserialize_with = "num")]
    pub clock: i64,
    #[serde(default, deserialize_with = "text")]
    pub name: String,
    /// 0 not classified, 1 information, 2 warning, 3 average, 4 high, 5 disaster.
    #[serde(default, deserialize_with = "num")]
    pub severity: i64,
    /// 1 when acknowledged.
    #[serde(default, deserialize_with = "num")]
    pub acknowledged: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TriggerHost {
    #[serde(deserialize_with = "text")]
    pub hostid: String,
    #[serde(default, deserialize_with = "text")]
    pub host: String,
    #[serde(default, deserialize_with = "text")]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TriggerHosts {
    #[serde(deserialize_with = "text")]
    pub triggerid: String,
    #[serde(default)]
    pub hosts: Vec<TriggerHost>,
}

/// The label Zabbix shows for a severity.
pub fn severity_label(severity: i64) -> &'static str {
    match severity {
        1 => "information",
        2 => "warning",
        3 => "average",
        4 => "high",
        5 => "disaster",
        _ => "not_classified",
    }
}

pub(super) fn parse_list<T: for<'de> Deserialize<'de>>(
    result: Value,
    method: &str,
) -> Result<Vec<T>, ZabbixError> {
    serde_json::from_value(result)
        .map_err(|e| ZabbixError::Unreachable(format!("unexpected {method} answer: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_as_strings_or_numbers() {
        let hosts: Vec<Host> = serde_json::from_value(serde_json::json!([
            {"hostid": "10084", "host": "core-router", "name": "Core router", "status": "0",
             "interfaces": [{"interfaceid": "1", "ip": "10.0.0.1", "dns": "", "type": "2", "available": "2", "error": "timeout"}],
             "tags": [{"tag": "site", "value": "badda"}]},
            {"hostid": 10085, "host": "olt-1", "status": 1}
        ]))
        .unwrap();
        assert_eq!(hosts[0].interfaces[0].available, 2);
        assert_eq!(hosts[0].interfaces[0].kind, 2);
        assert_eq!(hosts[1].hostid, "10085");
        assert_eq!(hosts[1].status, 1);
        assert_eq!(severity_label(5), "disaster");
        assert_eq!(severity_label(0), "not_classified");
    }
}
