//! VPN accounts: `GET /api/v1/vpn/accounts`, `GET /api/v1/vpn/accounts/{account}`
//! and `.../{account}/config` (`{account}` = id or name); v2 list, and
//! (additions) create/get/update/delete, `.../{id}/config` and
//! `.../{id}/rotate-keys`. Reading needs `vpn:read`, changing `network:write`.
//! A reseller's staff see only the accounts of their customers.
//!
//! WireGuard keys are generated here; the private key and the login password are
//! sealed at rest and appear only in a downloaded config, never in a JSON view.

use poem::{
    http::{header, StatusCode},
    web::Data,
    IntoResponse, Response,
};
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
    ApiResponse, Object, OpenApi,
};

use crate::contract::text::{SingleLine, TextRule};
use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::{principal::Principal, scope::Scope},
    clock::format_timestamp,
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    domain::visibility::Visibility,
    error::{ApiError, ApiResult},
    paginated, schema_as,
    state::AppState,
    store::{
        vpn_accounts::{self, VpnAccountFields, VpnAccountFilter, VpnAccountRow},
        StoreError,
    },
    vpn::{self, AccountView, ClientFile, PROTOCOLS},
};

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

#[derive(Debug, Object)]
pub struct VpnAccountOne {
    pub data: VpnAccount,
}

paginated!(VpnAccountList, VpnAccount);

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum VpnProtocol {
    Wireguard,
    Openvpn,
    L2tp,
}

impl VpnProtocol {
    fn as_str(self) -> &'static str {
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

/// Whose account it is.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Customer(i64),
    Router(i64),
}

#[derive(Debug, Default)]
pub struct VpnPatch {
    name: Option<String>,
    protocol: Option<String>,
    owner: Option<Owner>,
    addresses: Option<String>,
    enabled: Option<bool>,
    username: Option<Option<String>>,
    password: Option<String>,
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

pub struct NewVpnAccount(VpnPatch);
pub struct VpnAccountChanges(VpnPatch);
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

/// Secrets prepared outside the transaction: a fresh key pair (WireGuard
/// accounts being created) and the new password, both sealed.
#[derive(Default)]
struct Sealed {
    keys: Option<(String, String)>,
    password: Option<String>,
}

impl VpnPatch {
    /// The whole record after the change, with the rules that span fields.
    fn apply(
        self,
        base: Option<VpnAccountRow>,
        sealed: Sealed,
    ) -> Result<VpnAccountFields, StoreError> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
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
            Err(StoreError::Invalid(problems))
        }
    }
}

/// A client config file: `200` with the file as an attachment.
pub struct ConfigFile(ClientFile);

impl IntoResponse for ConfigFile {
    fn into_response(self) -> Response {
        let file = self.0;
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, file.content_type)
            .header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.filename),
            )
            // It holds a private key or a password.
            .header(header::CACHE_CONTROL, "no-store")
            .body(file.body)
    }
}

impl ApiResponse for ConfigFile {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The client config: a WireGuard `.conf` or an L2TP instruction \
                              sheet (text/plain), or an OpenVPN profile.",
                status: Some(200),
                status_range: None,
                content: vec![
                    MetaMediaType {
                        content_type: vpn::TEXT_PLAIN,
                        schema: String::schema_ref(),
                    },
                    MetaMediaType {
                        content_type: vpn::OPENVPN_PROFILE,
                        schema: String::schema_ref(),
                    },
                ],
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some(
                        "`attachment; filename=\"<name>.conf\"` (`.ovpn`, `-l2tp.txt`); the name \
                         keeps ASCII letters, digits, `-` and `_`."
                            .into(),
                    ),
                    required: true,
                    deprecated: false,
                    schema: String::schema_ref(),
                }],
            }],
        }
    }

    fn register(_registry: &mut Registry) {}
}

#[derive(ApiResponse)]
pub enum VpnAccountCreated {
    #[oai(status = 201)]
    Created(Json<VpnAccountOne>),
}

