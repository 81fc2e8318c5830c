//! `GET/POST /api/v2/complaints`, `GET/PUT/DELETE /api/v2/complaints/{id}`
//! (additions to the guide, which names only the `complaint.created` event).
//! Scopes `customers:read` / `customers:write`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    contract::{
        body::JsonBody,
        complaints::{ComplaintChanges, ComplaintPriority, ComplaintStatus, NewComplaint},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::ApiResult,
    ops, paginated,
    state::AppState,
    store::complaints::{ComplaintFilter, ComplaintRow},
};

/// A support complaint.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Complaint {
    pub id: i64,
    pub customer_id: i64,
    pub subject: String,
    pub body: String,
    /// `open`, `in_progress`, `resolved` or `closed`.
    pub status: String,
    /// `low`, `medium`, `high` or `urgent`.
    pub priority: String,
    /// The staff user handling it.
    #[oai(nullable)]
    pub assigned_to: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    /// When it became resolved or closed.
    #[oai(nullable)]
    pub resolved_at: Option<String>,
}

impl From<ComplaintRow> for Complaint {
    fn from(c: ComplaintRow) -> Self {
        Self {
            id: c.id,
            customer_id: c.customer_id,
            subject: c.subject,
            body: c.body,
            status: c.status,
            priority: c.priority,
            assigned_to: c.assigned_to,
            created_at: c.created_at,
            updated_at: c.updated_at,
            resolved_at: c.resolved_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct ComplaintOne {
    pub data: Complaint,
}

impl ComplaintOne {
    fn of(row: ComplaintRow) -> Self {
        Self { data: row.into() }
    }
}

paginated!(ComplaintList, Complaint);

#[derive(ApiResponse)]
pub enum ComplaintCreated {
    /// Created; `complaint.created` is sent to subscribed webhooks.
    #[oai(status = 201)]
    Created(Json<ComplaintOne>),
}

#[derive(ApiResponse)]
pub enum ComplaintDeleted {
    #[oai(status = 204)]
    NoContent,
}

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
        Ok(Json(ComplaintList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
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
    ) -> ApiResult<ComplaintDeleted> {
        ops::complaints::delete(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(ComplaintDeleted::NoContent)
    }
}
