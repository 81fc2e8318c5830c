//! Customers' request contracts: the create and update bodies with their rules,
//! the v1 action body, and the list's query values (status, sort) with the
//! store filter they make.
//!
//! At the end, the answers: a customer as v1 and v2 show it, its
//! subscriptions, and their `{data}` and list wrappers.

use poem_openapi::Enum;

use crate::contract::{
    body::{Fields, FromJsonObject},
    field::{
        normalisers::{EMAIL, MAC, PHONE},
        Contract, ContractKind, EnumRef, Ex, Field, Mode, Normaliser, Text,
    },
    filters::TimeBound,
};
use crate::{
    contract_type,
    domain::customer::{needs_login, CONNECTION_TYPES},
    store::customers::{CustomerChanges, CustomerFilter, NewCustomer},
    wire_enum,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ConnectionType {
    Pppoe,
    Hotspot,
    Static,
    Fiber,
    Wireless,
}

/// What `domain::customer::valid_username` accepts.
const USERNAME_PATTERN: &str = r"^[A-Za-z0-9._@-]{1,64}$";
const USERNAME_MESSAGE: &str = "may contain letters, digits and . _ - @ (64 at most).";

/// A customer's fields, for the create and the update contract (which
/// differ in their examples and descriptions).
const fn customer_fields(mode: Mode) -> [Field; 13] {
    let on_create = mode.is_create();
    [
        Field::text("name")
            .required()
            .range(1, 255)
            .example(Ex::Str("Rahim Uddin")),
        Field::with("phone", Text::line().normalised(PHONE))
            .required()
            .describe_if(
                on_create,
                "A mobile number: Bangladesh `01[3-9]XXXXXXXX` (also with +880) or E.164.",
            )
            .example(Ex::Str(mode.pick("01712345678", "+8801712345678"))),
        Field::with("email", Text::line().chars(3, 254).normalised(EMAIL))
            .nullable()
            .nonblank()
            .example(Ex::Str("rahim@example.com")),
        Field::reference("package_id")
            .nullable()
            .describe(mode.pick(
                "The package; must exist.",
                "A new package ends the current subscription and starts the next.",
            ))
            .example(Ex::Int(mode.pick(1, 2))),
        Field::text("address")
            .max(500)
            .nullable()
            .example(Ex::Str("House 12, Road 5, Badda, Dhaka")),
        Field::enumeration(
            "connection_type",
            &CONNECTION_TYPES,
            EnumRef::of::<ConnectionType>(),
        )
        .nullable()
        .nonblank()
        .describe_if(
            on_create,
            "pppoe (default), hotspot, static, fiber or wireless.",
        )
        .example(Ex::Str(mode.pick("pppoe", "fiber"))),
        Field::with("onu_mac", Text::line().normalised(MAC))
            .nullable()
            .nonblank()
            .describe_if(on_create, "The ONU's MAC address (fiber).")
            .example(Ex::Str(mode.pick("AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff"))),
        Field::with("username", Text::line().pattern(USERNAME_PATTERN))
            .nullable()
            .nonblank()
            .message(USERNAME_MESSAGE)
            .describe_if(on_create, "PPPoE/hotspot login name; unique on its router.")
            .example(Ex::Str("rahim.badda")),
        Field::reference("operator_id")
            .nullable()
            .describe_if(
                on_create,
                "The reseller the customer belongs to (ignored for a reseller's own staff).",
            )
            .example(Ex::Int(1)),
        Field::reference("router_id")
            .nullable()
            .describe(mode.pick(
                "The MikroTik router the PPPoE/hotspot login lives on (addition).",
                "null takes the customer off its router (its login is removed there).",
            ))
            .example(Ex::Int(1)),
        Field::text("password")
            .range(1, 64)
            .nullable()
            .describe_if(
                on_create,
                "The PPPoE/hotspot login password (addition; stored sealed, never shown).",
            )
            .example(Ex::Str(mode.pick("pppoe-secret-42", "pppoe-secret-43"))),
        Field::with("static_ip", Text::line().max(15).normalised(IPV4))
            .nullable()
            .describe_if(
                on_create,
                "A static IPv4 address the built-in RADIUS server hands out \
                 (Framed-IP-Address); one customer per address (addition).",
            )
            .example(Ex::Str(mode.pick("100.64.10.25", "100.64.10.26"))),
        Field::with("ipv6_prefix", Text::line().max(43).normalised(IPV6_PREFIX))
            .nullable()
            .describe_if(
                on_create,
                "An IPv6 prefix delegated to the customer by RADIUS \
                 (Delegated-IPv6-Prefix), like 2001:db8:100::/56 (addition).",
            )
            .example(Ex::Str(mode.pick("2001:db8:100::/56", "2001:db8:200::/56"))),
    ]
}

fn ipv4(text: &str) -> Option<String> {
    text.parse::<std::net::Ipv4Addr>()
        .ok()
        .map(|ip| ip.to_string())
}

fn ipv6_prefix(text: &str) -> Option<String> {
    crate::network::radius_policy::parse_prefix(text).map(|(len, addr)| format!("{addr}/{len}"))
}

/// An IPv4 address.
const IPV4: Normaliser = Normaliser {
    apply: ipv4,
    message: "must be an IPv4 address.",
    pattern: None,
};

/// An IPv6 prefix (`address/length`, no bits set past the length).
const IPV6_PREFIX: Normaliser = Normaliser {
    apply: ipv6_prefix,
    message: "must be an IPv6 prefix like 2001:db8:100::/56.",
    pattern: None,
};

/// The body of a customer create.
pub static CUSTOMER_CREATE: Contract = Contract {
    name: "CustomerCreateInput",
    description: Some(
        "The body of a customer create (the guide's fields, plus `onu_mac`,\n`username` and `operator_id`). Fields not listed here are ignored.",
    ),
    kind: ContractKind::Create,
    fields: &customer_fields(Mode::Create),
    example: None,
};

/// The body of a customer update.
pub static CUSTOMER_UPDATE: Contract = Contract {
    name: "CustomerUpdateInput",
    description: Some(
        "The body of a customer update: any of the create fields; only those sent change.",
    ),
    kind: ContractKind::Patch,
    fields: &customer_fields(Mode::Update),
    example: None,
};

/// A validated create body and the login password (sealed by the operation).
pub struct CreateCustomer(pub NewCustomer, pub Option<String>);
/// A validated update body and a new login password.
pub struct UpdateCustomer(pub CustomerChanges, pub Option<String>);

contract_type!(CreateCustomer, CUSTOMER_CREATE);
contract_type!(UpdateCustomer, CUSTOMER_UPDATE);

impl FromJsonObject for CreateCustomer {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&CUSTOMER_CREATE, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        let connection_type = f
            .take("connection_type")
            .text()
            .unwrap_or_else(|| "pppoe".into());
        let username = f.take("username").text();
        if needs_login(&connection_type) && username.is_none() && f.present("username") {
            // An explicit blank login for a login-based connection.
            f.error(
                "username",
                "The username field is required for pppoe and hotspot customers.",
            );
        }
        Self(
            NewCustomer {
                name: f.take("name").text_or_empty(),
                email: f.take("email").text(),
                phone: f.take("phone").text_or_empty(),
                address: f.take("address").text(),
                connection_type,
                package_id: f.take("package_id").int(),
                onu_mac: f.take("onu_mac").text(),
                username,
                operator_id: f.take("operator_id").int(),
                router_id: f.take("router_id").int(),
                login_password_sealed: None,
                static_ip: f.take("static_ip").text(),
                ipv6_prefix: f.take("ipv6_prefix").text(),
            },
            f.take("password").text(),
        )
    }
}