#[derive(ApiResponse)]
pub enum VpnAccountDeleted {
    #[oai(status = 204)]
    NoContent,
}

/// How a v1 path names an account.
enum Lookup {
    Id(i64),
    Name(String),
}

impl Lookup {
    /// Digits are an id (falling back to a name), anything else a name.
    fn parse(text: &str) -> Self {
        match text.parse::<i64>() {
            Ok(id) if id > 0 => Lookup::Id(id),
            _ => Lookup::Name(text.to_string()),
        }
    }
}

async fn find(state: &AppState, vis: Visibility, lookup: Lookup) -> ApiResult<VpnAccountRow> {
    state
        .db
        .read_async(move |c| match lookup {
            Lookup::Id(id) => match vpn_accounts::get(c, id, vis)? {
                Some(row) => Ok(Some(row)),
                None => vpn_accounts::get_by_name(c, &id.to_string(), vis),
            },
            Lookup::Name(name) => vpn_accounts::get_by_name(c, &name, vis),
        })
        .await?
        .ok_or_else(ApiError::not_found)
}

async fn list_accounts(
    state: &AppState,
    who: &Principal,
    filter: VpnAccountFilter,
    page: PageRequest,
) -> ApiResult<VpnAccountList> {
    let vis = who.visibility();
    let (rows, total) = state
        .db
        .read_async(move |c| vpn_accounts::list(c, &filter, vis, page.limit(), page.offset()))
        .await?;
    Ok(VpnAccountList::new(
        rows.into_iter().map(Into::into).collect(),
        u64::try_from(total).unwrap_or(0),
        &page,
    ))
}

fn seal(state: &AppState, purpose: &str, secret: &str) -> ApiResult<String> {
    state
        .seal_key
        .seal(purpose, secret)
        .map_err(ApiError::internal)
}

fn open(state: &AppState, purpose: &str, sealed: Option<&str>) -> ApiResult<String> {
    let sealed = sealed.ok_or_else(|| ApiError::internal("a VPN secret is missing"))?;
    state
        .seal_key
        .open(purpose, sealed)
        .map_err(ApiError::internal)
}

/// A fresh key pair, the private key sealed: (public, sealed private).
fn new_keys(state: &AppState) -> ApiResult<(String, String)> {
    let pair = vpn::generate_keypair().map_err(ApiError::internal)?;
    Ok((
        pair.public_key,
        seal(state, vpn::PRIVATE_KEY_PURPOSE, &pair.private_key)?,
    ))
}

/// Renders the account's client config.
fn render(state: &AppState, row: &VpnAccountRow) -> ApiResult<ConfigFile> {
    if !row.enabled {
        return Err(ApiError::conflict(
            "The VPN account is disabled; enable it (`enabled: true`) to download its config.",
        ));
    }
    let cfg = &state.config.vpn;
    let view = AccountView {
        name: &row.name,
        addresses: &row.addresses,
        username: row.username.as_deref(),
    };
    let file = match row.protocol.as_str() {
        "wireguard" => {
            let key = open(
                state,
                vpn::PRIVATE_KEY_PURPOSE,
                row.private_key_sealed.as_deref(),
            )?;
            vpn::wireguard(&cfg.wireguard, &view, &key)
        }
        "openvpn" => vpn::openvpn(&cfg.openvpn, &view),
        _ => {
            let password = open(state, vpn::PASSWORD_PURPOSE, row.password_sealed.as_deref())?;
            vpn::l2tp(&cfg.l2tp, &view, &password)
        }
    };
    file.map(ConfigFile).map_err(ApiError::conflict)
}

#[derive(Default)]
pub struct VpnApi;

