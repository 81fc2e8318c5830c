//! Reading an OLT's ONUs and a radio's metrics with a profile.

use std::collections::BTreeMap;

use super::{
    profile::{Metric, OnuTable, Profile},
    SnmpError, SnmpSource, SnmpValue,
};

/// One ONU as the OLT reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Onu {
    /// The table index (`<pon>.<onu>` or the ONU ifIndex), stable per OLT.
    pub key: String,
    pub pon_port: String,
    pub onu_index: i64,
    /// `online`, `offline` or `unknown`.
    pub status: String,
    pub rx_power_dbm: Option<f64>,
    pub serial: Option<String>,
    pub mac: Option<String>,
    pub distance_m: Option<i64>,
    pub name: Option<String>,
}

/// A metric's value after the profile's scaling; None for invalid readings.
pub fn scaled(m: &Metric, v: &SnmpValue) -> Option<f64> {
    if matches!(v, SnmpValue::Missing) {
        return None;
    }
    let raw = v.text();
    if m.invalid.iter().any(|i| i.trim() == raw.trim()) {
        return None;
    }
    let value = v.number()? * m.scale + m.offset;
    Some((value * 100.0).round() / 100.0)
}

/// A text column shown as the profile says (`text`, `hex`, `mac`).
pub fn formatted(m: &Metric, v: &SnmpValue) -> Option<String> {
    let bytes = match v {
        SnmpValue::Missing => return None,
        SnmpValue::Text(b) => b.clone(),
        other => other.text().into_bytes(),
    };
    let text = match m.format.as_deref() {
        Some("hex") => bytes.iter().map(|b| format!("{b:02X}")).collect(),
        Some("mac") if bytes.len() == 6 => bytes
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":"),
        Some("mac") => crate::domain::customer::normalise_mac(&String::from_utf8_lossy(&bytes))
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned()),
        _ => String::from_utf8_lossy(&bytes)
            .trim_end_matches('\0')
            .trim()
            .to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// How a PON ifIndex is shown.
pub fn pon_name(format: &str, pon: u32) -> String {
    match format {
        "huawei" if pon >= 0xFA00_0000 => {
            let x = pon - 0xFA00_0000;
            format!("0/{}/{}", x >> 13, (x >> 8) & 0x1F)
        }
        "zte" => format!("1/{}/{}", (pon >> 16) & 0xFF, (pon >> 8) & 0xFF),
        _ => pon.to_string(),
    }
}

fn key_arcs(index: &str, suffix: &[u32]) -> Vec<u32> {
    let n = if index == "ifindex" { 1 } else { 2 };
    suffix.iter().take(n).copied().collect()
}

async fn column<S: SnmpSource>(
    src: &S,
    table: &OnuTable,
    m: &Metric,
    bulk: bool,
) -> Result<BTreeMap<Vec<u32>, SnmpValue>, SnmpError> {
    Ok(src
        .walk(&m.oid, bulk)
        .await?
        .into_iter()
        .map(|(suffix, v)| (key_arcs(&table.index, &suffix), v))
        .collect())
}

/// Every ONU of an OLT.
pub async fn read_onus<S: SnmpSource>(src: &S, profile: &Profile) -> Result<Vec<Onu>, SnmpError> {
    let Some(table) = &profile.onus else {
        return Ok(Vec::new());
    };
    let bulk = profile.bulk;
    let status = column(src, table, &table.status, bulk).await?;
    let mut optional = BTreeMap::new();
    for (name, metric) in [
        ("rx", &table.rx_power),
        ("serial", &table.serial),
        ("mac", &table.mac),
        ("distance", &table.distance),
        ("name", &table.name),
    ] {
        if let Some(m) = metric {
            optional.insert(name, (m, column(src, table, m, bulk).await?));
        }
    }
    let get = |name: &str, key: &Vec<u32>| {
        optional
            .get(name)
            .and_then(|(m, col)| col.get(key).map(|v| (*m, v)))
    };
    Ok(status
        .iter()
        .map(|(key, v)| {
            let (pon_port, onu_index) = if table.index == "ifindex" {
                let i = key.first().copied().unwrap_or(0);
                (pon_name(&table.pon_format, i), i64::from(i))
            } else {
                (
                    pon_name(&table.pon_format, key.first().copied().unwrap_or(0)),
                    i64::from(key.get(1).copied().unwrap_or(0)),
                )
            };
            let status = table
                .status
                .map
                .get(v.text().trim())
                .cloned()
                .unwrap_or_else(|| "unknown".into());
            Onu {
                key: key.iter().map(u32::to_string).collect::<Vec<_>>().join("."),
                pon_port,
                onu_index,
                status,
                rx_power_dbm: get("rx", key).and_then(|(m, v)| scaled(m, v)),
                serial: get("serial", key).and_then(|(m, v)| formatted(m, v)),
                mac: get("mac", key).and_then(|(m, v)| formatted(m, v)),
                distance_m: get("distance", key)
                    .and_then(|(m, v)| scaled(m, v))
                    .map(|d| d.round() as i64),
                name: get("name", key).and_then(|(m, v)| formatted(m, v)),
            }
        })
        .collect())
}