impl FromJsonObject for UpdateCustomer {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&CUSTOMER_UPDATE, Mode::Update));

    fn from_fields(f: &mut Fields) -> Self {
        Self(
            CustomerChanges {
                name: f.take("name").text(),
                email: f.take("email").patch_text(),
                phone: f.take("phone").text(),
                address: f.take("address").patch_text(),
                connection_type: f.take("connection_type").text(),
                package_id: f.take("package_id").int(),
                onu_mac: f.take("onu_mac").patch_text(),
                username: f.take("username").patch_text(),
                // null leaves the operator as it is.
                operator_id: f.take("operator_id").int().map(Some),
                // null takes the customer off its router.
                router_id: f.take("router_id").patch_int(),
                login_password_sealed: None,
                static_ip: f.take("static_ip").patch_text(),
                ipv6_prefix: f.take("ipv6_prefix").patch_text(),
            },
            f.take("password").text(),
        )
    }
}

wire_enum! {
    /// Status filter values.
    pub enum StatusFilter {
        Active = "active",
        Suspended = "suspended",
        Inactive = "inactive",
        Expired = "expired",
    }
}

wire_enum! {
    /// Sort orders of the customer list (`-` for descending).
    pub enum CustomerSort {
        Id = "id",
        IdDesc = "-id",
        Name = "name",
        NameDesc = "-name",
        CreatedAt = "created_at",
        CreatedAtDesc = "-created_at",
        Status = "status",
        StatusDesc = "-status",
    }
}

