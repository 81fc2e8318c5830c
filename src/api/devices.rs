//! SNMP-polled inventory: OLTs `GET /api/v1/olts`, `GET /api/v2/network/olts`
//! and radios/other devices `GET /api/v2/monitoring/devices`, with (additions)
//! create/get/update/delete and signal history. Credentials are sealed and
//! never returned. Each handler calls one operation of `ops::devices` (ONU
//! history: `ops::monitoring`).

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{
        security::{V1Auth, V2Auth},
        ApiTags,
    },
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        devices::{DeviceChanges, NewDevice},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    monitoring::rules::Family,
    ops::{
        self,
        devices::{Snmp, DEFAULT_HISTORY},
        Caller,
    },
    paginated,
    state::AppState,
    store::snmp_devices::DeviceRow,
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

impl History {
    fn of(rows: Vec<(String, f64)>) -> Self {
        Self {
            data: rows
                .into_iter()
                .map(|(at, value)| Reading { at, value })
                .collect(),
        }
    }
}

fn snmp(state: &AppState) -> Snmp<'_> {
    Snmp {
        seal: &state.seal_key,
        profiles: &state.profiles,
    }
}

async fn list(
    state: &AppState,
    caller: &Caller,
    family: Family,
    page: PageRequest,
) -> ApiResult<Json<DeviceList>> {
    let (rows, total) =
        ops::devices::list(&state.ctx(), caller, family, page.limit(), page.offset()).await?;
    Ok(Json(DeviceList::new(
        rows.into_iter().map(Into::into).collect(),
        u64::try_from(total).unwrap_or(0),
        &page,
    )))
}

async fn get(
    state: &AppState,
    caller: &Caller,
    family: Family,
    id: i64,
) -> ApiResult<Json<DeviceOne>> {
    let row = ops::devices::get(&state.ctx(), caller, family, id).await?;
    Ok(Json(DeviceOne { data: row.into() }))
}

async fn create(
    state: &AppState,
    caller: &Caller,
    family: Family,
    body: NewDevice,
) -> ApiResult<DeviceCreated> {
    let row = ops::devices::create(&state.ctx(), caller, snmp(state), family, body.0).await?;
    Ok(DeviceCreated::Created(Json(DeviceOne { data: row.into() })))
}

async fn update(
    state: &AppState,
    caller: &Caller,
    family: Family,
    id: i64,
    body: DeviceChanges,
) -> ApiResult<Json<DeviceOne>> {
    let row = ops::devices::update(&state.ctx(), caller, snmp(state), family, id, body.0).await?;
    Ok(Json(DeviceOne { data: row.into() }))
}

async fn delete(
    state: &AppState,
    caller: &Caller,
    family: Family,
    id: i64,
) -> ApiResult<DeviceDeleted> {
    ops::devices::delete(&state.ctx(), caller, family, id).await?;
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
        #[oai(scope = "Scope::NetworkRead")] auth: V1Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<DeviceList>> {
        list(
            &state,
            &auth.caller(),
            Family::Olts,
            PageRequest::new(page.0, per_page.0),
        )
        .await
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
        #[oai(scope = "Scope::NetworkRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<DeviceList>> {
        list(
            &state,
            &auth.caller(),
            Family::Olts,
            PageRequest::new(page.0, per_page.0),
        )
        .await
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
        create(&state, &auth.caller(), Family::Olts, body.0).await
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
        #[oai(scope = "Scope::NetworkRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<DeviceOne>> {
        get(&state, &auth.caller(), Family::Olts, id.0).await
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
        update(&state, &auth.caller(), Family::Olts, id.0, body.0).await
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
        delete(&state, &auth.caller(), Family::Olts, id.0).await
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
        #[oai(scope = "Scope::MonitoringRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<DeviceList>> {
        list(
            &state,
            &auth.caller(),
            Family::Others,
            PageRequest::new(page.0, per_page.0),
        )
        .await
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
        create(&state, &auth.caller(), Family::Others, body.0).await
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
        #[oai(scope = "Scope::MonitoringRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<DeviceOne>> {
        get(&state, &auth.caller(), Family::Others, id.0).await
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
        update(&state, &auth.caller(), Family::Others, id.0, body.0).await
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
        delete(&state, &auth.caller(), Family::Others, id.0).await
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
        #[oai(scope = "Scope::MonitoringRead")] auth: V2Auth,
        id: Path<i64>,
        #[oai(validator(minimum(value = "1"), maximum(value = "10000")))] limit: Query<Option<i64>>,
    ) -> ApiResult<Json<History>> {
        let limit = limit.0.unwrap_or(DEFAULT_HISTORY);
        let rows = ops::devices::history(&state.ctx(), &auth.caller(), id.0, limit).await?;
        Ok(Json(History::of(rows)))
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
        #[oai(scope = "Scope::NetworkRead")] auth: V2Auth,
        id: Path<i64>,
        #[oai(validator(minimum(value = "1"), maximum(value = "10000")))] limit: Query<Option<i64>>,
    ) -> ApiResult<Json<History>> {
        let limit = limit.0.unwrap_or(DEFAULT_HISTORY);
        let rows = ops::monitoring::onu_history(&state.ctx(), &auth.caller(), id.0, limit).await?;
        Ok(Json(History::of(rows)))
    }
}
