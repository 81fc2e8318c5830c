//! Staff users (v2, scope `staff:manage`, administrators only): list, create,
//! get, update (name, role, operator, active) and set a password; and their
//! answer shapes. The rules are `ops::staff`'s.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, OpenApi,
};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        pagination::{PageParam, PageRequest, PerPageParam},
        staff::{NewStaff, StaffList, StaffOne, StaffPassword, StaffUpdate},
    },
    created,
    error::ApiResult,
    ops,
    state::AppState,
    store::staff_users::StaffUser,
};

created!(StaffCreated, Json<StaffOne>);

#[derive(ApiResponse)]
pub enum PasswordSet {
    /// Set; the user's sessions and tokens have ended.
    #[oai(status = 204)]
    NoContent,
}

fn one(user: StaffUser) -> Json<StaffOne> {
    Json(StaffOne::of(user))
}

#[derive(Default)]
pub struct StaffV2;

#[OpenApi(tag = "ApiTags::Staff")]
impl StaffV2 {
    /// List staff users (v2, administrators only)
    #[oai(path = "/api/v2/staff", method = "get", operation_id = "v2_staff_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::StaffManage")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<StaffList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (users, total) = ops::staff::list(&state.ctx(), &auth.caller(), page).await?;
        Ok(Json(StaffList::of(users, total, &page)))
    }

    /// Create a staff user (v2, administrators only)
    #[oai(
        path = "/api/v2/staff",
        method = "post",
        operation_id = "v2_staff_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::StaffManage")] auth: V2Auth,
        body: JsonBody<NewStaff>,
    ) -> ApiResult<StaffCreated> {
        let NewStaff {
            email,
            name,
            role,
            operator_id,
            password,
        } = body.0;
        let new = ops::staff::NewStaff {
            email,
            name,
            role,
            operator_id,
            password,
        };
        let user = ops::staff::create(&state.ctx(), &auth.caller(), new).await?;
        Ok(StaffCreated::Created(one(user)))
    }

    /// Retrieve a staff user (v2, administrators only)
    #[oai(
        path = "/api/v2/staff/:id",
        method = "get",
        operation_id = "v2_staff_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::StaffManage")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<StaffOne>> {
        let user = ops::staff::get(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(one(user))
    }

    /// Update a staff user (v2, administrators only)
    ///
    /// Name, role, operator and `active`; only the fields sent change. `active:
    /// false` disables the user: their panel sessions, access and refresh tokens
    /// stop on their next request. The last active administrator can be neither
    /// disabled nor demoted (409).
    #[oai(
        path = "/api/v2/staff/:id",
        method = "put",
        operation_id = "v2_staff_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::StaffManage")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<StaffUpdate>,
    ) -> ApiResult<Json<StaffOne>> {
        let done = ops::staff::update(&state.ctx(), &auth.caller(), id.0, body.0 .0).await;
        // Whatever happened, nothing cached about tokens may outlive it.
        state.auth.cache.invalidate();
        Ok(one(done?))
    }

    /// Set a staff user's password (v2, administrators only)
    ///
    /// 204; the user's panel sessions and tokens end (they log in again).
    #[oai(
        path = "/api/v2/staff/:id/password",
        method = "post",
        operation_id = "v2_staff_set_password"
    )]
    async fn set_password(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::StaffManage")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<StaffPassword>,
    ) -> ApiResult<PasswordSet> {
        let done = ops::staff::set_password(&state.ctx(), &auth.caller(), id.0, body.0 .0).await;
        state.auth.cache.invalidate();
        done?;
        Ok(PasswordSet::NoContent)
    }
}