/// Builds the store filter from the query parameters.
#[allow(clippy::too_many_arguments)]
pub fn filter(
    status: Option<StatusFilter>,
    package_id: Option<i64>,
    operator_id: Option<i64>,
    search: Option<String>,
    from: Option<TimeBound>,
    to: Option<TimeBound>,
    sort: Option<CustomerSort>,
    due: bool,
) -> CustomerFilter {
    CustomerFilter {
        due,
        status: status.map(|s| s.as_str().to_string()),
        package_id,
        operator_id,
        search,
        created_from: from.map(TimeBound::start),
        created_to: to.map(TimeBound::end),
        sort: sort.map(|s| s.as_str().to_string()),
    }
}

wire_enum! {
    pub enum CustomerAction {
        Suspend = "suspend",
        Activate = "activate",
        Disconnect = "disconnect",
    }
}

/// An action on a customer.
pub static CUSTOMER_ACTION: Contract = Contract {
    name: "CustomerActionInput",
    description: Some("An action on a customer."),
    kind: ContractKind::Create,
    fields: &[
        Field::enumeration(
            "action",
            CustomerAction::VALUES,
            EnumRef::of::<CustomerAction>(),
        )
        .required()
        .describe("suspend, activate or disconnect.")
        .example(Ex::Str("suspend")),
        Field::text("reason")
            .max(500)
            .nullable()
            .describe("Why (kept in the event and shown to integrators).")
            .example(Ex::Str("unpaid for two months")),
    ],
    example: None,
};

/// A validated action body.
pub struct CustomerActionRequest {
    pub action: CustomerAction,
    pub reason: Option<String>,
}

contract_type!(CustomerActionRequest, CUSTOMER_ACTION);

impl FromJsonObject for CustomerActionRequest {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&CUSTOMER_ACTION, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        let action = match f.take("action").text().as_deref() {
            Some("activate") => CustomerAction::Activate,
            Some("disconnect") => CustomerAction::Disconnect,
            _ => CustomerAction::Suspend,
        };
        Self {
            action,
            reason: f.take("reason").text(),
        }
    }
}

wire_enum! {
    pub enum SubscriptionStatus {
        Active = "active",
        Ended = "ended",
        Expired = "expired",
        Cancelled = "cancelled",
    }
}

// ---- The answers: how a customer and its subscriptions are shown (row → JSON) ----

use poem_openapi::Object;

use crate::{
    contract::money::Amount,
    one, paginated,
    store::{
        customers::{CustomerRef, CustomerRow},
        subscriptions::SubscriptionRow,
    },
};

/// `{id, name}` of a customer's package (v2).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct PackageRef {
    pub id: i64,
    pub name: String,
}