#[OpenApi(tag = "ApiTags::Vpn")]
impl VpnApi {
    /// List VPN accounts (v1)
    ///
    /// Newest first. Filters: `customer_id`, `router_id`, `protocol`. A
    /// reseller's staff see only their customers' accounts.
    #[oai(
        path = "/api/v1/vpn/accounts",
        method = "get",
        operation_id = "v1_vpn_accounts_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn v1_list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::VpnRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
        protocol: Query<Option<VpnProtocol>>,
    ) -> ApiResult<Json<VpnAccountList>> {
        let filter = VpnAccountFilter {
            customer_id: customer_id.0,
            router_id: router_id.0,
            protocol: protocol.0.map(|p| p.as_str().to_string()),
        };
        Ok(Json(
            list_accounts(
                &state,
                &auth.0,
                filter,
                PageRequest::new(page.0, per_page.0),
            )
            .await?,
        ))
    }

    /// Retrieve a VPN account (v1)
    ///
    /// `{account}` is the id or the name.
    #[oai(
        path = "/api/v1/vpn/accounts/:account",
        method = "get",
        operation_id = "v1_vpn_accounts_get"
    )]
    async fn v1_get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::VpnRead")] auth: V1Auth,
        #[oai(validator(min_length = 1, max_length = 100))] account: Path<String>,
    ) -> ApiResult<Json<VpnAccountOne>> {
        let row = find(&state, auth.0.visibility(), Lookup::parse(&account.0)).await?;
        Ok(Json(VpnAccountOne { data: row.into() }))
    }

    /// Download a VPN account's client config (v1)
    ///
    /// `{account}` is the id or the name. WireGuard: a `.conf` for wg-quick and
    /// the WireGuard apps; OpenVPN: an `.ovpn` profile with the CA inline; L2TP:
    /// an instruction sheet (`<name>-l2tp.txt`). A disabled account, or a server
    /// side not set in `[vpn]` of the config file: 409 naming what to change.
    #[oai(
        path = "/api/v1/vpn/accounts/:account/config",
        method = "get",
        operation_id = "v1_vpn_accounts_config"
    )]
    async fn v1_config(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::VpnRead")] auth: V1Auth,
        #[oai(validator(min_length = 1, max_length = 100))] account: Path<String>,
    ) -> ApiResult<ConfigFile> {
        let row = find(&state, auth.0.visibility(), Lookup::parse(&account.0)).await?;
        render(&state, &row)
    }

    /// List VPN accounts (v2)
    ///
    /// Newest first. Filters: `customer_id`, `router_id`, `protocol`.
    #[oai(
        path = "/api/v2/vpn/accounts",
        method = "get",
        operation_id = "v2_vpn_accounts_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn v2_list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::VpnRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1")))] router_id: Query<Option<i64>>,
        protocol: Query<Option<VpnProtocol>>,
    ) -> ApiResult<Json<VpnAccountList>> {
        let filter = VpnAccountFilter {
            customer_id: customer_id.0,
            router_id: router_id.0,
            protocol: protocol.0.map(|p| p.as_str().to_string()),
        };
        Ok(Json(
            list_accounts(
                &state,
                &auth.0,
                filter,
                PageRequest::new(page.0, per_page.0),
            )
            .await?,
        ))
    }

    /// Create a VPN account (v2, addition)
    ///
    /// WireGuard: a key pair is generated; the view shows the public key (add
    /// it as a peer on the server). The password is stored sealed, never shown.
    #[oai(
        path = "/api/v2/vpn/accounts",
        method = "post",
        operation_id = "v2_vpn_accounts_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] _auth: V2Auth,
        body: JsonBody<NewVpnAccount>,
    ) -> ApiResult<VpnAccountCreated> {
        let mut patch = body.0 .0;
        let sealed = Sealed {
            keys: match patch.protocol.as_deref() {
                Some("wireguard") => Some(new_keys(&state)?),
                _ => None,
            },
            password: patch
                .password
                .take()
                .map(|p| seal(&state, vpn::PASSWORD_PURPOSE, &p))
                .transpose()?,
        };
        let fields = patch.apply(None, sealed)?;
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| vpn_accounts::create(tx, &fields, &now))
            .await?;
        Ok(VpnAccountCreated::Created(Json(VpnAccountOne {
            data: row.into(),
        })))
    }

    /// Retrieve a VPN account (v2, addition)
    #[oai(
        path = "/api/v2/vpn/accounts/:id",
        method = "get",
        operation_id = "v2_vpn_accounts_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::VpnRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<VpnAccountOne>> {
        let vis = auth.0.visibility();
        let row = state
            .db
            .read_async(move |c| vpn_accounts::get(c, id.0, vis))
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(VpnAccountOne { data: row.into() }))
    }

    /// Update a VPN account (v2, addition)
    ///
    /// Only the fields sent change; a new password replaces the old one. The
    /// protocol cannot change.
    #[oai(
        path = "/api/v2/vpn/accounts/:id",
        method = "put",
        operation_id = "v2_vpn_accounts_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<VpnAccountChanges>,
    ) -> ApiResult<Json<VpnAccountOne>> {
        let mut patch = body.0 .0;
        let sealed = Sealed {
            keys: None,
            password: patch
                .password
                .take()
                .map(|p| seal(&state, vpn::PASSWORD_PURPOSE, &p))
                .transpose()?,
        };
        let vis = auth.0.visibility();
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| {
                let current = vpn_accounts::get(tx, id.0, vis)?.ok_or(StoreError::NotFound)?;
                let fields = patch.apply(Some(current), sealed)?;
                vpn_accounts::update(tx, id.0, &fields, &now)
            })
            .await?;
        Ok(Json(VpnAccountOne { data: row.into() }))
    }

    /// Delete a VPN account (v2, addition)
    #[oai(
        path = "/api/v2/vpn/accounts/:id",
        method = "delete",
        operation_id = "v2_vpn_accounts_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<VpnAccountDeleted> {
        let vis = auth.0.visibility();
        state
            .db
            .write_async(move |tx| {
                vpn_accounts::get(tx, id.0, vis)?.ok_or(StoreError::NotFound)?;
                vpn_accounts::delete(tx, id.0)
            })
            .await?;
        Ok(VpnAccountDeleted::NoContent)
    }

    /// Download a VPN account's client config (v2, addition)
    ///
    /// WireGuard: a `.conf` for wg-quick and the WireGuard apps; OpenVPN: an
    /// `.ovpn` profile with the CA inline; L2TP: an instruction sheet
    /// (`<name>-l2tp.txt`). A disabled account, or a server side not set in
    /// `[vpn]` of the config file: 409 naming what to change.
    #[oai(
        path = "/api/v2/vpn/accounts/:id/config",
        method = "get",
        operation_id = "v2_vpn_accounts_config"
    )]
    async fn config(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::VpnRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<ConfigFile> {
        let vis = auth.0.visibility();
        let row = state
            .db
            .read_async(move |c| vpn_accounts::get(c, id.0, vis))
            .await?
            .ok_or_else(ApiError::not_found)?;
        render(&state, &row)
    }

    /// Replace a WireGuard account's key pair (v2, addition)
    ///
    /// The old key stops working once the server has the new public key (shown
    /// in the answer); configs downloaded before hold the old key. Not
    /// WireGuard: 409.
    #[oai(
        path = "/api/v2/vpn/accounts/:id/rotate-keys",
        method = "post",
        operation_id = "v2_vpn_accounts_rotate_keys"
    )]
    async fn rotate_keys(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<VpnAccountOne>> {
        let (public, private) = new_keys(&state)?;
        let vis = auth.0.visibility();
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| {
                let current = vpn_accounts::get(tx, id.0, vis)?.ok_or(StoreError::NotFound)?;
                if current.protocol != "wireguard" {
                    return Err(StoreError::Conflict(
                        "Only WireGuard accounts have keys.".into(),
                    ));
                }
                let mut fields = VpnAccountFields::from(current);
                fields.public_key = Some(public);
                fields.private_key_sealed = Some(private);
                vpn_accounts::update(tx, id.0, &fields, &now)
            })
            .await?;
        Ok(Json(VpnAccountOne { data: row.into() }))
    }
}
