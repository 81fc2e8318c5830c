//! Request bodies of the SNMP devices: `POST /api/v2/network/olts`, `POST
//! /api/v2/monitoring/devices` and their `PUT .../{id}` (one schema,
//! `DeviceInput`, for all four).

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
