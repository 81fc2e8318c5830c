//! Desired-state reconciliation of a router's logins: every PPPoE (hotspot)
//! customer on the router is one `/ppp/secret` (`/ip/hotspot/user`) carrying
//! the comment `ispbills:<customer id>`. Only entries with that comment are
//! ever changed or removed; entries made by hand are reported and left alone.

use std::collections::{BTreeMap, BTreeSet};

use super::{RouterApi, RouterError, Row};

/// The comment that marks an entry as ours.
pub const COMMENT_PREFIX: &str = "ispbills:";

/// PPPoE or hotspot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LoginKind {
    Ppp,
    Hotspot,
}

impl LoginKind {
    fn menu(self) -> &'static str {
        match self {
            LoginKind::Ppp => "/ppp/secret",
            LoginKind::Hotspot => "/ip/hotspot/user",
        }
    }

    fn active(self) -> &'static str {
        match self {
            LoginKind::Ppp => "/ppp/active",
            LoginKind::Hotspot => "/ip/hotspot/active",
        }
    }

    /// The field of the active menu that names the login.
    fn active_name(self) -> &'static str {
        match self {
            LoginKind::Ppp => "name",
            LoginKind::Hotspot => "user",
        }
    }
}

/// What suspension does on the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuspendMode {
    /// Disable the login and end its session.
    Disable,
    /// Switch the login to this profile and end its session (it reconnects
    /// into the restricted profile).
    Profile(String),
    /// Keep the login; put the session's address on this firewall address-list.
    AddressList(String),
}

/// One customer's login as it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredLogin {
    pub customer_id: i64,
    pub kind: LoginKind,
    pub name: String,
    /// None when the customer has no login password yet: an existing entry
    /// keeps its password, and no entry is created.
    pub password: Option<String>,
    /// The package's router profile.
    pub profile: Option<String>,
    /// `active`, `suspended`, `inactive` or `expired`.
    pub status: String,
}

impl DesiredLogin {
    fn comment(&self) -> String {
        format!("{COMMENT_PREFIX}{}", self.customer_id)
    }

    fn suspended(&self) -> bool {
        self.status == "suspended"
    }

    /// The attributes the entry should have under `mode`.
    fn attributes(&self, mode: &SuspendMode) -> Vec<(&'static str, String)> {
        let disabled = match self.status.as_str() {
            "active" => false,
            "suspended" => matches!(mode, SuspendMode::Disable),
            _ => true,
        };
        let profile = match (mode, self.suspended()) {
            (SuspendMode::Profile(p), true) => Some(p.clone()),
            _ => self.profile.clone(),
        };
        let mut attrs = vec![("name", self.name.clone())];
        if let Some(p) = &self.password {
            attrs.push(("password", p.clone()));
        }
        if self.kind == LoginKind::Ppp {
            attrs.push(("service", "pppoe".into()));
        }
        attrs.push(("profile", profile.unwrap_or_else(|| "default".into())));
        attrs.push(("disabled", if disabled { "yes" } else { "no" }.into()));
        attrs.push(("comment", self.comment()));
        attrs
    }
}

/// What a reconciliation did (or would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncDiff {
    /// Logins created.
    pub added: Vec<String>,
    /// Logins whose fields were corrected.
    pub changed: Vec<String>,
    /// Our logins removed (their customer is gone or left this router).
    pub removed: Vec<String>,
    /// Entries made by hand, left untouched.
    pub unmanaged: Vec<String>,
    /// Sessions ended (suspension).
    pub disconnected: Vec<String>,
    /// Addresses put on / taken off the suspension address-list.
    pub address_list_added: Vec<String>,
    pub address_list_removed: Vec<String>,
    /// RADIUS mode: our logins (and suspension address-list entries) still on
    /// the router, left until the removal is confirmed.
    pub secrets_to_remove: Vec<String>,
    /// RADIUS mode: what was set so the router uses the RADIUS server.
    pub radius_setup: Vec<String>,
    /// Customers that could not be reconciled, and why.
    pub errors: Vec<String>,
}

fn customer_of(row: &Row) -> Option<i64> {
    row.get("comment")?
        .strip_prefix(COMMENT_PREFIX)?
        .trim()
        .parse()
        .ok()
}

