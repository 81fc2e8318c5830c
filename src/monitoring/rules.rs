//! The rules of an SNMP device's fields (OLTs, radios, other devices): which
//! kinds live where, the profile that fits a kind, and the credentials each
//! SNMP version needs. Pure: no database, no sealing.

use crate::{
    drivers::snmp::profile::Profiles,
    store::snmp_devices::{DeviceFields, DeviceRow},
};

/// Where a device is reached: OLTs on their own, radios and other devices
/// together (one never shows through the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Olts,
    Others,
}

impl Family {
    /// True when a device of this kind belongs here.
    pub fn holds(self, kind: &str) -> bool {
        (kind == "olt") == (self == Family::Olts)
    }

    /// The kinds this family lists.
    pub fn kinds(self) -> &'static [&'static str] {
        match self {
            Family::Olts => &["olt"],
            Family::Others => &["radio", "device"],
        }
    }
}

/// The fields a caller sent, already checked for form; `None` = not sent.
#[derive(Debug, Default)]
pub struct DevicePatch {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub host: Option<String>,
    pub port: Option<i64>,
    pub profile: Option<String>,
    pub snmp_version: Option<String>,
    pub community: Option<String>,
    pub v3_user: Option<String>,
    pub v3_auth_protocol: Option<String>,
    pub v3_auth_password: Option<String>,
    pub v3_priv_protocol: Option<String>,
    pub v3_priv_password: Option<String>,
}

/// Credentials sent in a patch, in the clear (the caller seals them); `None`
/// keeps the stored one.
#[derive(Debug, Default)]
pub struct DeviceSecrets {
    pub community: Option<String>,
    pub v3_auth_password: Option<String>,
    pub v3_priv_password: Option<String>,
}

/// One message per field the rules refuse.
pub type FieldMessages = Vec<(String, String)>;

impl DevicePatch {
    /// Checks the patch against what the device is (`base`, or the defaults
    /// of a new one) and answers the fields to store and the credentials to
    /// seal. `kind` forces the kind (OLTs; an existing device keeps its own).
    pub fn check(
        self,
        base: Option<&DeviceRow>,
        kind: Option<&str>,
        profiles: &Profiles,
    ) -> Result<(DeviceFields, DeviceSecrets), FieldMessages> {
        let mut errors = FieldMessages::new();
        let mut error = |field: &str, message: String| errors.push((field.into(), message));
        let kind = match (kind, &self.kind) {
            (Some(k), _) => k.to_string(),
            (None, Some(k)) if k == "olt" => {
                error("kind", "Add OLTs at /api/v2/network/olts.".into());
                k.clone()
            }
            (None, Some(k)) => k.clone(),
            (None, None) => base.map_or_else(|| "device".into(), |b| b.kind.clone()),
        };
        let profile = self
            .profile
            .or_else(|| base.map(|b| b.profile.clone()))
            .unwrap_or_else(|| "auto".into());
        if profile != "auto" {
            match profiles.get(&profile) {
                None => error(
                    "profile",
                    format!(
                        "Unknown profile; use auto or one of: {}.",
                        profiles.ids().collect::<Vec<_>>().join(", ")
                    ),
                ),
                Some(p) if p.kind != kind && !(p.kind == "device" && kind != "olt") => error(
                    "profile",
                    format!("The profile `{profile}` is for a {}.", p.kind),
                ),
                Some(_) => {}
            }
        }
        let version = self
            .snmp_version
            .or_else(|| base.map(|b| b.snmp_version.clone()))
            .unwrap_or_else(|| "v2c".into());
        let v3_user = self
            .v3_user
            .or_else(|| base.and_then(|b| b.v3_user.clone()));
        let changed_version = base.is_some_and(|b| b.snmp_version != version);
        if version == "v2c" && self.community.is_none() && (base.is_none() || changed_version) {
            error(
                "community",
                "The community field is required for SNMP v2c.".into(),
            );
        }
        if version == "v3" {
            if v3_user.is_none() {
                error(
                    "v3_user",
                    "The v3 user field is required for SNMP v3.".into(),
                );
            }
            if base.is_none() || changed_version {
                if self.v3_auth_password.is_none() {
                    error(
                        "v3_auth_password",
                        "The v3 auth password is required for SNMP v3.".into(),
                    );
                }
                if self.v3_priv_password.is_none() {
                    error(
                        "v3_priv_password",
                        "The v3 privacy password is required for SNMP v3.".into(),
                    );
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let secrets = DeviceSecrets {
            community: self.community,
            v3_auth_password: self.v3_auth_password,
            v3_priv_password: self.v3_priv_password,
        };
        let fields = DeviceFields {
            kind,
            name: self
                .name
                .or_else(|| base.map(|b| b.name.clone()))
                .unwrap_or_default(),
            host: self
                .host
                .or_else(|| base.map(|b| b.host.clone()))
                .unwrap_or_default(),
            port: self.port.or(base.map(|b| b.port)).unwrap_or(161),
            profile,
            snmp_version: version,
            v3_user,
            v3_auth_protocol: self
                .v3_auth_protocol
                .or_else(|| base.and_then(|b| b.v3_auth_protocol.clone())),
            v3_priv_protocol: self
                .v3_priv_protocol
                .or_else(|| base.and_then(|b| b.v3_priv_protocol.clone())),
        };
        Ok((fields, secrets))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_hold_their_kinds() {
        assert!(Family::Olts.holds("olt"));
        assert!(!Family::Olts.holds("radio"));
        assert!(Family::Others.holds("radio"));
        assert!(Family::Others.holds("device"));
        assert!(!Family::Others.holds("olt"));
    }

    #[test]
    fn a_new_device_needs_the_credentials_of_its_version() {
        let profiles = Profiles::load(None).unwrap();
        let errors = DevicePatch::default()
            .check(None, None, &profiles)
            .unwrap_err();
        assert_eq!(errors[0].0, "community");
        let v3 = DevicePatch {
            snmp_version: Some("v3".into()),
            ..DevicePatch::default()
        };
        let fields: Vec<_> = v3
            .check(None, None, &profiles)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["v3_user", "v3_auth_password", "v3_priv_password"]);
        let olt = DevicePatch {
            kind: Some("olt".into()),
            community: Some("public".into()),
            ..DevicePatch::default()
        };
        assert_eq!(olt.check(None, None, &profiles).unwrap_err()[0].0, "kind");
    }

    #[test]
    fn defaults_fill_a_new_device() {
        let profiles = Profiles::load(None).unwrap();
        let (fields, secrets) = DevicePatch {
            name: Some("ap".into()),
            host: Some("10.0.0.2".into()),
            community: Some("public".into()),
            ..DevicePatch::default()
        }
        .check(None, None, &profiles)
        .unwrap();
        assert_eq!(
            (fields.kind.as_str(), fields.port, fields.profile.as_str()),
            ("device", 161, "auto")
        );
        assert_eq!(fields.snmp_version, "v2c");
        assert_eq!(secrets.community.as_deref(), Some("public"));
    }
}
