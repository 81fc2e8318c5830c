//! Setting a router up as a client of the built-in RADIUS server over its
//! API: the `/radius` entry (ours carries the comment `ispbills`), `/ppp aaa`
//! (use RADIUS, accounting, interim updates), `/radius incoming` (accept CoA
//! and Disconnect) and, for hotspot, every hotspot server profile. Only what
//! differs is set; the answer says what was. The secret is never in it.

use super::{RouterApi, RouterError, Row};

/// The comment that marks our `/radius` entry.
pub const COMMENT: &str = "ispbills";

/// What the router should be told.
#[derive(Clone)]
pub struct RadiusSetup {
    /// The appliance's address as the router reaches it.
    pub server: String,
    pub secret: String,
    pub auth_port: u16,
    pub acct_port: u16,
    /// The router's own source address for RADIUS (`nas_ip`), if set.
    pub src_address: Option<String>,
    /// Where the router takes CoA/Disconnect.
    pub coa_port: u16,
    pub interim_secs: u64,
    /// Also turn RADIUS on in the hotspot profiles.
    pub hotspot: bool,
}

impl std::fmt::Debug for RadiusSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RadiusSetup")
            .field("server", &self.server)
            .field("auth_port", &self.auth_port)
            .field("acct_port", &self.acct_port)
            .field("coa_port", &self.coa_port)
            .finish_non_exhaustive()
    }
}

/// A RouterOS duration (`5m`, `1h30m`, `300s`, `00:05:00`, `1d`) in seconds.
pub fn duration_secs(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.contains(':') {
        let mut secs = 0u64;
        for part in text.split(':') {
            secs = secs.checked_mul(60)?.checked_add(part.parse().ok()?)?;
        }
        return Some(secs);
    }
    let mut total = 0u64;
    let mut number = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit = match ch {
            'w' => 604_800,
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(unit)?)?;
        number.clear();
    }
    if !number.is_empty() {
        total = total.checked_add(number.parse().ok()?)?;
    }
    Some(total)
}

/// Whether the router's value already says what we want.
fn same(key: &str, have: Option<&String>, want: &str) -> bool {
    let Some(have) = have else { return false };
    if matches!(want, "yes" | "no") {
        let have = matches!(have.as_str(), "yes" | "true");
        return have == (want == "yes");
    }
    if key.contains("interim") {
        return duration_secs(have) == duration_secs(want);
    }
    if key == "service" {
        let mut a: Vec<&str> = have.split(',').collect();
        let mut b: Vec<&str> = want.split(',').collect();
        a.sort_unstable();
        b.sort_unstable();
        return a == b;
    }
    have == want
}

/// The pairs of `want` that `row` does not already have.
fn differing<'a>(row: &Row, want: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    want.iter()
        .filter(|(k, v)| !same(k, row.get(*k), v))
        .map(|(k, v)| (*k, v.as_str()))
        .collect()
}

