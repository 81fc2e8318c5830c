//! A VPN account's fields and the rules that span them: who owns it, which
//! protocol needs which login, and what may change after it is created.

use crate::store::vpn_accounts::{VpnAccountFields, VpnAccountRow};

/// Whose account it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Customer(i64),
    Router(i64),
}

/// The fields a request sets (absent: unchanged; `username: Some(None)`:
/// cleared). The password is in clear until it is sealed.
#[derive(Debug, Default)]
pub struct VpnPatch {
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub owner: Option<Owner>,
    pub addresses: Option<String>,
    pub enabled: Option<bool>,
    pub username: Option<Option<String>>,
    pub password: Option<String>,
}

/// Secrets prepared outside the transaction: a fresh key pair (WireGuard
/// accounts being created) and the new password, both sealed.
#[derive(Debug, Default)]
pub struct Sealed {
    /// (public key, sealed private key).
    pub keys: Option<(String, String)>,
    pub password: Option<String>,
}

/// One message per field the rules refuse.
pub type Problems = Vec<(&'static str, String)>;

impl VpnPatch {
    /// The whole record after the change (`base`: the account as it is, None
    /// when creating), with the rules that span fields. The password in the
    /// patch is ignored: `sealed` carries it.
    pub fn apply(
        self,
        base: Option<VpnAccountRow>,
        sealed: Sealed,
    ) -> Result<VpnAccountFields, Problems> {
        let mut problems: Problems = Vec::new();
        let mut f: VpnAccountFields = match base {
            Some(b) => {
                if let Some(p) = &self.protocol {
                    if *p != b.protocol {
                        problems.push((
                            "protocol",
                            "The protocol cannot be changed; create a new account instead.".into(),
                        ));
                    }
                }
                b.into()
            }
            None => VpnAccountFields {
                name: String::new(),
                protocol: self.protocol.clone().unwrap_or_default(),
                customer_id: None,
                router_id: None,
                addresses: String::new(),
                enabled: true,
                public_key: None,
                private_key_sealed: None,
                username: None,
                password_sealed: None,
            },
        };
        if let Some(name) = self.name {
            f.name = name;
        }
        match self.owner {
            Some(Owner::Customer(id)) => (f.customer_id, f.router_id) = (Some(id), None),
            Some(Owner::Router(id)) => (f.customer_id, f.router_id) = (None, Some(id)),
            None => {}
        }
        if let Some(a) = self.addresses {
            f.addresses = a;
        }
        if let Some(e) = self.enabled {
            f.enabled = e;
        }
        let username_given = matches!(self.username, Some(Some(_)));
        if let Some(u) = self.username {
            f.username = u;
        }
        let password_given = sealed.password.is_some();
        if let Some(p) = sealed.password {
            f.password_sealed = Some(p);
        }
        if let Some((public, private)) = sealed.keys {
            f.public_key = Some(public);
            f.private_key_sealed = Some(private);
        }
        match f.protocol.as_str() {
            "wireguard" => {
                if username_given {
                    problems.push((
                        "username",
                        "WireGuard accounts sign in with keys, not a username.".into(),
                    ));
                }
                if password_given {
                    problems.push((
                        "password",
                        "WireGuard accounts sign in with keys, not a password.".into(),
                    ));
                }
                if f.addresses.is_empty() {
                    problems.push((
                        "addresses",
                        "The addresses field is required for WireGuard (the client's tunnel address, such as 10.66.0.2/32)."
                            .into(),
                    ));
                }
            }
            protocol => {
                if f.username.is_none() {
                    // A login without a name is no login.
                    f.password_sealed = None;
                    if protocol == "l2tp" {
                        problems.push((
                            "username",
                            "The username field is required for L2TP.".into(),
                        ));
                    } else if password_given {
                        problems.push(("username", "A password needs a username.".into()));
                    }
                } else if f.password_sealed.is_none() {
                    problems.push((
                        "password",
                        "The password field is required when the account has a username.".into(),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(f)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wireguard() -> VpnPatch {
        VpnPatch {
            name: Some("wg-1".into()),
            protocol: Some("wireguard".into()),
            owner: Some(Owner::Customer(7)),
            addresses: Some("10.66.0.2/32".into()),
            ..VpnPatch::default()
        }
    }

    fn keys() -> Sealed {
        Sealed {
            keys: Some(("pub".into(), "sealed-private".into())),
            password: None,
        }
    }

    #[test]
    fn a_new_wireguard_account_takes_its_keys() {
        let f = wireguard().apply(None, keys()).unwrap();
        assert_eq!(
            (f.customer_id, f.router_id, f.enabled),
            (Some(7), None, true)
        );
        assert_eq!(f.public_key.as_deref(), Some("pub"));
        assert_eq!(f.private_key_sealed.as_deref(), Some("sealed-private"));
    }

    #[test]
    fn wireguard_needs_addresses_and_refuses_a_login() {
        let patch = VpnPatch {
            addresses: None,
            username: Some(Some("u".into())),
            ..wireguard()
        };
        let sealed = Sealed {
            password: Some("sealed-pw".into()),
            ..keys()
        };
        let fields: Vec<&str> = patch
            .apply(None, sealed)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["username", "password", "addresses"]);
    }

    #[test]
    fn l2tp_needs_a_username_and_a_password() {
        let patch = VpnPatch {
            protocol: Some("l2tp".into()),
            addresses: None,
            ..wireguard()
        };
        let problems = patch.apply(None, Sealed::default()).unwrap_err();
        assert_eq!(problems[0].0, "username");
        let patch = VpnPatch {
            protocol: Some("l2tp".into()),
            username: Some(Some("u".into())),
            ..wireguard()
        };
        let problems = patch.apply(None, Sealed::default()).unwrap_err();
        assert_eq!(problems[0].0, "password");
    }

    #[test]
    fn the_protocol_cannot_change_and_the_owner_moves_whole() {
        let base = wireguard().apply(None, keys()).unwrap();
        let row = VpnAccountRow {
            id: 1,
            name: base.name,
            protocol: base.protocol,
            customer_id: base.customer_id,
            router_id: base.router_id,
            addresses: base.addresses,
            enabled: base.enabled,
            public_key: base.public_key,
            private_key_sealed: base.private_key_sealed,
            username: None,
            password_sealed: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let change = VpnPatch {
            protocol: Some("openvpn".into()),
            ..VpnPatch::default()
        };
        let problems = change
            .apply(Some(row.clone()), Sealed::default())
            .unwrap_err();
        assert_eq!(problems[0].0, "protocol");
        let change = VpnPatch {
            owner: Some(Owner::Router(3)),
            ..VpnPatch::default()
        };
        let f = change.apply(Some(row), Sealed::default()).unwrap();
        assert_eq!((f.customer_id, f.router_id), (None, Some(3)));
        assert_eq!(f.public_key.as_deref(), Some("pub"));
    }
}
