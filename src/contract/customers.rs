//! Customers' request contracts: the create and update bodies with their rules,
//! the v1 action body, and the list's query values (status, sort) with the
//! store filter they make.

use poem_openapi::{Enum, Object};

use crate::contract::text::SingleLine;
use crate::contract::{
    body::{Fields, FromJsonObject},
    filters::TimeBound,
};
use crate::{
    domain::{
        customer::{needs_login, normalise_mac, normalise_phone, valid_username, CONNECTION_TYPES},
        staff::normalise_email,
    },
    schema_as,
    store::customers::{CustomerChanges, CustomerFilter, NewCustomer},
};

/// The body of a customer create (the guide's fields, plus `onu_mac`,
/// `username` and `operator_id`). Fields not listed here are ignored.
#[derive(Debug, Object)]
pub struct CustomerCreateInput {
    #[oai(validator(min_length = 1, max_length = 255))]
    pub name: SingleLine,
    /// A mobile number: Bangladesh `01[3-9]XXXXXXXX` (also with +880) or E.164.
    #[oai(validator(pattern = r"^(\+?880|0)1[3-9][0-9]{8}$|^\+[1-9][0-9]{7,14}$"))]
    pub phone: String,
    #[oai(nullable, validator(min_length = 3, max_length = 254))]
    pub email: Option<SingleLine>,
    /// The package; must exist.
    #[oai(nullable, validator(minimum(value = "1")))]
    pub package_id: Option<i64>,
    #[oai(nullable, validator(max_length = 500))]
    pub address: Option<SingleLine>,
    /// pppoe (default), hotspot, static, fiber or wireless.
    #[oai(nullable)]
    pub connection_type: Option<ConnectionType>,
    /// The ONU's MAC address (fiber).
    #[oai(
        nullable,
        validator(pattern = r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")
    )]
    pub onu_mac: Option<String>,
    /// PPPoE/hotspot login name; unique on its router.
    #[oai(nullable, validator(pattern = r"^[A-Za-z0-9._@-]{1,64}$"))]
    pub username: Option<String>,
    /// The reseller the customer belongs to (ignored for a reseller's own staff).
    #[oai(nullable, validator(minimum(value = "1")))]
    pub operator_id: Option<i64>,
    /// The MikroTik router the PPPoE/hotspot login lives on (addition).
    #[oai(nullable, validator(minimum(value = "1")))]
    pub router_id: Option<i64>,
    /// The PPPoE/hotspot login password (addition; stored sealed, never shown).
    #[oai(nullable, validator(min_length = 1, max_length = 64))]
    pub password: Option<SingleLine>,
}

/// The body of a customer update: any of the create fields; only those sent change.
#[derive(Debug, Object)]
pub struct CustomerUpdateInput {
    #[oai(nullable, validator(min_length = 1, max_length = 255))]
    pub name: Option<SingleLine>,
    #[oai(
        nullable,
        validator(pattern = r"^(\+?880|0)1[3-9][0-9]{8}$|^\+[1-9][0-9]{7,14}$")
    )]
    pub phone: Option<String>,
    #[oai(nullable, validator(min_length = 3, max_length = 254))]
    pub email: Option<SingleLine>,
    /// A new package ends the current subscription and starts the next.
    #[oai(nullable, validator(minimum(value = "1")))]
    pub package_id: Option<i64>,
    #[oai(nullable, validator(max_length = 500))]
    pub address: Option<SingleLine>,
    #[oai(nullable)]
    pub connection_type: Option<ConnectionType>,
    #[oai(
        nullable,
        validator(pattern = r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")
    )]
    pub onu_mac: Option<String>,
    #[oai(nullable, validator(pattern = r"^[A-Za-z0-9._@-]{1,64}$"))]
    pub username: Option<String>,
    #[oai(nullable, validator(minimum(value = "1")))]
    pub operator_id: Option<i64>,
    /// null takes the customer off its router (its login is removed there).
    #[oai(nullable, validator(minimum(value = "1")))]
    pub router_id: Option<i64>,
    #[oai(nullable, validator(min_length = 1, max_length = 64))]
    pub password: Option<SingleLine>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ConnectionType {
    Pppoe,
    Hotspot,
    Static,
    Fiber,
    Wireless,
}

