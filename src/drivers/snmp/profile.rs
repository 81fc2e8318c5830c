//! Vendor profiles: one TOML file per model (OIDs, index shape, enum maps,
//! unit scaling), embedded from assets/snmp-profiles/ and extendable (or
//! overridden by id) with files in `<data_dir>/snmp-profiles/` — no rebuild.
//! A device's profile is picked from its sysObjectID and sysDescr.

use std::{collections::BTreeMap, path::Path};

use rust_embed::RustEmbed;
use serde::Deserialize;

#[derive(RustEmbed)]
#[folder = "assets/snmp-profiles/"]
struct Embedded;

/// One model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: String,
    pub vendor: String,
    pub model: String,
    /// `olt`, `radio` or `device`.
    pub kind: String,
    #[serde(default = "yes")]
    pub bulk: bool,
    #[serde(default)]
    pub detect: Detect,
    pub onus: Option<OnuTable>,
    #[serde(default)]
    pub radio: BTreeMap<String, Metric>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    #[serde(default)]
    pub sys_object_id: Vec<String>,
    #[serde(default)]
    pub sys_descr: Vec<String>,
}

/// A column (or scalar) and how to read it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub oid: String,
    #[serde(default)]
    pub walk: bool,
    #[serde(default = "one")]
    pub scale: f64,
    #[serde(default)]
    pub offset: f64,
    #[serde(default)]
    pub invalid: Vec<String>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub map: BTreeMap<String, String>,
}

fn one() -> f64 {
    1.0
}

/// An OLT's ONU table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnuTable {
    /// `pon.onu`, `ifindex` or `pon.onu.x`.
    pub index: String,
    #[serde(default = "raw")]
    pub pon_format: String,
    pub status: Metric,
    pub rx_power: Option<Metric>,
    pub serial: Option<Metric>,
    pub mac: Option<Metric>,
    pub distance: Option<Metric>,
    pub name: Option<Metric>,
}

fn raw() -> String {
    "raw".into()
}

/// All profiles known to the appliance.
#[derive(Debug, Clone, Default)]
pub struct Profiles {
    by_id: BTreeMap<String, Profile>,
}

#[derive(Debug, thiserror::Error)]
#[error("SNMP profile {file}: {message}")]
pub struct ProfileError {
    pub file: String,
    pub message: String,
}

fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
    let p: Profile = toml::from_str(text).map_err(|e| ProfileError {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    if !["olt", "radio", "device"].contains(&p.kind.as_str()) {
        return Err(ProfileError {
            file: file.into(),
            message: format!("kind `{}` is not olt, radio or device", p.kind),
        });
    }
    if p.kind == "olt" && p.onus.is_none() {
        return Err(ProfileError {
            file: file.into(),
            message: "an olt profile needs an [onus] table".into(),
        });
    }
    Ok(p)
}

impl Profiles {
    /// The embedded profiles, then `<data_dir>/snmp-profiles/*.toml` (same id
    /// replaces the embedded one).
    pub fn load(data_dir: Option<&Path>) -> Result<Self, ProfileError> {
        let mut by_id = BTreeMap::new();
        for file in Embedded::iter().filter(|f| f.ends_with(".toml")) {
            let Some(content) = Embedded::get(&file) else {
                continue;
            };
            let text = String::from_utf8_lossy(&content.data).into_owned();
            let p = parse(&file, &text)?;
            by_id.insert(p.id.clone(), p);
        }
        if let Some(dir) = data_dir.map(|d| d.join("snmp-profiles")) {
            if let Ok(entries) = std::fs::read_dir(&dir) {
                let mut files: Vec<_> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .collect();
                files.sort();
                for path in files {
                    let name = path.display().to_string();
                    let text = std::fs::read_to_string(&path).map_err(|e| ProfileError {
                        file: name.clone(),
                        message: e.to_string(),
                    })?;
                    let p = parse(&name, &text)?;
                    by_id.insert(p.id.clone(), p);
                }
            }
        }
        Ok(Self { by_id })
    }

    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.by_id.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }

    /// The best profile for what a device says of itself: the longest
    /// matching sysObjectID prefix, a sysDescr match breaking ties (or
    /// deciding alone); `generic-if-mib` (or any profile with no detection
    /// rules) when nothing matches.
    pub fn detect(&self, sys_object_id: &str, sys_descr: &str) -> Option<&Profile> {
        let oid = sys_object_id.trim_start_matches('.');
        let descr = sys_descr.to_lowercase();
        let score = |p: &Profile| -> usize {
            let by_oid = p
                .detect
                .sys_object_id
                .iter()
                .filter(|prefix| {
                    let prefix = prefix.trim_start_matches('.');
                    oid == prefix || oid.starts_with(&format!("{prefix}."))
                })
                .map(|prefix| prefix.len())
                .max()
                .unwrap_or(0);
            let by_descr = p
                .detect
                .sys_descr
                .iter()
                .any(|d| !d.is_empty() && descr.contains(&d.to_lowercase()));
            match (by_oid, by_descr) {
                (0, false) => 0,
                // A description match counts more than any OID prefix alone:
                // vendors share OID trees across models.
                (n, true) => 10_000 + n,
                (n, false) if p.detect.sys_descr.is_empty() => n,
                // The OID matches but the description names another model.
                (n, false) => n / 2,
            }
        };
        self.by_id
            .values()
            .map(|p| (score(p), p))
            .filter(|(s, _)| *s > 0)
            .max_by_key(|(s, _)| *s)
            .map(|(_, p)| p)
            .or_else(|| {
                self.by_id.get("generic-if-mib").or_else(|| {
                    self.by_id.values().find(|p| {
                        p.detect.sys_object_id.is_empty() && p.detect.sys_descr.is_empty()
                    })
                })
            })
    }
}
