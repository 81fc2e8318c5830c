//! SNMP-polled inventory: OLTs `GET /api/v1/olts`, `GET /api/v2/network/olts`
//! and radios/other devices `GET /api/v2/monitoring/devices`, with (additions)
//! create/get/update/delete and signal history. Credentials are sealed and
//! never returned.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::contract::text::SingleLine;
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
    error::{ApiError, ApiResult},
    monitoring::poller::{COMMUNITY_PURPOSE, V3_AUTH_PURPOSE, V3_PRIV_PURPOSE},
    paginated, schema_as,
    state::AppState,
    store::{
        monitoring::Access,
        onus,
        snmp_devices::{self, DeviceFields, DeviceRow, SealedCredentials},
        StoreError,
    },
};

/// An SNMP device and what the poller last read (never its credentials).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Device {
    pub id: i64,
    /// `olt`, `radio` or `device`.
    pub kind: String,
    pub name: String,
    pub host: String,
    pub port: i64,
    /// The profile asked for (`auto` = detected).
    pub profile: String,
    /// The profile in use.
    #[oai(nullable)]
    pub detected_profile: Option<String>,
    #[oai(nullable)]
    pub vendor: Option<String>,
    #[oai(nullable)]
    pub model: Option<String>,
    /// `v2c` or `v3`.
    pub snmp_version: String,
    #[oai(nullable)]
    pub v3_user: Option<String>,
    /// `up`, `down` or `unknown`.
    pub status: String,
    #[oai(nullable)]
    pub status_since: Option<String>,
    #[oai(nullable)]
    pub last_seen_at: Option<String>,
    #[oai(nullable)]
    pub last_error: Option<String>,
    #[oai(nullable)]
    pub sys_descr: Option<String>,
    #[oai(nullable)]
    pub sys_name: Option<String>,
    #[oai(nullable)]
    pub sys_object_id: Option<String>,
    #[oai(nullable)]
    pub uptime_secs: Option<i64>,
    /// Radio metrics (signal, noise dBm; ccq, quality %; frequency MHz; stations; ...).
    pub metrics: serde_json::Value,
    /// ONUs seen on this OLT.
    pub onus: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<DeviceRow> for Device {
    fn from(d: DeviceRow) -> Self {
        Self {
            id: d.id,
            kind: d.kind,
            name: d.name,
            host: d.host,
            port: d.port,
            profile: d.profile,
            detected_profile: d.detected_profile,
            vendor: d.vendor,
            model: d.model,
            snmp_version: d.snmp_version,
            v3_user: d.v3_user,
            status: d.status,
            status_since: d.status_since,
            last_seen_at: d.last_seen_at,
            last_error: d.last_error,
            sys_descr: d.sys_descr,
            sys_name: d.sys_name,
            sys_object_id: d.sys_object_id,
            uptime_secs: d.uptime_secs,
            metrics: if d.metrics.is_null() {
                serde_json::json!({})
            } else {
                d.metrics
            },
            onus: d.onus,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

paginated!(DeviceList, Device);

#[derive(Debug, Object)]
pub struct DeviceOne {
    pub data: Device,
}

/// A device's fields. On create `name`, `host` and the credentials of its
/// SNMP version are required.
#[derive(Debug, Object)]
pub struct DeviceInput {
    /// `radio` or `device` (devices endpoint only; OLTs are `olt`).
    #[oai(nullable)]
    pub kind: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 1, max_length = 253))]
    pub host: Option<SingleLine>,
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "65535")))]
    pub port: Option<i64>,
    /// `auto` (default) or a profile id such as `huawei-ma56xx-gpon`.
    #[oai(nullable, validator(max_length = 100))]
    pub profile: Option<SingleLine>,
    /// `v2c` (default) or `v3`.
    #[oai(nullable)]
    pub snmp_version: Option<SingleLine>,
    /// v2c community (stored sealed).
    #[oai(nullable, validator(max_length = 200))]
    pub community: Option<SingleLine>,
    #[oai(nullable, validator(max_length = 100))]
    pub v3_user: Option<SingleLine>,
    /// `md5`, `sha`, `sha256` or `sha512`.
    #[oai(nullable)]
    pub v3_auth_protocol: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 8, max_length = 200))]
    pub v3_auth_password: Option<SingleLine>,
    /// `des`, `aes` or `aes256`.
    #[oai(nullable)]
    pub v3_priv_protocol: Option<SingleLine>,
    #[oai(nullable, validator(min_length = 8, max_length = 200))]
    pub v3_priv_password: Option<SingleLine>,
}

