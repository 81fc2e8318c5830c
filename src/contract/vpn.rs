//! VPN account request bodies (create and update) and the protocol values the
//! API and the list filters share. The rules that span fields are in
//! [`crate::vpn::account`].

use poem_openapi::Object;

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        text::{SingleLine, TextRule},
    },
    schema_as,
    vpn::{
        self,
        account::{Owner, VpnPatch},
        PROTOCOLS,
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum VpnProtocol {
    Wireguard,
    Openvpn,
    L2tp,
}

impl VpnProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            VpnProtocol::Wireguard => "wireguard",
            VpnProtocol::Openvpn => "openvpn",
            VpnProtocol::L2tp => "l2tp",
        }
    }
}

/// A VPN account's fields. On create `name`, `protocol`, one of `customer_id` /
/// `router_id` and (WireGuard) `addresses` are required; L2TP needs `username`
/// and `password`, OpenVPN a `password` when it has a `username`. WireGuard keys
/// are generated. On update what is absent stays; the protocol cannot change.
#[derive(Debug, Object)]
pub struct VpnAccountInput {
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<SingleLine>,
    #[oai(nullable)]
    pub protocol: Option<VpnProtocol>,
    /// The owning customer (give this or `router_id`).
    #[oai(nullable, validator(minimum(value = "1")))]
    pub customer_id: Option<i64>,
    /// The owning router (give this or `customer_id`).
    #[oai(nullable, validator(minimum(value = "1")))]
    pub router_id: Option<i64>,
    /// Tunnel addresses, comma-separated (`10.66.0.2/32, fd66::2/128`); an
    /// address alone is a host.
    #[oai(nullable, validator(max_length = 500))]
    pub addresses: Option<SingleLine>,
    #[oai(nullable)]
    pub enabled: Option<bool>,
    /// OpenVPN / L2TP login; null clears it (OpenVPN).
    #[oai(nullable, validator(max_length = 64))]
    pub username: Option<SingleLine>,
    /// Write-only; stored sealed.
    #[oai(nullable, validator(max_length = 128))]
    pub password: Option<SingleLine>,
}

const NAME_MAX: usize = 100;
const USERNAME_MAX: usize = 64;
const PASSWORD_MAX: usize = 128;

fn read_patch(f: &mut Fields, creating: bool) -> VpnPatch {
    let mut p = VpnPatch::default();
    if creating || f.present("name") {
        let name = f.required_string("name");
        if name.chars().count() > NAME_MAX {
            f.error(
                "name",
                format!("The name may not be longer than {NAME_MAX} characters."),
            );
        }
        p.name = Some(name);
    }
    p.protocol = f.optional_choice("protocol", &PROTOCOLS);
    if creating && p.protocol.is_none() && !f.has_error("protocol") {
        f.error("protocol", "The protocol field is required.");
    }
    let (customer, router) = (f.present("customer_id"), f.present("router_id"));
    match (customer, router) {
        (true, true) => f.error(
            "router_id",
            "Give either a customer id or a router id, not both: an account belongs to one.",
        ),
        (true, false) => p.owner = Some(Owner::Customer(f.required_reference("customer_id"))),
        (false, true) => p.owner = Some(Owner::Router(f.required_reference("router_id"))),
        (false, false) if creating => f.error(
            "customer_id",
            "The customer id field is required when no router id is given.",
        ),
        (false, false) => {}
    }
    if let Some(text) = f.nullable_string("addresses") {
        match vpn::normalize_addresses(text.as_deref().unwrap_or_default()) {
            Ok(addresses) => p.addresses = Some(addresses),
            Err(bad) => f.error(
                "addresses",
                format!(
                    "The addresses must be IP addresses or networks such as 10.66.0.2/32 (`{bad}` is not)."
                ),
            ),
        }
    }
    p.enabled = f.optional_bool("enabled");
    if let Some(username) = f.nullable_string("username") {
        if let Some(u) = &username {
            if u.chars().count() > USERNAME_MAX {
                f.error(
                    "username",
                    format!("The username may not be longer than {USERNAME_MAX} characters."),
                );
            } else if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
                f.error("username", "The username may not contain spaces.");
            }
        }
        p.username = Some(username);
    }
    if f.present("password") {
        let pw = f.required_password("password");
        if pw.chars().count() > PASSWORD_MAX {
            f.error(
                "password",
                format!("The password may not be longer than {PASSWORD_MAX} characters."),
            );
        } else {
            f.check_text("password", &pw, TextRule::SingleLine);
        }
        p.password = Some(pw);
    }
    p
}

/// `POST /api/v2/vpn/accounts`.
pub struct NewVpnAccount(pub VpnPatch);
/// `PUT /api/v2/vpn/accounts/{id}`.
pub struct VpnAccountChanges(pub VpnPatch);
schema_as!(NewVpnAccount, VpnAccountInput);
schema_as!(VpnAccountChanges, VpnAccountInput);

impl FromJsonObject for NewVpnAccount {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, true))
    }
}

impl FromJsonObject for VpnAccountChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, false))
    }
}
