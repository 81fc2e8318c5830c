//! SNMP-polled inventory: OLTs `GET /api/v1/olts`, `GET /api/v2/network/olts`
//! and radios/other devices `GET /api/v2/monitoring/devices`, with (additions)
//! create/get/update/delete and signal history. Credentials are sealed and
//! never returned. Each handler calls one operation of `ops::devices` (ONU
//! history: `ops::monitoring`). The routes and their status codes; the bodies
//! and the answer shapes are in `contract::devices`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    OpenApi,
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
        devices::{DeviceChanges, DeviceList, DeviceOne, History, NewDevice},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    created,
    error::ApiResult,
    monitoring::rules::Family,
    ops::{
        self,
        devices::{Snmp, DEFAULT_HISTORY},
        Caller,
    },
    state::AppState,
};

created!(DeviceCreated, Json<DeviceOne>);

fn snmp(state: &AppState) -> Snmp<'_> {
    Snmp {
        seal: &state.seal_key,
        profiles: &state.profiles,
        wake: &state.snmp_wake,
    }
}

async fn list(
    state: &AppState,
    caller: &Caller,
    family: Family,
    page: PageParam,
    per_page: PerPageParam,
) -> ApiResult<Json<DeviceList>> {
    let page = PageRequest::new(page, per_page);
    let (rows, total) =
        ops::devices::list(&state.ctx(), caller, family, page.limit(), page.offset()).await?;
    Ok(Json(DeviceList::of(rows, total, &page)))
}

async fn get(
    state: &AppState,
    caller: &Caller,
    family: Family,
    id: i64,
) -> ApiResult<Json<DeviceOne>> {
    let row = ops::devices::get(&state.ctx(), caller, family, id).await?;
    Ok(Json(DeviceOne::of(row)))
}

async fn create(
    state: &AppState,
    caller: &Caller,
    family: Family,
    body: NewDevice,
) -> ApiResult<DeviceCreated> {
    let row = ops::devices::create(&state.ctx(), caller, snmp(state), family, body.0).await?;
    Ok(DeviceCreated::Created(Json(DeviceOne::of(row))))
}

async fn update(
    state: &AppState,
    caller: &Caller,
    family: Family,
    id: i64,
    body: DeviceChanges,
) -> ApiResult<Json<DeviceOne>> {
    let row = ops::devices::update(&state.ctx(), caller, snmp(state), family, id, body.0).await?;
    Ok(Json(DeviceOne::of(row)))
}

async fn delete(state: &AppState, caller: &Caller, family: Family, id: i64) -> ApiResult<Deleted> {
    ops::devices::delete(&state.ctx(), caller, family, id).await?;
    Ok(Deleted::NoContent)
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
        list(&state, &auth.caller(), Family::Olts, page.0, per_page.0).await
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
        list(&state, &auth.caller(), Family::Olts, page.0, per_page.0).await
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
    ) -> ApiResult<Deleted> {
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
        list(&state, &auth.caller(), Family::Others, page.0, per_page.0).await
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
    ) -> ApiResult<Deleted> {
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
