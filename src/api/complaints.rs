//! `GET/POST /api/v2/complaints`, `GET/PUT/DELETE /api/v2/complaints/{id}`
//! (additions to the guide, which names only the `complaint.created` event).
//! Scopes `customers:read` / `customers:write`. The routes and their status
//! codes; the bodies and the answer shapes are in `contract::complaints`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    OpenApi,
};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    contract::{
        answer::Deleted,
        body::JsonBody,
        complaints::{
            ComplaintChanges, ComplaintList, ComplaintOne, ComplaintPriority, ComplaintStatus,
            NewComplaint,
        },
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    created,
    error::ApiResult,
    ops,
    state::AppState,
    store::complaints::ComplaintFilter,
};

created!(
    /// Created; `complaint.created` is sent to subscribed webhooks.
    ComplaintCreated,
    Json<ComplaintOne>
);

#[derive(Default)]
pub struct V2ComplaintsApi;

#[OpenApi(tag = "ApiTags::Complaints")]
impl V2ComplaintsApi {
    /// List complaints (v2, addition)
    ///
    /// Newest first. Filters: `customer_id`, `status`, `priority`, `assigned_to`.
    #[oai(
        path = "/api/v2/complaints",
        method = "get",
        operation_id = "v2_complaints_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        #[oai(validator(minimum(value = "1")))] customer_id: Query<Option<i64>>,
        status: Query<Option<ComplaintStatus>>,
        priority: Query<Option<ComplaintPriority>>,
        #[oai(validator(minimum(value = "1")))] assigned_to: Query<Option<i64>>,
    ) -> ApiResult<Json<ComplaintList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let filter = ComplaintFilter {
            customer_id: customer_id.0,
            status: status.0.map(|s| s.as_str().to_string()),
            priority: priority.0.map(|p| p.as_str().to_string()),
            assigned_to: assigned_to.0,
            ..ComplaintFilter::default()
        };
        let (rows, total) =
            ops::complaints::list(&state.ctx(), &auth.caller(), filter, page).await?;
        Ok(Json(ComplaintList::of(rows, total, &page)))
    }

    /// Create a complaint (v2, addition)
    ///
    /// 201 with the complaint; emits `complaint.created`.
    #[oai(
        path = "/api/v2/complaints",
        method = "post",
        operation_id = "v2_complaints_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersWrite")] auth: V2Auth,
        body: JsonBody<NewComplaint>,
    ) -> ApiResult<ComplaintCreated> {
        let row = ops::complaints::create(&state.ctx(), &auth.caller(), body.0 .0).await?;
        Ok(ComplaintCreated::Created(Json(ComplaintOne::of(row))))
    }

    /// Retrieve a complaint (v2, addition)
    #[oai(
        path = "/api/v2/complaints/:id",
        method = "get",
        operation_id = "v2_complaints_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<ComplaintOne>> {
        let row = ops::complaints::get(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Json(ComplaintOne::of(row)))
    }

    /// Update a complaint (v2, addition)
    ///
    /// Only the fields sent change; `resolved_at` follows the status.
    #[oai(
        path = "/api/v2/complaints/:id",
        method = "put",
        operation_id = "v2_complaints_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<ComplaintChanges>,
    ) -> ApiResult<Json<ComplaintOne>> {
        let caller = auth.caller();
        let row = ops::complaints::update(&state.ctx(), &caller, id.0, body.0 .0).await?;
        Ok(Json(ComplaintOne::of(row)))
    }

    /// Delete a complaint (v2, addition)
    #[oai(
        path = "/api/v2/complaints/:id",
        method = "delete",
        operation_id = "v2_complaints_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        ops::complaints::delete(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Deleted::NoContent)
    }
}