#[derive(Debug, Default)]
pub struct DevicePatch {
    kind: Option<String>,
    name: Option<String>,
    host: Option<String>,
    port: Option<i64>,
    profile: Option<String>,
    snmp_version: Option<String>,
    community: Option<String>,
    v3_user: Option<String>,
    v3_auth_protocol: Option<String>,
    v3_auth_password: Option<String>,
    v3_priv_protocol: Option<String>,
    v3_priv_password: Option<String>,
}

fn read_patch(f: &mut Fields, creating: bool) -> DevicePatch {
    let mut p = DevicePatch {
        kind: f.optional_choice("kind", &["olt", "radio", "device"]),
        ..DevicePatch::default()
    };
    if creating || f.present("name") {
        let name = f.required_string("name");
        if name.chars().count() > 100 {
            f.error("name", "The name may not be longer than 100 characters.");
        }
        p.name = Some(name);
    }
    if creating || f.present("host") {
        let host = f.required_string("host");
        let ok = crate::net_policy::parse_host(&host).is_some();
        if !f.has_error("host") && !ok {
            f.error("host", "The host must be an IP address or a host name.");
        }
        p.host = Some(host);
    }
    if f.present("port") {
        p.port = Some(f.required_integer_in("port", 1, 65535));
    }
    p.profile = f.optional_nonblank("profile");
    p.snmp_version = f.optional_choice("snmp_version", &["v2c", "v3"]);
    p.community = f.optional_string("community");
    p.v3_user = f.optional_nonblank("v3_user");
    p.v3_auth_protocol = f.optional_choice("v3_auth_protocol", &["md5", "sha", "sha256", "sha512"]);
    p.v3_priv_protocol = f.optional_choice("v3_priv_protocol", &["des", "aes", "aes256"]);
    for (name, slot) in [
        ("v3_auth_password", &mut p.v3_auth_password),
        ("v3_priv_password", &mut p.v3_priv_password),
    ] {
        if let Some(pw) = f.optional_string(name) {
            if pw.chars().count() < 8 {
                f.error(name, "SNMPv3 passwords have at least 8 characters.");
            }
            *slot = Some(pw);
        }
    }
    for (name, value, max) in [
        ("profile", &p.profile, 100),
        ("community", &p.community, 200),
        ("v3_user", &p.v3_user, 100),
        ("v3_auth_password", &p.v3_auth_password, 200),
        ("v3_priv_password", &p.v3_priv_password, 200),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            f.error(
                name,
                format!(
                    "The {} may not be longer than {max} characters.",
                    name.replace('_', " ")
                ),
            );
        }
    }
    p
}

pub struct NewDevice(DevicePatch);
pub struct DeviceChanges(DevicePatch);
schema_as!(NewDevice, DeviceInput);
schema_as!(DeviceChanges, DeviceInput);

impl FromJsonObject for NewDevice {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, true))
    }
}

impl FromJsonObject for DeviceChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, false))
    }
}