/// A radio's metrics (signal, ccq, frequency, ...), scaled.
pub async fn read_radio<S: SnmpSource>(
    src: &S,
    profile: &Profile,
) -> Result<BTreeMap<String, f64>, SnmpError> {
    let mut out = BTreeMap::new();
    let scalars: Vec<(&String, &Metric)> = profile.radio.iter().filter(|(_, m)| !m.walk).collect();
    if !scalars.is_empty() {
        let oids: Vec<String> = scalars.iter().map(|(_, m)| m.oid.clone()).collect();
        let values = src.get(&oids).await?;
        for ((name, m), v) in scalars.iter().zip(values) {
            if let Some(x) = scaled(m, &v) {
                out.insert((*name).clone(), x);
            }
        }
    }
    for (name, m) in profile.radio.iter().filter(|(_, m)| m.walk) {
        let rows = src.walk(&m.oid, profile.bulk).await?;
        if let Some((_, v)) = rows.first() {
            if let Some(x) = scaled(m, v) {
                out.insert(name.clone(), x);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(scale: f64, offset: f64, invalid: &[&str]) -> Metric {
        Metric {
            oid: "1".into(),
            walk: false,
            scale,
            offset,
            invalid: invalid.iter().map(|s| s.to_string()).collect(),
            format: None,
            map: BTreeMap::new(),
        }
    }

    #[test]
    fn vendor_scalings() {
        // Huawei: 0.01 dBm, 2147483647 = no reading.
        let hw = metric(0.01, 0.0, &["2147483647"]);
        assert_eq!(scaled(&hw, &SnmpValue::Int(-2150)), Some(-21.5));
        assert_eq!(scaled(&hw, &SnmpValue::Int(2147483647)), None);
        // ZTE: raw * 0.002 - 30, 65535 invalid.
        let zte = metric(0.002, -30.0, &["65535"]);
        assert_eq!(scaled(&zte, &SnmpValue::Int(4250)), Some(-21.5));
        assert_eq!(scaled(&zte, &SnmpValue::Int(65535)), None);
        // VSOL: strings.
        let vsol = metric(1.0, 0.0, &[]);
        assert_eq!(
            scaled(&vsol, &SnmpValue::Text(b"-21.45(dBm)".to_vec())),
            Some(-21.45)
        );
        // BDCOM EPON: 0.1 dB.
        assert_eq!(
            scaled(&metric(0.1, 0.0, &[]), &SnmpValue::Int(-284)),
            Some(-28.4)
        );
        assert_eq!(scaled(&hw, &SnmpValue::Missing), None);
    }

    #[test]
    fn pon_names_and_formats() {
        assert_eq!(
            pon_name("huawei", 0xFA00_0000 + (2 << 13) + (5 << 8)),
            "0/2/5"
        );
        assert_eq!(pon_name("zte", 0x1101_0300), "1/1/3");
        assert_eq!(pon_name("raw", 7), "7");
        let mut m = metric(1.0, 0.0, &[]);
        m.format = Some("hex".into());
        assert_eq!(
            formatted(
                &m,
                &SnmpValue::Text(vec![0x48, 0x57, 0x54, 0x43, 0xA1, 0xB2, 0xC3, 0xD4])
            ),
            Some("48575443A1B2C3D4".into())
        );
        m.format = Some("mac".into());
        assert_eq!(
            formatted(&m, &SnmpValue::Text(vec![0, 0x1A, 0x2B, 0x3C, 0x4D, 0x5E])),
            Some("00:1A:2B:3C:4D:5E".into())
        );
        assert_eq!(
            formatted(&m, &SnmpValue::Text(b"001a.2b3c.4d5e".to_vec())),
            Some("00:1A:2B:3C:4D:5E".into())
        );
    }
}
