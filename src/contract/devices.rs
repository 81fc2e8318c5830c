//! Request bodies of the SNMP devices: `POST /api/v2/network/olts`, `POST
//! /api/v2/monitoring/devices` and their `PUT .../{id}`.

use poem_openapi::Object;

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        text::SingleLine,
    },
    monitoring::rules::DevicePatch,
    net_policy::valid_host,
    schema_as,
};

/// A device's fields. On create `name`, `host` and the credentials of its
/// SNMP version are required.
#[derive(Debug, Object)]
pub struct DeviceInput {
    /// `radio` or `device` (devices endpoint only; OLTs are `olt`).
    #[oai(nullable)]
    pub kind: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 1, max_length = 253))]
    pub host: Option<SingleLine>,
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "65535")))]
    pub port: Option<i64>,
    /// `auto` (default) or a profile id such as `huawei-ma56xx-gpon`.
    #[oai(nullable, validator(max_length = 100))]
    pub profile: Option<SingleLine>,
    /// `v2c` (default) or `v3`.
    #[oai(nullable)]
    pub snmp_version: Option<SingleLine>,
    /// v2c community (stored sealed).
    #[oai(nullable, validator(max_length = 200))]
    pub community: Option<SingleLine>,
    #[oai(nullable, validator(max_length = 100))]
    pub v3_user: Option<SingleLine>,
    /// `md5`, `sha`, `sha256` or `sha512`.
    #[oai(nullable)]
    pub v3_auth_protocol: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 8, max_length = 200))]
    pub v3_auth_password: Option<SingleLine>,
    /// `des`, `aes` or `aes256`.
    #[oai(nullable)]
    pub v3_priv_protocol: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 8, max_length = 200))]
    pub v3_priv_password: Option<SingleLine>,
}

fn read_patch(f: &mut Fields, creating: bool) -> DevicePatch {
    let mut p = DevicePatch {
        kind: f.optional_choice("kind", &["olt", "radio", "device"]),
        ..DevicePatch::default()
    };
    if creating || f.present("name") {
        let name = f.required_string("name");
        if name.chars().count() > 100 {
            f.error("name", "The name may not be longer than 100 characters.");
        }
        p.name = Some(name);
    }
    if creating || f.present("host") {
        let host = f.required_string("host");
        if !f.has_error("host") && !valid_host(&host) {
            f.error("host", "The host must be an IP address or a host name.");
        }
        p.host = Some(host);
    }
    if f.present("port") {
        p.port = Some(f.required_integer_in("port", 1, 65535));
    }
    p.profile = f.optional_nonblank("profile");
    p.snmp_version = f.optional_choice("snmp_version", &["v2c", "v3"]);
    p.community = f.optional_string("community");
    p.v3_user = f.optional_nonblank("v3_user");
    p.v3_auth_protocol = f.optional_choice("v3_auth_protocol", &["md5", "sha", "sha256", "sha512"]);
    p.v3_priv_protocol = f.optional_choice("v3_priv_protocol", &["des", "aes", "aes256"]);
    for (name, slot) in [
        ("v3_auth_password", &mut p.v3_auth_password),
        ("v3_priv_password", &mut p.v3_priv_password),
    ] {
        if let Some(pw) = f.optional_string(name) {
            if pw.chars().count() < 8 {
                f.error(name, "SNMPv3 passwords have at least 8 characters.");
            }
            *slot = Some(pw);
        }
    }
    for (name, value, max) in [
        ("profile", &p.profile, 100),
        ("community", &p.community, 200),
        ("v3_user", &p.v3_user, 100),
        ("v3_auth_password", &p.v3_auth_password, 200),
        ("v3_priv_password", &p.v3_priv_password, 200),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            f.error(
                name,
                format!(
                    "The {} may not be longer than {max} characters.",
                    name.replace('_', " ")
                ),
            );
        }
    }
    p
}

/// The body of a create.
pub struct NewDevice(pub DevicePatch);
/// The body of an update: only the fields sent change.
pub struct DeviceChanges(pub DevicePatch);
schema_as!(NewDevice, DeviceInput);
schema_as!(DeviceChanges, DeviceInput);

impl FromJsonObject for NewDevice {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, true))
    }
}

impl FromJsonObject for DeviceChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, false))
    }
}
