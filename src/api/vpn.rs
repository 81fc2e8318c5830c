//! VPN accounts: `GET /api/v1/vpn/accounts`, `GET /api/v1/vpn/accounts/{account}`
//! and `.../{account}/config` (`{account}` = id or name); v2 list, and
//! (additions) create/get/update/delete, `.../{id}/config` and
//! `.../{id}/rotate-keys`. Reading needs `vpn:read`, changing `network:write`.
//! A reseller's staff see only the accounts of their customers.
//!
//! WireGuard keys are generated here; the private key and the login password are
//! sealed at rest and appear only in a downloaded config, never in a JSON view.
//!
//! The routes and their answers (status codes, the config file); the bodies and
//! the account's shape are in `contract::vpn`.

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
    ApiResponse, OpenApi,
};

use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        answer::Deleted,
        body::JsonBody,
        pagination::{PageParam, PageRequest, PerPageParam},
        vpn::{NewVpnAccount, VpnAccountChanges, VpnAccountList, VpnAccountOne, VpnProtocol},
    },
    created,
    error::ApiResult,
    ops::{
        vpn::{self as op, AccountRef},
        Caller,
    },
    state::AppState,
    store::vpn_accounts::VpnAccountFilter,
    vpn::{self, ClientFile},
};

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

created!(VpnAccountCreated, Json<VpnAccountOne>);

/// Both list operations (v1 and v2 take the same parameters).
#[allow(clippy::too_many_arguments)]
async fn list(
    state: &AppState,
    caller: Caller,
    page: PageParam,
    per_page: PerPageParam,
    customer_id: Option<i64>,
    router_id: Option<i64>,
    protocol: Option<VpnProtocol>,
) -> ApiResult<Json<VpnAccountList>> {
    let page = PageRequest::new(page, per_page);
    let filter = VpnAccountFilter {
        customer_id,
        router_id,
        protocol: protocol.map(|p| p.as_str().to_string()),
    };
    let (rows, total) = op::list(&state.ctx(), &caller, filter, page).await?;
    Ok(Json(VpnAccountList::of(rows, total, &page)))
}

/// Both config downloads (v1 by id or name, v2 by id).
async fn config(state: &AppState, caller: Caller, account: AccountRef) -> ApiResult<ConfigFile> {
    let file = op::config(&state.ctx(), &caller, &state.seal_key, account).await?;
    Ok(ConfigFile(file))
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
        let caller = auth.caller();
        list(
            &state,
            caller,
            page.0,
            per_page.0,
            customer_id.0,
            router_id.0,
            protocol.0,
        )
        .await
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
        let account = AccountRef::IdOrName(account.0);
        let row = op::get(&state.ctx(), &auth.caller(), account).await?;
        Ok(Json(VpnAccountOne::of(row)))
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
        config(&state, auth.caller(), AccountRef::IdOrName(account.0)).await
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
        let caller = auth.caller();
        list(
            &state,
            caller,
            page.0,
            per_page.0,
            customer_id.0,
            router_id.0,
            protocol.0,
        )
        .await
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
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        body: JsonBody<NewVpnAccount>,
    ) -> ApiResult<VpnAccountCreated> {
        let row = op::create(&state.ctx(), &auth.caller(), &state.seal_key, body.0 .0).await?;
        Ok(VpnAccountCreated::Created(Json(VpnAccountOne::of(row))))
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
        let row = op::get(&state.ctx(), &auth.caller(), AccountRef::Id(id.0)).await?;
        Ok(Json(VpnAccountOne::of(row)))
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
        let caller = auth.caller();
        let row = op::update(&state.ctx(), &caller, &state.seal_key, id.0, body.0 .0).await?;
        Ok(Json(VpnAccountOne::of(row)))
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
    ) -> ApiResult<Deleted> {
        op::delete(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Deleted::NoContent)
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
        config(&state, auth.caller(), AccountRef::Id(id.0)).await
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
        let caller = auth.caller();
        let row = op::rotate_keys(&state.ctx(), &caller, &state.seal_key, id.0).await?;
        Ok(Json(VpnAccountOne::of(row)))
    }
}
