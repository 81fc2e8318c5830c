//! Request bodies of the SNMP devices: `POST /api/v2/network/olts`, `POST
//! /api/v2/monitoring/devices` and their `PUT .../{id}` (one schema,
//! `DeviceInput`, for all four).
//!
//! At the end, the answers: a device, a reading history, and their wrappers.

use crate::{
    contract::{
        body::Fields,
        field::{Contract, ContractKind, Ex, Field, Mode, Text},
        routers::HOST,
    },
    create_and_update,
    monitoring::rules::DevicePatch,
};

pub const KINDS: [&str; 3] = ["olt", "radio", "device"];
pub const SNMP_VERSIONS: [&str; 2] = ["v2c", "v3"];
pub const V3_AUTH_PROTOCOLS: [&str; 4] = ["md5", "sha", "sha256", "sha512"];
pub const V3_PRIV_PROTOCOLS: [&str; 3] = ["des", "aes", "aes256"];

pub static DEVICE: Contract = Contract {
    name: "DeviceInput",
    description: Some(
        "A device's fields. On create `name`, `host` and the credentials of its\n\
         SNMP version are required.",
    ),
    kind: ContractKind::Shared,
    fields: &[
        Field::choice("kind", &KINDS)
            .nonblank()
            .nullable()
            .describe("`radio` or `device` (devices endpoint only; OLTs are `olt`).")
            .example(Ex::Str("radio")),
        Field::text("name")
            .required()
            .max(100)
            .example(Ex::Str("tower-3-ap")),
        Field::with("host", Text::line().max(253).normalised(HOST))
            .required()
            .example(Ex::Str("10.20.0.3")),
        Field::integer("port")
            .range(1, 65535)
            .nullable()
            .example(Ex::Int(161)),
        Field::text("profile")
            .max(100)
            .nonblank()
            .nullable()
            .describe("`auto` (default) or a profile id such as `huawei-ma56xx-gpon`.")
            .example(Ex::Str("auto")),
        Field::choice("snmp_version", &SNMP_VERSIONS)
            .nonblank()
            .nullable()
            .describe("`v2c` (default) or `v3`.")
            .example(Ex::Str("v2c")),
        Field::text("community")
            .max(200)
            .nullable()
            .describe("v2c community (stored sealed).")
            .example(Ex::Str("public")),
        Field::text("v3_user")
            .max(100)
            .nonblank()
            .nullable()
            .example(Ex::Str("monitor")),
        Field::choice("v3_auth_protocol", &V3_AUTH_PROTOCOLS)
            .nonblank()
            .nullable()
            .describe("`md5`, `sha`, `sha256` or `sha512`.")
            .example(Ex::Str("sha256")),
        Field::text("v3_auth_password")
            .range(8, 200)
            .nullable()
            .example(Ex::Str("auth-pass-123")),
        Field::choice("v3_priv_protocol", &V3_PRIV_PROTOCOLS)
            .nonblank()
            .nullable()
            .describe("`des`, `aes` or `aes256`.")
            .example(Ex::Str("aes")),
        Field::text("v3_priv_password")
            .range(8, 200)
            .nullable()
            .example(Ex::Str("priv-pass-456")),
    ],
    // The credentials of one SNMP version (v2c: a community).
    example: Some(
        r#"{"kind":"radio","name":"tower-3-ap","host":"10.20.0.3","port":161,"profile":"auto","snmp_version":"v2c","community":"public"}"#,
    ),
};

/// Reads a device body (in either mode: the contract checks what is required).
fn read_patch(f: &mut Fields, _mode: Mode) -> DevicePatch {
    DevicePatch {
        kind: f.take("kind").text(),
        name: f.take("name").text(),
        host: f.take("host").text(),
        port: f.take("port").int(),
        profile: f.take("profile").text(),
        snmp_version: f.take("snmp_version").text(),
        community: f.take("community").text(),
        v3_user: f.take("v3_user").text(),
        v3_auth_protocol: f.take("v3_auth_protocol").text(),
        v3_auth_password: f.take("v3_auth_password").text(),
        v3_priv_protocol: f.take("v3_priv_protocol").text(),
        v3_priv_password: f.take("v3_priv_password").text(),
    }
}

/// The body of a create.
pub struct NewDevice(pub DevicePatch);
/// The body of an update: only the fields sent change.
pub struct DeviceChanges(pub DevicePatch);
create_and_update!(DEVICE, read_patch => NewDevice, DeviceChanges);

// ---- The answers: how a device and a reading history are shown (row → JSON) ----

use poem_openapi::Object;

use crate::{one, paginated, store::snmp_devices::DeviceRow};

/// An SNMP device and what the poller last read (never its credentials).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Device {
    pub id: i64,
    /// `olt`, `radio` or `device`.
    pub kind: String,
    pub name: String,
    pub host: String,
    pub port: i64,
    /// The profile asked for (`auto` = detected).
    pub profile: String,
    /// The profile in use.
    #[oai(nullable)]
    pub detected_profile: Option<String>,
    #[oai(nullable)]
    pub vendor: Option<String>,
    #[oai(nullable)]
    pub model: Option<String>,
    /// `v2c` or `v3`.
    pub snmp_version: String,
    #[oai(nullable)]
    pub v3_user: Option<String>,
    /// `up`, `down` or `unknown`.
    pub status: String,
    #[oai(nullable)]
    pub status_since: Option<String>,
    #[oai(nullable)]
    pub last_seen_at: Option<String>,
    #[oai(nullable)]
    pub last_error: Option<String>,
    #[oai(nullable)]
    pub sys_descr: Option<String>,
    #[oai(nullable)]
    pub sys_name: Option<String>,
    #[oai(nullable)]
    pub sys_object_id: Option<String>,
    #[oai(nullable)]
    pub uptime_secs: Option<i64>,
    /// Radio metrics (signal, noise dBm; ccq, quality %; frequency MHz; stations; ...).
    pub metrics: serde_json::Value,
    /// ONUs seen on this OLT.
    pub onus: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<DeviceRow> for Device {
    fn from(d: DeviceRow) -> Self {
        Self {
            id: d.id,
            kind: d.kind,
            name: d.name,
            host: d.host,
            port: d.port,
            profile: d.profile,
            detected_profile: d.detected_profile,
            vendor: d.vendor,
            model: d.model,
            snmp_version: d.snmp_version,
            v3_user: d.v3_user,
            status: d.status,
            status_since: d.status_since,
            last_seen_at: d.last_seen_at,
            last_error: d.last_error,
            sys_descr: d.sys_descr,
            sys_name: d.sys_name,
            sys_object_id: d.sys_object_id,
            uptime_secs: d.uptime_secs,
            metrics: if d.metrics.is_null() {
                serde_json::json!({})
            } else {
                d.metrics
            },
            onus: d.onus,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

paginated!(DeviceList, Device);

one!(DeviceOne, Device);

/// A reading over time.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Reading {
    pub at: String,
    pub value: f64,
}

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct History {
    /// Newest first; ONU rx power or radio signal in dBm.
    pub data: Vec<Reading>,
}

impl History {
    /// `(at, value)` pairs as readings.
    pub fn of(rows: Vec<(String, f64)>) -> Self {
        Self {
            data: rows
                .into_iter()
                .map(|(at, value)| Reading { at, value })
                .collect(),
        }
    }
}