fn truthy(v: Option<&String>) -> bool {
    matches!(v.map(String::as_str), Some("yes" | "true"))
}

/// Brings the router's logins to `desired` (every login of the router).
pub fn reconcile(
    api: &mut dyn RouterApi,
    desired: &[DesiredLogin],
    mode: &SuspendMode,
) -> Result<SyncDiff, RouterError> {
    let mut diff = SyncDiff::default();
    let kinds: BTreeSet<LoginKind> = desired
        .iter()
        .map(|d| d.kind)
        .chain([LoginKind::Ppp])
        .collect();
    for kind in kinds {
        let wanted: Vec<&DesiredLogin> = desired.iter().filter(|d| d.kind == kind).collect();
        reconcile_kind(api, kind, &wanted, mode, &mut diff)?;
    }
    if let SuspendMode::AddressList(list) = mode {
        address_list(api, desired, list, &mut diff)?;
    }
    Ok(diff)
}

fn reconcile_kind(
    api: &mut dyn RouterApi,
    kind: LoginKind,
    wanted: &[&DesiredLogin],
    mode: &SuspendMode,
    diff: &mut SyncDiff,
) -> Result<(), RouterError> {
    let menu = kind.menu();
    let rows = match api.print(menu, &[], &[]) {
        Ok(rows) => rows,
        // A router without the hotspot package has no such menu.
        Err(RouterError::Trap { .. }) if kind == LoginKind::Hotspot && wanted.is_empty() => {
            return Ok(())
        }
        Err(e) => return Err(e),
    };
    let mut ours: BTreeMap<i64, Row> = BTreeMap::new();
    let mut by_hand: BTreeMap<String, Row> = BTreeMap::new();
    for row in rows {
        match customer_of(&row) {
            Some(id) if !ours.contains_key(&id) => {
                ours.insert(id, row);
            }
            // A second entry for the same customer is ours too: remove it.
            Some(_) => {
                if let Some(id) = row.get(".id") {
                    api.remove(menu, id)?;
                    diff.removed
                        .push(row.get("name").cloned().unwrap_or_default());
                }
            }
            None => {
                let name = row.get("name").cloned().unwrap_or_default();
                diff.unmanaged.push(name.clone());
                by_hand.insert(name, row);
            }
        }
    }
    let mut to_kick: Vec<String> = Vec::new();
    for d in wanted {
        let attrs = d.attributes(mode);
        let pairs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        match ours.remove(&d.customer_id) {
            None if by_hand.contains_key(&d.name) => diff.errors.push(format!(
                "{}: a hand-made {menu} entry has this name; it is left alone and the customer is not provisioned",
                d.name
            )),
            None if d.password.is_none() => diff.errors.push(format!(
                "{}: no login password is set for customer {}; not provisioned",
                d.name, d.customer_id
            )),
            None => {
                api.add(menu, &pairs)?;
                diff.added.push(d.name.clone());
                if d.suspended() && !matches!(mode, SuspendMode::AddressList(_)) {
                    to_kick.push(d.name.clone());
                }
            }
            Some(row) => {
                let changes: Vec<(&str, &str)> = pairs
                    .iter()
                    .filter(|(k, v)| {
                        let have = row.get(*k).map(String::as_str).unwrap_or("");
                        if *k == "disabled" {
                            truthy(row.get("disabled")) != (*v == "yes")
                        } else {
                            have != *v
                        }
                    })
                    .copied()
                    .collect();
                // An old name's session belongs to the login as it was.
                let old_name = row.get("name").cloned().unwrap_or_default();
                if !changes.is_empty() {
                    let id = row.get(".id").cloned().unwrap_or_default();
                    api.set(menu, &id, &changes)?;
                    diff.changed.push(d.name.clone());
                    let suspension_changed = changes
                        .iter()
                        .any(|(k, _)| *k == "disabled" || *k == "profile");
                    if (d.suspended() || d.status != "active")
                        && suspension_changed
                        && !matches!(mode, SuspendMode::AddressList(_))
                    {
                        to_kick.push(old_name);
                    }
                } else if d.suspended() && matches!(mode, SuspendMode::Disable) {
                    // A disabled login should have no session; end a stray one.
                    to_kick.push(d.name.clone());
                }
            }
        }
    }
    for (_, row) in ours {
        if let Some(id) = row.get(".id") {
            api.remove(menu, id)?;
            let name = row.get("name").cloned().unwrap_or_default();
            to_kick.push(name.clone());
            diff.removed.push(name);
        }
    }
    if !to_kick.is_empty() {
        let field = kind.active_name();
        for session in api.print(kind.active(), &[".id", field], &[])? {
            let name = session.get(field).cloned().unwrap_or_default();
            if to_kick.contains(&name) {
                if let Some(id) = session.get(".id") {
                    api.remove(kind.active(), id)?;
                    diff.disconnected.push(name);
                }
            }
        }
    }
    diff.unmanaged.sort();
    Ok(())
}

