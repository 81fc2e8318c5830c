//! What v1 and v2 share about customers: request bodies and their rules, list
//! filters, and the conversion of stored rows into each version's shape.

use crate::domain::visibility::Visibility;
use poem_openapi::{Enum, Object};

use crate::contract::text::SingleLine;
use crate::contract::{
    body::{Fields, FromJsonObject},
    filters::TimeBound,
    money::Amount,
};
use crate::{
    domain::{
        customer::{needs_login, normalise_mac, normalise_phone, valid_username, CONNECTION_TYPES},
        staff::normalise_email,
    },
    schema_as,
    store::customers::{CustomerChanges, CustomerFilter, CustomerRow, NewCustomer},
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
            operator_id: c.operator_id,
            balance: Amount(c.balance),
            expires_at: c.expires_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// The calls both versions make, with the caller's visibility applied.
pub mod ops {
    use super::*;
    use crate::{
        auth::principal::Principal,
        contract::pagination::PageRequest,
        domain::staff::Role,
        error::{ApiError, ApiResult},
        state::AppState,
        store::{
            customers,
            subscriptions::{self, SubscriptionRow},
        },
    };

    /// Seals a login password for storage.
    fn seal(state: &AppState, password: Option<String>) -> ApiResult<Option<String>> {
        password
            .map(|p| {
                state
                    .seal_key
                    .seal(crate::store::customers::LOGIN_PASSWORD_PURPOSE, &p)
                    .map_err(ApiError::internal)
            })
            .transpose()
    }

    pub async fn create(
        state: &AppState,
        caller: &Principal,
        input: CreateCustomer,
    ) -> ApiResult<CustomerRow> {
        let CreateCustomer(mut new, password) = input;
        new.login_password_sealed = seal(state, password)?;
        if caller.role == Some(Role::OperatorStaff) {
            // A reseller's staff create customers for their own operator.
            new.operator_id = caller.visibility().operator_id;
        }
        let now = state.clock.now();
        Ok(state
            .db
            .write_async(move |tx| customers::create(tx, &new, now))
            .await?)
    }

    pub async fn get(state: &AppState, caller: &Principal, id: i64) -> ApiResult<CustomerRow> {
        let vis = caller.visibility();
        state
            .db
            .read_async(move |c| customers::get(c, id, vis))
            .await?
            .ok_or_else(ApiError::not_found)
    }

    pub async fn list(
        state: &AppState,
        caller: &Principal,
        filter: CustomerFilter,
        page: PageRequest,
    ) -> ApiResult<(Vec<CustomerRow>, u64)> {
        let vis = caller.visibility();
        Ok(state
            .db
            .read_async(move |c| customers::list(c, &filter, vis, page.limit(), page.offset()))
            .await?)
    }

    pub async fn update(
        state: &AppState,
        caller: &Principal,
        id: i64,
        input: UpdateCustomer,
    ) -> ApiResult<CustomerRow> {
        let UpdateCustomer(mut changes, password) = input;
        if password.is_some() {
            changes.login_password_sealed = Some(seal(state, password)?);
        }
        if caller.role == Some(Role::OperatorStaff) {
            changes.operator_id = None; // a reseller cannot hand customers away
        }
        let vis = caller.visibility();
        let now = state.clock.now();
        Ok(state
            .db
            .write_async(move |tx| customers::update(tx, id, vis, &changes, now))
            .await?)
    }

    pub async fn set_status(
        state: &AppState,
        caller: &Principal,
        id: i64,
        status: &'static str,
        reason: String,
    ) -> ApiResult<CustomerRow> {
        let vis = caller.visibility();
        let now = state.clock.now();
        Ok(state
            .db
            .write_async(move |tx| {
                let row = customers::set_status(tx, id, vis, status, &reason, now)?;
                // A status set by hand takes over from the billing run's.
                crate::store::billing_run::close_auto_suspensions(
                    tx,
                    id,
                    &crate::clock::format_timestamp(now),
                )?;
                Ok(row)
            })
            .await?)
    }

    pub async fn delete(state: &AppState, caller: &Principal, id: i64) -> ApiResult<()> {
        let vis: Visibility = caller.visibility();
        Ok(state
            .db
            .write_async(move |tx| customers::delete(tx, id, vis))
            .await?)
    }

    /// 404 unless the caller may see customer `id`.
    pub async fn ensure_visible(state: &AppState, vis: Visibility, id: i64) -> ApiResult<()> {
        state
            .db
            .read_async(move |c| customers::get(c, id, vis))
            .await?
            .map(|_| ())
            .ok_or_else(ApiError::not_found)
    }

    pub async fn subscriptions(
        state: &AppState,
        caller: &Principal,
        id: i64,
        page: PageRequest,
    ) -> ApiResult<(Vec<SubscriptionRow>, u64)> {
        let vis = caller.visibility();
        Ok(state
            .db
            .read_async(move |c| {
                customers::get(c, id, vis)?.ok_or(crate::store::StoreError::NotFound)?;
                subscriptions::for_customer(c, id, page.limit(), page.offset())
            })
            .await?)
    }
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

impl From<crate::store::subscriptions::SubscriptionRow> for Subscription {
    fn from(s: crate::store::subscriptions::SubscriptionRow) -> Self {
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