/// How a change is reported: the keys and values, the secret masked.
fn describe(menu: &str, pairs: &[(&str, &str)]) -> String {
    let shown: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            if *k == "secret" {
                "secret (set)".to_string()
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    format!("{menu}: {}", shown.join(" "))
}

/// Brings the router's RADIUS settings to `setup`; answers what changed.
pub fn apply(api: &mut dyn RouterApi, setup: &RadiusSetup) -> Result<Vec<String>, RouterError> {
    let mut changed = Vec::new();
    let interim = format!("{}s", setup.interim_secs);
    server_entry(api, setup, &mut changed)?;
    let aaa = [
        ("use-radius", "yes".to_string()),
        ("accounting", "yes".to_string()),
        ("interim-update", interim.clone()),
    ];
    settings(api, "/ppp/aaa", &aaa, &mut changed)?;
    let incoming = [
        ("accept", "yes".to_string()),
        ("port", setup.coa_port.to_string()),
    ];
    settings(api, "/radius/incoming", &incoming, &mut changed)?;
    if setup.hotspot {
        let want = [
            ("use-radius", "yes".to_string()),
            ("radius-accounting", "yes".to_string()),
            ("radius-interim-update", interim),
        ];
        let menu = "/ip/hotspot/profile";
        for row in api.print(menu, &[], &[])? {
            let pairs = differing(&row, &want);
            if let (false, Some(id)) = (pairs.is_empty(), row.get(".id")) {
                api.set(menu, id, &pairs)?;
                let name = row.get("name").map(String::as_str).unwrap_or("?");
                changed.push(describe(&format!("{menu} {name}"), &pairs));
            }
        }
    }
    Ok(changed)
}

/// Our `/radius` entry: added, corrected, duplicates removed.
fn server_entry(
    api: &mut dyn RouterApi,
    setup: &RadiusSetup,
    changed: &mut Vec<String>,
) -> Result<(), RouterError> {
    let menu = "/radius";
    let mut want = vec![
        ("service", "ppp,hotspot".to_string()),
        ("address", setup.server.clone()),
        ("secret", setup.secret.clone()),
        ("authentication-port", setup.auth_port.to_string()),
        ("accounting-port", setup.acct_port.to_string()),
    ];
    if let Some(src) = &setup.src_address {
        want.push(("src-address", src.clone()));
    }
    let ours: Vec<Row> = api
        .print(menu, &[], &[])?
        .into_iter()
        .filter(|r| r.get("comment").map(String::as_str) == Some(COMMENT))
        .collect();
    let mut ours = ours.into_iter();
    match ours.next() {
        None => {
            let mut pairs: Vec<(&str, &str)> = want.iter().map(|(k, v)| (*k, v.as_str())).collect();
            pairs.push(("comment", COMMENT));
            api.add(menu, &pairs)?;
            changed.push(describe("/radius: added", &pairs[..pairs.len() - 1]));
        }
        Some(row) => {
            let pairs = differing(&row, &want);
            if let (false, Some(id)) = (pairs.is_empty(), row.get(".id")) {
                api.set(menu, id, &pairs)?;
                changed.push(describe(menu, &pairs));
            }
        }
    }
    for extra in ours {
        if let Some(id) = extra.get(".id") {
            api.remove(menu, id)?;
            changed.push(format!("{menu}: removed a second entry of ours ({id})"));
        }
    }
    Ok(())
}

/// A settings menu (no items): only what differs is set.
fn settings(
    api: &mut dyn RouterApi,
    menu: &str,
    want: &[(&str, String)],
    changed: &mut Vec<String>,
) -> Result<(), RouterError> {
    let row = api
        .print(menu, &[], &[])?
        .into_iter()
        .next()
        .unwrap_or_default();
    let pairs = differing(&row, want);
    if !pairs.is_empty() {
        api.set_settings(menu, &pairs)?;
        changed.push(describe(menu, &pairs));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routeros_durations_read_in_seconds() {
        assert_eq!(duration_secs("5m"), Some(300));
        assert_eq!(duration_secs("300s"), Some(300));
        assert_eq!(duration_secs("1h30m"), Some(5_400));
        assert_eq!(duration_secs("00:05:00"), Some(300));
        assert_eq!(duration_secs("1d"), Some(86_400));
        assert_eq!(duration_secs("0s"), Some(0));
        assert_eq!(duration_secs("received"), None);
        assert_eq!(duration_secs("5x"), None);
    }

    #[test]
    fn values_compare_as_routeros_writes_them() {
        let yes = "true".to_string();
        assert!(same("use-radius", Some(&yes), "yes"));
        assert!(!same("use-radius", None, "yes"));
        let five = "5m".to_string();
        assert!(same("interim-update", Some(&five), "300s"));
        let svc = "hotspot,ppp".to_string();
        assert!(same("service", Some(&svc), "ppp,hotspot"));
        assert_eq!(
            describe("/radius", &[("secret", "x"), ("address", "10.0.0.5")]),
            "/radius: secret (set) address=10.0.0.5"
        );
    }
}
