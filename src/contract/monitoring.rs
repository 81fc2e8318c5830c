//! Monitoring's answer shapes (row → JSON): ONUs and their status filter,
//! radios, status checks and the device access log.

use poem_openapi::Object;

use crate::{
    paginated,
    store::{
        monitoring::{AccessRow, CheckRow},
        onus::OnuRow,
        snmp_devices::DeviceRow,
    },
};

/// An ONU as its OLT last reported it.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Onu {
    pub id: i64,
    pub olt_id: i64,
    pub olt: String,
    pub pon_port: String,
    pub onu_index: i64,
    #[oai(nullable)]
    pub serial: Option<String>,
    #[oai(nullable)]
    pub mac: Option<String>,
    #[oai(nullable)]
    pub name: Option<String>,
    /// `online`, `offline` or `unknown`.
    pub status: String,
    /// Received optical power at the ONU, dBm (null: no reading).
    #[oai(nullable)]
    pub rx_power_dbm: Option<f64>,
    #[oai(nullable)]
    pub distance_m: Option<i64>,
    /// The customer whose `onu_mac` matches the ONU's MAC or serial.
    #[oai(nullable)]
    pub customer_id: Option<i64>,
    #[oai(nullable)]
    pub customer: Option<String>,
    #[oai(nullable)]
    pub last_online_at: Option<String>,
    pub updated_at: String,
}

impl From<OnuRow> for Onu {
    fn from(o: OnuRow) -> Self {
        Self {
            id: o.id,
            olt_id: o.olt_id,
            olt: o.olt_name,
            pon_port: o.pon_port,
            onu_index: o.onu_index,
            serial: o.serial,
            mac: o.mac,
            name: o.name,
            status: o.status,
            rx_power_dbm: o.rx_power_dbm,
            distance_m: o.distance_m,
            customer_id: o.customer_id,
            customer: o.customer_name,
            last_online_at: o.last_online_at,
            updated_at: o.updated_at,
        }
    }
}

paginated!(OnuList, Onu);

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum OnuStatus {
    Online,
    Offline,
    Unknown,
}

impl OnuStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OnuStatus::Online => "online",
            OnuStatus::Offline => "offline",
            OnuStatus::Unknown => "unknown",
        }
    }
}

/// A radio's state.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Radio {
    pub id: i64,
    pub name: String,
    pub host: String,
    #[oai(nullable)]
    pub model: Option<String>,
    pub status: String,
    #[oai(nullable)]
    pub last_seen_at: Option<String>,
    #[oai(nullable)]
    pub uptime_secs: Option<i64>,
    /// dBm.
    #[oai(nullable)]
    pub signal: Option<f64>,
    #[oai(nullable)]
    pub noise: Option<f64>,
    /// CCQ or link quality, %.
    #[oai(nullable)]
    pub ccq: Option<f64>,
    #[oai(nullable)]
    pub quality: Option<f64>,
    /// MHz.
    #[oai(nullable)]
    pub frequency: Option<f64>,
    /// Connected stations / subscriber modules.
    #[oai(nullable)]
    pub stations: Option<f64>,
    #[oai(nullable)]
    pub tx_power: Option<f64>,
    #[oai(nullable)]
    pub distance: Option<f64>,
}

impl From<DeviceRow> for Radio {
    fn from(d: DeviceRow) -> Self {
        let m = |k: &str| d.metrics.get(k).and_then(serde_json::Value::as_f64);
        Self {
            signal: m("signal"),
            noise: m("noise"),
            ccq: m("ccq"),
            quality: m("quality"),
            frequency: m("frequency"),
            stations: m("stations"),
            tx_power: m("tx_power"),
            distance: m("distance"),
            uptime_secs: d.uptime_secs.or_else(|| m("uptime").map(|u| u as i64)),
            id: d.id,
            name: d.name,
            host: d.host,
            model: d.model,
            status: d.status,
            last_seen_at: d.last_seen_at,
        }
    }
}

paginated!(RadioList, Radio);

/// An infrastructure check.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct StatusCheck {
    pub name: String,
    /// `tcp`, `http` or `icmp` (done as TCP to port 80).
    pub kind: String,
    pub target: String,
    /// `up`, `down` or `unknown` (not run yet).
    pub status: String,
    /// Since when it has had this status.
    #[oai(nullable)]
    pub since: Option<String>,
    #[oai(nullable)]
    pub latency_ms: Option<i64>,
    #[oai(nullable)]
    pub last_error: Option<String>,
    #[oai(nullable)]
    pub checked_at: Option<String>,
}

impl From<CheckRow> for StatusCheck {
    fn from(c: CheckRow) -> Self {
        Self {
            name: c.name,
            kind: c.kind,
            target: c.target,
            status: c.status,
            since: c.since,
            latency_ms: c.latency_ms,
            last_error: c.last_error,
            checked_at: c.checked_at,
        }
    }
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct StatusChecks {
    pub data: Vec<StatusCheck>,
}

/// Something done to a device through the appliance, or a failed login it saw.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct AccessLog {
    pub id: i64,
    pub at: String,
    /// The API client or staff user, or `appliance` for its own work.
    pub actor: String,
    pub device_kind: String,
    #[oai(nullable)]
    pub device_id: Option<i64>,
    #[oai(nullable)]
    pub device_name: Option<String>,
    pub action: String,
    /// `ok` or `failed`.
    pub outcome: String,
    #[oai(nullable)]
    pub detail: Option<String>,
}

impl From<AccessRow> for AccessLog {
    fn from(a: AccessRow) -> Self {
        Self {
            id: a.id,
            at: a.at,
            actor: a.actor,
            device_kind: a.device_kind,
            device_id: a.device_id,
            device_name: a.device_name,
            action: a.action,
            outcome: a.outcome,
            detail: a.detail,
        }
    }
}

paginated!(AccessLogList, AccessLog);