/// A validated create body and the login password (sealed by the handler).
pub struct CreateCustomer(pub NewCustomer, pub Option<String>);
/// A validated update body and a new login password.
pub struct UpdateCustomer(pub CustomerChanges, pub Option<String>);

fn read_password(f: &mut Fields) -> Option<String> {
    let p = f.optional_string("password")?;
    if p.is_empty() || p.chars().count() > 64 || p.chars().any(char::is_control) {
        f.error(
            "password",
            "The password must be 1 to 64 characters without control characters.",
        );
        return None;
    }
    Some(p)
}

schema_as!(CreateCustomer, CustomerCreateInput);
schema_as!(UpdateCustomer, CustomerUpdateInput);

fn read_name(f: &mut Fields) -> String {
    let name = f.required_string("name");
    if name.chars().count() > 255 {
        f.error("name", "The name may not be longer than 255 characters.");
    }
    name
}

fn read_phone(f: &mut Fields) -> String {
    let phone = f.required_string("phone");
    if f.has_error("phone") {
        return phone;
    }
    match normalise_phone(&phone) {
        Some(p) => p,
        None => {
            f.error(
                "phone",
                "The phone must be a valid mobile number (01XXXXXXXXX or +8801XXXXXXXXX, or E.164).",
            );
            phone
        }
    }
}

fn read_email(f: &mut Fields) -> Option<Option<String>> {
    let email = f.nullable_nonblank("email")?;
    Some(email.and_then(|e| {
        let normal = normalise_email(&e);
        if normal.is_none() {
            f.error("email", "The email must be a valid email address.");
        }
        normal
    }))
}

fn read_mac(f: &mut Fields) -> Option<Option<String>> {
    let mac = f.nullable_nonblank("onu_mac")?;
    Some(mac.and_then(|m| {
        let normal = normalise_mac(&m);
        if normal.is_none() {
            f.error(
                "onu_mac",
                "The onu mac must be a MAC address such as AA:BB:CC:DD:EE:FF.",
            );
        }
        normal
    }))
}

fn read_username(f: &mut Fields) -> Option<Option<String>> {
    let name = f.nullable_nonblank("username")?;
    Some(name.filter(|n| {
        let ok = valid_username(n);
        if !ok {
            f.error(
                "username",
                "The username may contain letters, digits and . _ - @ (64 at most).",
            );
        }
        ok
    }))
}

fn read_positive_id(f: &mut Fields, name: &str, invalid: &str) -> Option<i64> {
    let id = f.optional_integer(name)?;
    if id < 1 {
        f.error(name, invalid.to_string());
        return None;
    }
    Some(id)
}

fn read_address(f: &mut Fields) -> Option<Option<String>> {
    let address = f.nullable_string("address")?;
    if address.as_ref().is_some_and(|a| a.chars().count() > 500) {
        f.error(
            "address",
            "The address may not be longer than 500 characters.",
        );
    }
    Some(address)
}

impl FromJsonObject for CreateCustomer {
    fn from_fields(f: &mut Fields) -> Self {
        let connection_type = f
            .optional_choice("connection_type", &CONNECTION_TYPES)
            .unwrap_or_else(|| "pppoe".into());
        let username = read_username(f).flatten();
        if needs_login(&connection_type) && username.is_none() && f.present("username") {
            // An explicit blank login for a login-based connection.
            f.error(
                "username",
                "The username field is required for pppoe and hotspot customers.",
            );
        }
        Self(
            NewCustomer {
                name: read_name(f),
                email: read_email(f).flatten(),
                phone: read_phone(f),
                address: read_address(f).flatten(),
                connection_type,
                package_id: read_positive_id(f, "package_id", "The selected package is invalid."),
                onu_mac: read_mac(f).flatten(),
                username,
                operator_id: read_positive_id(
                    f,
                    "operator_id",
                    "The selected operator is invalid.",
                ),
                router_id: read_positive_id(f, "router_id", "The selected router is invalid."),
                login_password_sealed: None,
            },
            read_password(f),
        )
    }
}