/// RADIUS mode: the router's subscribers log in through RADIUS, so no login
/// of ours should be on it. Entries we made earlier (logins and suspension
/// address-list entries carrying our comment) are listed in
/// `secrets_to_remove`, and removed only when `remove` is set — the operator
/// confirms after seeing the list. Live sessions are not ended: they go on
/// until their next login, which RADIUS answers. Hand-made entries are
/// reported and left alone, as in secrets mode.
pub fn reconcile_radius(
    api: &mut dyn RouterApi,
    suspend_list: Option<&str>,
    remove: bool,
) -> Result<SyncDiff, RouterError> {
    let mut diff = SyncDiff::default();
    for kind in [LoginKind::Ppp, LoginKind::Hotspot] {
        let menu = kind.menu();
        let rows = match api.print(menu, &[], &[]) {
            Ok(rows) => rows,
            Err(RouterError::Trap { .. }) if kind == LoginKind::Hotspot => continue,
            Err(e) => return Err(e),
        };
        for row in rows {
            let name = row.get("name").cloned().unwrap_or_default();
            if customer_of(&row).is_none() {
                diff.unmanaged.push(name);
                continue;
            }
            match (remove, row.get(".id")) {
                (true, Some(id)) => {
                    api.remove(menu, id)?;
                    diff.removed.push(name);
                }
                _ => diff.secrets_to_remove.push(name),
            }
        }
    }
    if let Some(list) = suspend_list {
        let menu = "/ip/firewall/address-list";
        for entry in api.print(menu, &[], &[("list", list)])? {
            if customer_of(&entry).is_none() {
                continue;
            }
            let address = entry.get("address").cloned().unwrap_or_default();
            match (remove, entry.get(".id")) {
                (true, Some(id)) => {
                    api.remove(menu, id)?;
                    diff.address_list_removed.push(address);
                }
                _ => diff.secrets_to_remove.push(format!("{list} {address}")),
            }
        }
    }
    diff.unmanaged.sort();
    Ok(diff)
}

/// Address-list suspension: the addresses of suspended customers' sessions are
/// on `list` (entries carrying our comment); nobody else's are.
fn address_list(
    api: &mut dyn RouterApi,
    desired: &[DesiredLogin],
    list: &str,
    diff: &mut SyncDiff,
) -> Result<(), RouterError> {
    let suspended: BTreeMap<&str, &DesiredLogin> = desired
        .iter()
        .filter(|d| d.suspended() && d.kind == LoginKind::Ppp)
        .map(|d| (d.name.as_str(), d))
        .collect();
    let mut want: BTreeMap<String, String> = BTreeMap::new(); // address -> comment
    for session in api.print("/ppp/active", &["name", "address"], &[])? {
        let (Some(name), Some(address)) = (session.get("name"), session.get("address")) else {
            continue;
        };
        if let Some(d) = suspended.get(name.as_str()) {
            want.insert(address.clone(), d.comment());
        }
    }
    let menu = "/ip/firewall/address-list";
    for entry in api.print(menu, &[], &[("list", list)])? {
        if customer_of(&entry).is_none() {
            continue;
        }
        let address = entry.get("address").cloned().unwrap_or_default();
        if want.remove(&address).is_none() {
            if let Some(id) = entry.get(".id") {
                api.remove(menu, id)?;
                diff.address_list_removed.push(address);
            }
        }
    }
    for (address, comment) in want {
        api.add(
            menu,
            &[("list", list), ("address", &address), ("comment", &comment)],
        )?;
        diff.address_list_added.push(address);
    }
    Ok(())
}