/// Checks a patch against what the device is (or defaults) and seals its
/// credentials: the fields to store and the sealed secrets.
fn prepare(
    state: &AppState,
    patch: DevicePatch,
    base: Option<&DeviceRow>,
    forced_kind: Option<&str>,
) -> ApiResult<(DeviceFields, SealedCredentials)> {
    let mut errors = crate::error::FieldErrors::new();
    let kind = match (forced_kind, &patch.kind) {
        (Some(k), _) => k.to_string(),
        (None, Some(k)) if k == "olt" => {
            errors.add("kind", "Add OLTs at /api/v2/network/olts.");
            k.clone()
        }
        (None, Some(k)) => k.clone(),
        (None, None) => base.map_or_else(|| "device".into(), |b| b.kind.clone()),
    };
    let profile = patch
        .profile
        .or_else(|| base.map(|b| b.profile.clone()))
        .unwrap_or_else(|| "auto".into());
    if profile != "auto" {
        match state.profiles.get(&profile) {
            None => errors.add(
                "profile",
                format!(
                    "Unknown profile; use auto or one of: {}.",
                    state.profiles.ids().collect::<Vec<_>>().join(", ")
                ),
            ),
            Some(p) if p.kind != kind && !(p.kind == "device" && kind != "olt") => errors.add(
                "profile",
                format!("The profile `{profile}` is for a {}.", p.kind),
            ),
            Some(_) => {}
        }
    }
    let version = patch
        .snmp_version
        .or_else(|| base.map(|b| b.snmp_version.clone()))
        .unwrap_or_else(|| "v2c".into());
    let v3_user = patch
        .v3_user
        .or_else(|| base.and_then(|b| b.v3_user.clone()));
    let changed_version = base.is_some_and(|b| b.snmp_version != version);
    if version == "v2c" && patch.community.is_none() && (base.is_none() || changed_version) {
        errors.add("community", "The community field is required for SNMP v2c.");
    }
    if version == "v3" {
        if v3_user.is_none() {
            errors.add("v3_user", "The v3 user field is required for SNMP v3.");
        }
        if base.is_none() || changed_version {
            if patch.v3_auth_password.is_none() {
                errors.add(
                    "v3_auth_password",
                    "The v3 auth password is required for SNMP v3.",
                );
            }
            if patch.v3_priv_password.is_none() {
                errors.add(
                    "v3_priv_password",
                    "The v3 privacy password is required for SNMP v3.",
                );
            }
        }
    }
    errors.into_result()?;
    let seal = |purpose: &str, v: Option<String>| -> ApiResult<Option<String>> {
        v.map(|s| state.seal_key.seal(purpose, &s).map_err(ApiError::internal))
            .transpose()
    };
    let creds = SealedCredentials {
        community: seal(COMMUNITY_PURPOSE, patch.community)?,
        v3_auth: seal(V3_AUTH_PURPOSE, patch.v3_auth_password)?,
        v3_priv: seal(V3_PRIV_PURPOSE, patch.v3_priv_password)?,
    };
    let fields = DeviceFields {
        kind,
        name: patch
            .name
            .or_else(|| base.map(|b| b.name.clone()))
            .unwrap_or_default(),
        host: patch
            .host
            .or_else(|| base.map(|b| b.host.clone()))
            .unwrap_or_default(),
        port: patch.port.or(base.map(|b| b.port)).unwrap_or(161),
        profile,
        snmp_version: version,
        v3_user,
        v3_auth_protocol: patch
            .v3_auth_protocol
            .or_else(|| base.and_then(|b| b.v3_auth_protocol.clone())),
        v3_priv_protocol: patch
            .v3_priv_protocol
            .or_else(|| base.and_then(|b| b.v3_priv_protocol.clone())),
    };
    Ok((fields, creds))
}

fn access(state: &AppState, who: &Principal, row: &DeviceRow, action: &str) {
    crate::monitoring::log_access(
        &state.db,
        Access {
            actor: who.label(),
            device_kind: row.kind.clone(),
            device_id: Some(row.id),
            device_name: Some(row.name.clone()),
            action: action.into(),
            ok: true,
            detail: None,
        },
        &format_timestamp(state.clock.now()),
    );
}

async fn create(
    state: &AppState,
    who: &Principal,
    patch: DevicePatch,
    kind: Option<&str>,
) -> ApiResult<DeviceRow> {
    let (fields, creds) = prepare(state, patch, None, kind)?;
    crate::api::routers::check_host(state, &fields.host, fields.port).await?;
    let now = format_timestamp(state.clock.now());
    let row = state
        .db
        .write_async(move |tx| snmp_devices::create(tx, &fields, &creds, &now))
        .await?;
    access(state, who, &row, "added to the inventory");
    Ok(row)
}

async fn update(
    state: &AppState,
    who: &Principal,
    id: i64,
    patch: DevicePatch,
    kind: Option<&'static str>,
) -> ApiResult<DeviceRow> {
    let current = state
        .db
        .read_async(move |c| snmp_devices::get(c, id))
        .await?
        .filter(|d| kind.is_none_or(|k| k == d.kind) && (kind.is_some() || d.kind != "olt"))
        .ok_or_else(ApiError::not_found)?;
    if let Some(host) = &patch.host {
        crate::api::routers::check_host(state, host, patch.port.unwrap_or(161)).await?;
    }
    let (fields, creds) = prepare(state, patch, Some(&current), Some(&current.kind.clone()))?;
    let now = format_timestamp(state.clock.now());
    let row = state
        .db
        .write_async(move |tx| snmp_devices::update(tx, id, &fields, &creds, &now))
        .await?;
    access(state, who, &row, "settings changed");
    Ok(row)
}