/// A customer in API v2.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct V2Customer {
    pub id: i64,
    pub name: String,
    #[oai(nullable)]
    pub email: Option<String>,
    pub phone: String,
    #[oai(nullable)]
    pub address: Option<String>,
    #[oai(nullable)]
    pub package: Option<PackageRef>,
    pub connection_type: String,
    /// active, suspended, inactive or expired.
    pub status: String,
    #[oai(nullable)]
    pub onu_mac: Option<String>,
    #[oai(nullable)]
    pub username: Option<String>,
    #[oai(nullable)]
    pub router_id: Option<i64>,
    /// Handed out by RADIUS (Framed-IP-Address).
    #[oai(nullable)]
    pub static_ip: Option<String>,
    /// Delegated by RADIUS (Delegated-IPv6-Prefix).
    #[oai(nullable)]
    pub ipv6_prefix: Option<String>,
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// Credit (positive) the customer holds, in major units.
    pub balance: Amount,
    /// When the current paid period ends.
    #[oai(nullable)]
    pub expires_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CustomerRow> for V2Customer {
    fn from(c: CustomerRow) -> Self {
        Self {
            id: c.id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            package: c
                .package_id
                .zip(c.package_name)
                .map(|(id, name)| PackageRef { id, name }),
            connection_type: c.connection_type,
            status: c.status,
            onu_mac: c.onu_mac,
            username: c.username,
            router_id: c.router_id,
            static_ip: c.static_ip,
            ipv6_prefix: c.ipv6_prefix,
            operator_id: c.operator_id,
            balance: Amount(c.balance),
            expires_at: c.expires_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A customer in API v1: flatter, `package` is the package's name.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct V1Customer {
    pub id: i64,
    pub name: String,
    #[oai(nullable)]
    pub email: Option<String>,
    pub phone: String,
    #[oai(nullable)]
    pub address: Option<String>,
    /// The package's name.
    #[oai(nullable)]
    pub package: Option<String>,
    #[oai(nullable)]
    pub package_id: Option<i64>,
    pub connection_type: String,
    pub status: String,
    #[oai(nullable)]
    pub onu_mac: Option<String>,
    #[oai(nullable)]
    pub username: Option<String>,
    #[oai(nullable)]
    pub router_id: Option<i64>,
    /// Handed out by RADIUS (Framed-IP-Address).
    #[oai(nullable)]
    pub static_ip: Option<String>,
    /// Delegated by RADIUS (Delegated-IPv6-Prefix).
    #[oai(nullable)]
    pub ipv6_prefix: Option<String>,
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    pub balance: Amount,
    #[oai(nullable)]
    pub expires_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CustomerRow> for V1Customer {
    fn from(c: CustomerRow) -> Self {
        Self {
            id: c.id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            package: c.package_name,
            package_id: c.package_id,
            connection_type: c.connection_type,
            status: c.status,
            onu_mac: c.onu_mac,
            username: c.username,
            router_id: c.router_id,
            static_ip: c.static_ip,
            ipv6_prefix: c.ipv6_prefix,
            operator_id: c.operator_id,
            balance: Amount(c.balance),
            expires_at: c.expires_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// [`PackageRef`], borrowed.
#[derive(serde::Serialize)]
struct PackageView<'a> {
    id: i64,
    name: &'a str,
}

/// [`V2Customer`] written from a row as read: the same JSON, field for field
/// (a test holds them equal), without copying the row's text.
#[derive(serde::Serialize)]
struct V2CustomerView<'a> {
    id: i64,
    name: &'a str,
    email: Option<&'a str>,
    phone: &'a str,
    address: Option<&'a str>,
    package: Option<PackageView<'a>>,
    connection_type: &'a str,
    status: &'a str,
    onu_mac: Option<&'a str>,
    username: Option<&'a str>,
    router_id: Option<i64>,
    static_ip: Option<&'a str>,
    ipv6_prefix: Option<&'a str>,
    operator_id: Option<i64>,
    balance: Amount,
    expires_at: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
}

/// [`V1Customer`] written from a row as read (see [`V2CustomerView`]).
#[derive(serde::Serialize)]
struct V1CustomerView<'a> {
    id: i64,
    name: &'a str,
    email: Option<&'a str>,
    phone: &'a str,
    address: Option<&'a str>,
    package: Option<&'a str>,
    package_id: Option<i64>,
    connection_type: &'a str,
    status: &'a str,
    onu_mac: Option<&'a str>,
    username: Option<&'a str>,
    router_id: Option<i64>,
    static_ip: Option<&'a str>,
    ipv6_prefix: Option<&'a str>,
    operator_id: Option<i64>,
    balance: Amount,
    expires_at: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
}

/// Appends a customer as API v2 shows it ([`V2Customer`]).
pub fn write_v2(out: &mut Vec<u8>, c: CustomerRef<'_>) -> serde_json::Result<()> {
    serde_json::to_writer(
        out,
        &V2CustomerView {
            id: c.id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            package: c
                .package_id
                .zip(c.package_name)
                .map(|(id, name)| PackageView { id, name }),
            connection_type: c.connection_type,
            status: c.status,
            onu_mac: c.onu_mac,
            username: c.username,
            router_id: c.router_id,
            static_ip: c.static_ip,
            ipv6_prefix: c.ipv6_prefix,
            operator_id: c.operator_id,
            balance: Amount(c.balance),
            expires_at: c.expires_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        },
    )
}

/// Appends a customer as API v1 shows it ([`V1Customer`]).
pub fn write_v1(out: &mut Vec<u8>, c: CustomerRef<'_>) -> serde_json::Result<()> {
    serde_json::to_writer(
        out,
        &V1CustomerView {
            id: c.id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            package: c.package_name,
            package_id: c.package_id,
            connection_type: c.connection_type,
            status: c.status,
            onu_mac: c.onu_mac,
            username: c.username,
            router_id: c.router_id,
            static_ip: c.static_ip,
            ipv6_prefix: c.ipv6_prefix,
            operator_id: c.operator_id,
            balance: Amount(c.balance),
            expires_at: c.expires_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        },
    )
}

/// A subscription: a customer's package over a period.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Subscription {
    pub id: i64,
    pub customer_id: i64,
    pub package: PackageRef,
    pub starts_at: String,
    #[oai(nullable)]
    pub expires_at: Option<String>,
    #[oai(nullable)]
    pub ended_at: Option<String>,
    /// active, ended, expired or cancelled.
    pub status: String,
    pub auto_renew: bool,
}

impl From<SubscriptionRow> for Subscription {
    fn from(s: SubscriptionRow) -> Self {
        Self {
            id: s.id,
            customer_id: s.customer_id,
            package: PackageRef {
                id: s.package_id,
                name: s.package_name,
            },
            starts_at: s.starts_at,
            expires_at: s.expires_at,
            ended_at: s.ended_at,
            status: s.status,
            auto_renew: s.auto_renew,
        }
    }
}

paginated!(V1CustomerList, V1Customer);
paginated!(V2CustomerList, V2Customer);
paginated!(SubscriptionList, Subscription);

one!(V1CustomerOne, V1Customer);

one!(V2CustomerOne, V2Customer);

#[cfg(test)]
mod tests {
    use super::{write_v1, write_v2, V1Customer, V2Customer};
    use crate::domain::money::Money;
    use crate::store::customers::CustomerRow;

    fn rows() -> Vec<CustomerRow> {
        let full = CustomerRow {
            id: 7,
            name: "Rafiq \"Ra\" Islam\u{e9}".into(),
            email: Some("rafiq@example.com".into()),
            phone: "01711000007".into(),
            address: Some("House 1\\Road 2".into()),
            connection_type: "pppoe".into(),
            package_id: Some(3),
            package_name: Some("Home 20".into()),
            status: "active".into(),
            onu_mac: Some("AA:BB:CC:DD:EE:FF".into()),
            username: Some("rafiq7".into()),
            router_id: Some(2),
            operator_id: Some(4),
            balance: Money(150_050),
            expires_at: Some("2026-12-30T00:00:00Z".into()),
            created_at: "2026-11-30T00:00:00Z".into(),
            updated_at: "2026-11-30T01:00:00Z".into(),
            static_ip: Some("100.64.0.7".into()),
            ipv6_prefix: Some("2001:db8:7::/56".into()),
        };
        let bare = CustomerRow {
            static_ip: None,
            ipv6_prefix: None,
            email: None,
            address: None,
            package_id: None,
            package_name: None,
            onu_mac: None,
            username: None,
            router_id: None,
            operator_id: None,
            expires_at: None,
            balance: Money::ZERO,
            ..full.clone()
        };
        vec![full, bare]
    }

    #[test]
    fn rows_written_as_read_are_the_bytes_of_the_shown_customer() -> serde_json::Result<()> {
        for row in rows() {
            let mut v2 = Vec::new();
            write_v2(&mut v2, row.borrowed())?;
            assert_eq!(v2, serde_json::to_vec(&V2Customer::from(row.clone()))?);
            let mut v1 = Vec::new();
            write_v1(&mut v1, row.borrowed())?;
            assert_eq!(v1, serde_json::to_vec(&V1Customer::from(row))?);
        }
        Ok(())
    }
}
