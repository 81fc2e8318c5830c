//! VPN account request bodies (create and update) and the protocol values the
//! API and the list filters share. The rules that span fields are in
//! [`crate::vpn::account`].
//!
//! At the end, the answers: an account (never its keys) and its wrappers.

use crate::{
    contract::{
        body::Fields,
        field::{Contract, ContractKind, EnumRef, Ex, Field, Mode},
    },
    create_and_update,
    vpn::{
        self,
        account::{Owner, VpnPatch},
        PROTOCOLS,
    },
    wire_enum,
};

wire_enum! {
    pub enum VpnProtocol {
        Wireguard = "wireguard",
        Openvpn = "openvpn",
        L2tp = "l2tp",
    }
}

/// A VPN account's fields. On create `name`, `protocol`, one of `customer_id` /
/// `router_id` and (WireGuard) `addresses` are required; L2TP needs `username`
/// and `password`, OpenVPN a `password` when it has a `username`. WireGuard keys
/// are generated. On update what is absent stays; the protocol cannot change.
pub static VPN_ACCOUNT: Contract = Contract {
    name: "VpnAccountInput",
    description: Some(
        "A VPN account's fields. On create `name`, `protocol`, one of `customer_id` /\n\
         `router_id` and (WireGuard) `addresses` are required; L2TP needs `username`\n\
         and `password`, OpenVPN a `password` when it has a `username`. WireGuard keys\n\
         are generated. On update what is absent stays; the protocol cannot change.",
    ),
    kind: ContractKind::Shared,
    fields: &[
        Field::text("name")
            .required()
            .max(100)
            .example(Ex::Str("rahim-phone")),
        Field::enumeration("protocol", &PROTOCOLS, EnumRef::of::<VpnProtocol>())
            .required()
            .example(Ex::Str("wireguard")),
        Field::reference("customer_id")
            .nullable()
            .describe("The owning customer (give this or `router_id`).")
            .example(Ex::Int(1)),
        Field::reference("router_id")
            .nullable()
            .describe("The owning router (give this or `customer_id`)."),
        Field::text("addresses")
            .max(500)
            .nullable()
            .describe(
                "Tunnel addresses, comma-separated (`10.66.0.2/32, fd66::2/128`); an\n\
                 address alone is a host.",
            )
            .example(Ex::Str("10.66.0.2/32")),
        Field::boolean("enabled").nullable().example(Ex::Bool(true)),
        Field::text("username")
            .max(64)
            .nullable()
            .describe("OpenVPN / L2TP login; null clears it (OpenVPN)."),
        Field::secret_line("password")
            .max(128)
            .nullable()
            .describe("Write-only; stored sealed."),
    ],
    example: None,
};

fn read_patch(f: &mut Fields, mode: Mode) -> VpnPatch {
    let mut p = VpnPatch {
        name: f.take("name").text(),
        protocol: f.take("protocol").text(),
        ..VpnPatch::default()
    };
    let (customer, router) = (f.take("customer_id").int(), f.take("router_id").int());
    match (customer, router) {
        (Some(_), Some(_)) => f.error(
            "router_id",
            "Give either a customer id or a router id, not both: an account belongs to one.",
        ),
        (Some(id), None) => p.owner = Some(Owner::Customer(id)),
        (None, Some(id)) => p.owner = Some(Owner::Router(id)),
        (None, None)
            if mode.is_create() && !f.has_error("customer_id") && !f.has_error("router_id") =>
        {
            f.error(
                "customer_id",
                "The customer id field is required when no router id is given.",
            )
        }
        (None, None) => {}
    }
    if let Some(text) = f.take("addresses").patch_text() {
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
    p.enabled = f.take("enabled").bool();
    if let Some(username) = f.take("username").patch_text() {
        if let Some(u) = &username {
            if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
                f.error("username", "The username may not contain spaces.");
            }
        }
        p.username = Some(username);
    }
    p.password = f.take("password").text();
    p
}

/// `POST /api/v2/vpn/accounts`.
pub struct NewVpnAccount(pub VpnPatch);
/// `PUT /api/v2/vpn/accounts/{id}`.
pub struct VpnAccountChanges(pub VpnPatch);
create_and_update!(VPN_ACCOUNT, read_patch => NewVpnAccount, VpnAccountChanges);

// ---- The answers: how a VPN account is shown (row → JSON) ----

use poem_openapi::Object;

use crate::{one, paginated, store::vpn_accounts::VpnAccountRow};

/// A VPN account (never its private key or password).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct VpnAccount {
    pub id: i64,
    pub name: String,
    /// `wireguard`, `openvpn` or `l2tp`.
    pub protocol: String,
    /// The customer the account belongs to (or a router).
    #[oai(nullable)]
    pub customer_id: Option<i64>,
    /// The router the account belongs to (site-to-site, management).
    #[oai(nullable)]
    pub router_id: Option<i64>,
    /// Tunnel addresses, comma-separated CIDRs (`10.66.0.2/32`).
    pub addresses: String,
    pub enabled: bool,
    /// WireGuard: the client's public key (add it as a peer on the server).
    #[oai(nullable)]
    pub public_key: Option<String>,
    /// OpenVPN / L2TP: the login name.
    #[oai(nullable)]
    pub username: Option<String>,
    /// Whether a password is set (it is never shown).
    pub has_password: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<VpnAccountRow> for VpnAccount {
    fn from(r: VpnAccountRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            protocol: r.protocol,
            customer_id: r.customer_id,
            router_id: r.router_id,
            addresses: r.addresses,
            enabled: r.enabled,
            public_key: r.public_key,
            username: r.username,
            has_password: r.password_sealed.is_some(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

one!(VpnAccountOne, VpnAccount);

paginated!(VpnAccountList, VpnAccount);