async fn get(state: &AppState, id: i64, olt: bool) -> ApiResult<DeviceRow> {
    state
        .db
        .read_async(move |c| snmp_devices::get(c, id))
        .await?
        .filter(|d| (d.kind == "olt") == olt)
        .ok_or_else(ApiError::not_found)
}

async fn list(
    state: &AppState,
    kinds: &'static [&'static str],
    vendor: Option<&'static str>,
    page: PageRequest,
) -> ApiResult<DeviceList> {
    let (rows, total) = state
        .db
        .read_async(move |c| snmp_devices::list(c, kinds, vendor, page.limit(), page.offset()))
        .await?;
    Ok(DeviceList::new(
        rows.into_iter().map(Into::into).collect(),
        u64::try_from(total).unwrap_or(0),
        &page,
    ))
}

/// A reading over time.
#[derive(Debug, Clone, Object)]
pub struct Reading {
    pub at: String,
    pub value: f64,
}

#[derive(Debug, Object)]
pub struct History {
    /// Newest first; ONU rx power or radio signal in dBm.
    pub data: Vec<Reading>,
}

#[derive(ApiResponse)]
pub enum DeviceCreated {
    #[oai(status = 201)]
    Created(Json<DeviceOne>),
}

#[derive(ApiResponse)]
pub enum DeviceDeleted {
    #[oai(status = 204)]
    NoContent,
}

async fn delete(
    state: &AppState,
    who: &Principal,
    id: i64,
    kind: Option<&'static str>,
) -> ApiResult<DeviceDeleted> {
    let row = state
        .db
        .write_async(move |tx| {
            let row = snmp_devices::get(tx, id)?.ok_or(StoreError::NotFound)?;
            if (row.kind == "olt") != (kind == Some("olt")) {
                return Err(StoreError::NotFound);
            }
            snmp_devices::delete(tx, id, None)
        })
        .await?;
    access(state, who, &row, "removed from the inventory");
    Ok(DeviceDeleted::NoContent)
}

#[derive(Default)]
pub struct SnmpDevicesApi;

#[OpenApi(tag = "ApiTags::Network")]
impl SnmpDevicesApi {
    /// List all OLTs (v1)
    #[oai(path = "/api/v1/olts", method = "get", operation_id = "v1_olts_list")]
    async fn v1_olts(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkRead")] _auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<DeviceList>> {
        Ok(Json(
            list(&state, &["olt"], None, PageRequest::new(page.0, per_page.0)).await?,
        ))
    }

