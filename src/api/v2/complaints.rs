//! `GET/POST /api/v2/complaints`, `GET/PUT/DELETE /api/v2/complaints/{id}`
//! (additions to the guide, which names only the `complaint.created` event).
//! Scopes `customers:read` / `customers:write`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::contract::text::{MultiLine, SingleLine, TextRule};
use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    clock::format_timestamp,
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    error::{ApiError, ApiResult},
    paginated, schema_as,
    state::AppState,
    store::{
        complaints::{self, ComplaintFields, ComplaintFilter, ComplaintRow, PRIORITIES, STATUSES},
        StoreError,
    },
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

paginated!(ComplaintList, Complaint);

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum ComplaintStatus {
    Open,
    InProgress,
    Resolved,
    Closed,
}

impl ComplaintStatus {
    fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::Open => "open",
            ComplaintStatus::InProgress => "in_progress",
            ComplaintStatus::Resolved => "resolved",
            ComplaintStatus::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum ComplaintPriority {
    Low,
    Medium,
    High,
    Urgent,
}

impl ComplaintPriority {
    fn as_str(self) -> &'static str {
        match self {
            ComplaintPriority::Low => "low",
            ComplaintPriority::Medium => "medium",
            ComplaintPriority::High => "high",
            ComplaintPriority::Urgent => "urgent",
        }
    }
}

const SUBJECT_MAX: usize = 200;
const BODY_MAX: usize = 5000;

/// A complaint's fields. On create `customer_id` and `subject` are required
/// (status `open`, priority `medium` by default); on update what is absent stays.
#[derive(Debug, Object)]
pub struct ComplaintInput {
    #[oai(nullable, validator(minimum(value = "1")))]
    pub customer_id: Option<i64>,
    #[oai(nullable, validator(min_length = 1, max_length = 200))]
    pub subject: Option<SingleLine>,
    #[oai(nullable, validator(max_length = 5000))]
    pub body: Option<MultiLine>,
    #[oai(nullable)]
    pub status: Option<ComplaintStatus>,
    #[oai(nullable)]
    pub priority: Option<ComplaintPriority>,
    /// A staff user id; null to unassign.
    #[oai(nullable, validator(minimum(value = "1")))]
    pub assigned_to: Option<i64>,
}

#[derive(Debug, Default)]
pub struct ComplaintPatch {
    customer_id: Option<i64>,
    subject: Option<String>,
    body: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    assigned_to: Option<Option<i64>>,
}

fn read_patch(f: &mut Fields, creating: bool) -> ComplaintPatch {
    let mut p = ComplaintPatch::default();
    if creating || f.present("customer_id") {
        p.customer_id = Some(f.required_reference("customer_id"));
    }
    if creating || f.present("subject") {
        let subject = f.required_string("subject");
        if subject.chars().count() > SUBJECT_MAX {
            f.error(
                "subject",
                format!("The subject may not be longer than {SUBJECT_MAX} characters."),
            );
        }
        p.subject = Some(subject);
    }
    if let Some(body) = f.optional_text("body", TextRule::MultiLine) {
        if body.chars().count() > BODY_MAX {
            f.error(
                "body",
                format!("The body may not be longer than {BODY_MAX} characters."),
            );
        }
        p.body = Some(body);
    }
    p.status = f.optional_choice("status", &STATUSES);
    p.priority = f.optional_choice("priority", &PRIORITIES);
    if f.is_null("assigned_to") {
        p.assigned_to = Some(None);
    } else if f.present("assigned_to") {
        p.assigned_to = Some(Some(f.required_reference("assigned_to")));
    }
    p
}

impl ComplaintPatch {
    fn apply(self, base: ComplaintFields) -> ComplaintFields {
        ComplaintFields {
            customer_id: self.customer_id.unwrap_or(base.customer_id),
            subject: self.subject.unwrap_or(base.subject),
            body: self.body.unwrap_or(base.body),
            status: self.status.unwrap_or(base.status),
            priority: self.priority.unwrap_or(base.priority),
            assigned_to: self.assigned_to.unwrap_or(base.assigned_to),
        }
    }
}

fn fields_of(c: ComplaintRow) -> ComplaintFields {
    ComplaintFields {
        customer_id: c.customer_id,
        subject: c.subject,
        body: c.body,
        status: c.status,
        priority: c.priority,
        assigned_to: c.assigned_to,
    }
}

pub struct NewComplaint(ComplaintPatch);
pub struct ComplaintChanges(ComplaintPatch);

schema_as!(NewComplaint, ComplaintInput);
schema_as!(ComplaintChanges, ComplaintInput);

impl FromJsonObject for NewComplaint {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, true))
    }
}

impl FromJsonObject for ComplaintChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, false))
    }
}

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
            vis: auth.0.visibility(),
            customer_id: customer_id.0,
            status: status.0.map(|s| s.as_str().to_string()),
            priority: priority.0.map(|p| p.as_str().to_string()),
            assigned_to: assigned_to.0,
        };
        let (rows, total) = state
            .db
            .read_async(move |c| complaints::list(c, &filter, page.limit(), page.offset()))
            .await?;
        Ok(Json(ComplaintList::new(
            rows.into_iter().map(Into::into).collect(),
            u64::try_from(total).unwrap_or(0),
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
        let fields = body.0 .0.apply(ComplaintFields {
            customer_id: 0,
            subject: String::new(),
            body: String::new(),
            status: "open".into(),
            priority: "medium".into(),
            assigned_to: None,
        });
        let now = format_timestamp(state.clock.now());
        let vis = auth.0.visibility();
        let row = state
            .db
            .write_async(move |tx| complaints::create(tx, &fields, vis, &now))
            .await?;
        Ok(ComplaintCreated::Created(Json(ComplaintOne {
            data: row.into(),
        })))
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
        let vis = auth.0.visibility();
        let row = state
            .db
            .read_async(move |c| complaints::get(c, id.0, vis))
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(ComplaintOne { data: row.into() }))
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
        let patch = body.0 .0;
        let vis = auth.0.visibility();
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| {
                let current = complaints::get(tx, id.0, vis)?.ok_or(StoreError::NotFound)?;
                complaints::update(tx, id.0, &patch.apply(fields_of(current)), vis, &now)
            })
            .await?;
        Ok(Json(ComplaintOne { data: row.into() }))
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
        let vis = auth.0.visibility();
        state
            .db
            .write_async(move |tx| complaints::delete(tx, id.0, vis))
            .await?;
        Ok(ComplaintDeleted::NoContent)
    }
}