impl FromJsonObject for UpdateCustomer {
    fn from_fields(f: &mut Fields) -> Self {
        let name = f.present("name").then(|| read_name(f));
        let phone = f.present("phone").then(|| read_phone(f));
        Self(
            CustomerChanges {
                name,
                email: read_email(f),
                phone,
                address: read_address(f),
                connection_type: f.optional_choice("connection_type", &CONNECTION_TYPES),
                package_id: read_positive_id(f, "package_id", "The selected package is invalid."),
                onu_mac: read_mac(f),
                username: read_username(f),
                operator_id: if f.present("operator_id") {
                    Some(read_positive_id(
                        f,
                        "operator_id",
                        "The selected operator is invalid.",
                    ))
                } else {
                    None
                },
                router_id: if f.is_null("router_id") {
                    Some(None)
                } else if f.present("router_id") {
                    Some(read_positive_id(
                        f,
                        "router_id",
                        "The selected router is invalid.",
                    ))
                } else {
                    None
                },
                login_password_sealed: None,
            },
            read_password(f),
        )
    }
}

/// Status filter values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum StatusFilter {
    Active,
    Suspended,
    Inactive,
    Expired,
}

/// Sort orders of the customer list (`-` for descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum CustomerSort {
    #[oai(rename = "id")]
    Id,
    #[oai(rename = "-id")]
    IdDesc,
    #[oai(rename = "name")]
    Name,
    #[oai(rename = "-name")]
    NameDesc,
    #[oai(rename = "created_at")]
    CreatedAt,
    #[oai(rename = "-created_at")]
    CreatedAtDesc,
    #[oai(rename = "status")]
    Status,
    #[oai(rename = "-status")]
    StatusDesc,
}

impl StatusFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Active => "active",
            StatusFilter::Suspended => "suspended",
            StatusFilter::Inactive => "inactive",
            StatusFilter::Expired => "expired",
        }
    }
}

impl CustomerSort {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerSort::Id => "id",
            CustomerSort::IdDesc => "-id",
            CustomerSort::Name => "name",
            CustomerSort::NameDesc => "-name",
            CustomerSort::CreatedAt => "created_at",
            CustomerSort::CreatedAtDesc => "-created_at",
            CustomerSort::Status => "status",
            CustomerSort::StatusDesc => "-status",
        }
    }
}

/// Builds the store filter from the query parameters.
pub fn filter(
    status: Option<StatusFilter>,
    package_id: Option<i64>,
    operator_id: Option<i64>,
    search: Option<String>,
    from: Option<TimeBound>,
    to: Option<TimeBound>,
    sort: Option<CustomerSort>,
) -> CustomerFilter {
    CustomerFilter {
        status: status.map(|s| s.as_str().to_string()),
        package_id,
        operator_id,
        search,
        created_from: from.map(TimeBound::start),
        created_to: to.map(TimeBound::end),
        sort: sort.map(|s| s.as_str().to_string()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum CustomerAction {
    Suspend,
    Activate,
    Disconnect,
}

/// An action on a customer.
#[derive(Debug, Object)]
pub struct CustomerActionInput {
    /// suspend, activate or disconnect.
    pub action: CustomerAction,
    /// Why (kept in the event and shown to integrators).
    #[oai(nullable, validator(max_length = 500))]
    pub reason: Option<SingleLine>,
}

/// A validated action body.
pub struct CustomerActionRequest {
    pub action: CustomerAction,
    pub reason: Option<String>,
}

schema_as!(CustomerActionRequest, CustomerActionInput);

impl FromJsonObject for CustomerActionRequest {
    fn from_fields(f: &mut Fields) -> Self {
        let action = match f.required_string("action").as_str() {
            "suspend" => CustomerAction::Suspend,
            "activate" => CustomerAction::Activate,
            "disconnect" => CustomerAction::Disconnect,
            _ => {
                if !f.has_error("action") {
                    f.error(
                        "action",
                        "The selected action is invalid (suspend, activate or disconnect).",
                    );
                }
                CustomerAction::Suspend
            }
        };
        let reason = f.optional_string("reason");
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            f.error(
                "reason",
                "The reason may not be longer than 500 characters.",
            );
        }
        Self { action, reason }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum SubscriptionStatus {
    Active,
    Ended,
    Expired,
    Cancelled,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Ended => "ended",
            SubscriptionStatus::Expired => "expired",
            SubscriptionStatus::Cancelled => "cancelled",
        }
    }
}