    /// List all OLTs (v2)
    ///
    /// With the last poll: status, uptime, the profile in use, ONU count.
    #[oai(
        path = "/api/v2/network/olts",
        method = "get",
        operation_id = "v2_olts_list"
    )]
    async fn v2_olts(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkRead")] _auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<DeviceList>> {
        Ok(Json(
            list(&state, &["olt"], None, PageRequest::new(page.0, per_page.0)).await?,
        ))
    }

    /// Add an OLT (v2, addition)
    ///
    /// `{name, host, port?, profile? (auto), snmp_version v2c|v3, community |
    /// v3_user/v3_auth_*/v3_priv_*}`; credentials are sealed, never shown.
    #[oai(
        path = "/api/v2/network/olts",
        method = "post",
        operation_id = "v2_olts_create"
    )]
    async fn create_olt(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        body: JsonBody<NewDevice>,
    ) -> ApiResult<DeviceCreated> {
        let row = create(&state, &auth.0, body.0 .0, Some("olt")).await?;
        Ok(DeviceCreated::Created(Json(DeviceOne { data: row.into() })))
    }

    /// Retrieve an OLT (v2, addition)
    #[oai(
        path = "/api/v2/network/olts/:id",
        method = "get",
        operation_id = "v2_olts_get"
    )]
    async fn get_olt(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkRead")] _auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<DeviceOne>> {
        Ok(Json(DeviceOne {
            data: get(&state, id.0, true).await?.into(),
        }))
    }

    /// Update an OLT (v2, addition)
    #[oai(
        path = "/api/v2/network/olts/:id",
        method = "put",
        operation_id = "v2_olts_update"
    )]
    async fn update_olt(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<DeviceChanges>,
    ) -> ApiResult<Json<DeviceOne>> {
        let row = update(&state, &auth.0, id.0, body.0 .0, Some("olt")).await?;
        Ok(Json(DeviceOne { data: row.into() }))
    }

    /// Delete an OLT (v2, addition)
    ///
    /// With its ONUs and their history.
    #[oai(
        path = "/api/v2/network/olts/:id",
        method = "delete",
        operation_id = "v2_olts_delete"
    )]
    async fn delete_olt(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<DeviceDeleted> {
        delete(&state, &auth.0, id.0, Some("olt")).await
    }

    /// Device status overview (v2)
    ///
    /// Radios and other SNMP devices (OLTs are at /api/v2/network/olts).
    #[oai(
        path = "/api/v2/monitoring/devices",
        method = "get",
        operation_id = "v2_devices_list"
    )]
    async fn devices(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] _auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<DeviceList>> {
        Ok(Json(
            list(
                &state,
                &["radio", "device"],
                None,
                PageRequest::new(page.0, per_page.0),
            )
            .await?,
        ))
    }

    /// Add a radio or other device (v2, addition)
    #[oai(
        path = "/api/v2/monitoring/devices",
        method = "post",
        operation_id = "v2_devices_create"
    )]
    async fn create_device(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        body: JsonBody<NewDevice>,
    ) -> ApiResult<DeviceCreated> {
        let row = create(&state, &auth.0, body.0 .0, None).await?;
        Ok(DeviceCreated::Created(Json(DeviceOne { data: row.into() })))
    }

    /// Retrieve a device (v2, addition)
    #[oai(
        path = "/api/v2/monitoring/devices/:id",
        method = "get",
        operation_id = "v2_devices_get"
    )]
    async fn get_device(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] _auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<DeviceOne>> {
        Ok(Json(DeviceOne {
            data: get(&state, id.0, false).await?.into(),
        }))
    }

    /// Update a device (v2, addition)
    #[oai(
        path = "/api/v2/monitoring/devices/:id",
        method = "put",
        operation_id = "v2_devices_update"
    )]
    async fn update_device(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<DeviceChanges>,
    ) -> ApiResult<Json<DeviceOne>> {
        let row = update(&state, &auth.0, id.0, body.0 .0, None).await?;
        Ok(Json(DeviceOne { data: row.into() }))
    }

    /// Delete a device (v2, addition)
    #[oai(
        path = "/api/v2/monitoring/devices/:id",
        method = "delete",
        operation_id = "v2_devices_delete"
    )]
    async fn delete_device(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<DeviceDeleted> {
        delete(&state, &auth.0, id.0, None).await
    }

    /// A radio's signal history (v2, addition)
    #[oai(
        path = "/api/v2/monitoring/devices/:id/history",
        method = "get",
        operation_id = "v2_devices_history"
    )]
    async fn device_history(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::MonitoringRead")] _auth: V2Auth,
        id: Path<i64>,
        #[oai(validator(minimum(value = "1"), maximum(value = "10000")))] limit: Query<Option<i64>>,
    ) -> ApiResult<Json<History>> {
        get(&state, id.0, false).await?;
        let limit = limit.0.unwrap_or(288);
        let rows = state
            .db
            .read_async(move |c| onus::history(c, "radio", id.0, limit))
            .await?;
        Ok(Json(History {
            data: rows
                .into_iter()
                .map(|(at, value)| Reading { at, value })
                .collect(),
        }))
    }

    /// An ONU's rx power history (v2, addition)
    #[oai(
        path = "/api/v2/network/onus/:id/history",
        method = "get",
        operation_id = "v2_onus_history"
    )]
    async fn onu_history(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::NetworkRead")] _auth: V2Auth,
        id: Path<i64>,
        #[oai(validator(minimum(value = "1"), maximum(value = "10000")))] limit: Query<Option<i64>>,
    ) -> ApiResult<Json<History>> {
        let limit = limit.0.unwrap_or(288);
        let rows = state
            .db
            .read_async(move |c| {
                if !onus::exists(c, id.0)? {
                    return Err(StoreError::NotFound);
                }
                onus::history(c, "onu", id.0, limit)
            })
            .await?;
        Ok(Json(History {
            data: rows
                .into_iter()
                .map(|(at, value)| Reading { at, value })
                .collect(),
        }))
    }
}
