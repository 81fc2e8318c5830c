//! Complaint request bodies (create and update) and the status and priority
//! values the API and the list filters share.
//!
//! At the end, the answers: a complaint and its wrappers.

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        field::{Contract, ContractKind, EnumRef, Ex, Field, Mode},
    },
    contract_type,
    store::complaints::{PRIORITIES, STATUSES},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum ComplaintStatus {
    Open,
    InProgress,
    Resolved,
    Closed,
}

impl ComplaintStatus {
    pub fn as_str(self) -> &'static str {
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
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintPriority::Low => "low",
            ComplaintPriority::Medium => "medium",
            ComplaintPriority::High => "high",
            ComplaintPriority::Urgent => "urgent",
        }
    }
}

/// A complaint's fields. On create `customer_id` and `subject` are required
/// (status `open`, priority `medium` by default); on update what is absent stays.
pub static COMPLAINT: Contract = Contract {
    name: "ComplaintInput",
    description: Some(
        "A complaint's fields. On create `customer_id` and `subject` are required\n\
         (status `open`, priority `medium` by default); on update what is absent stays.",
    ),
    kind: ContractKind::Shared,
    fields: &[
        Field::reference("customer_id")
            .required()
            .nullable()
            .example(Ex::Int(1)),
        Field::text("subject")
            .required()
            .max(200)
            .nullable()
            .example(Ex::Str("No internet since morning")),
        Field::multi_line("body")
            .max(5000)
            .nullable()
            .example(Ex::Str("The ONU light is red.\nRestarted twice.")),
        Field::enumeration("status", &STATUSES, EnumRef::of::<ComplaintStatus>())
            .nullable()
            .example(Ex::Str("open")),
        Field::enumeration("priority", &PRIORITIES, EnumRef::of::<ComplaintPriority>())
            .nullable()
            .example(Ex::Str("high")),
        Field::reference("assigned_to")
            .nullable()
            .describe("A staff user id; null to unassign.")
            .example(Ex::Int(1)),
    ],
    example: None,
};

/// The fields a request sets (absent: unchanged; `assigned_to: Some(None)`:
/// unassign).
#[derive(Debug, Default)]
pub struct ComplaintPatch {
    pub customer_id: Option<i64>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub assigned_to: Option<Option<i64>>,
}

fn read_patch(f: &mut Fields) -> ComplaintPatch {
    ComplaintPatch {
        customer_id: f.take("customer_id").int(),
        subject: f.take("subject").text(),
        body: f.take("body").text(),
        status: f.take("status").text(),
        priority: f.take("priority").text(),
        assigned_to: f.take("assigned_to").patch_int(),
    }
}

/// `POST /api/v2/complaints`.
pub struct NewComplaint(pub ComplaintPatch);
/// `PUT /api/v2/complaints/{id}`.
pub struct ComplaintChanges(pub ComplaintPatch);

contract_type!(NewComplaint, COMPLAINT);
contract_type!(ComplaintChanges, COMPLAINT);

impl FromJsonObject for NewComplaint {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&COMPLAINT, Mode::Create));
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f))
    }
}

impl FromJsonObject for ComplaintChanges {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&COMPLAINT, Mode::Update));
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f))
    }
}

// ---- The answers: how a complaint is shown (row → JSON) ----

use poem_openapi::Object;

use crate::{one, paginated, store::complaints::ComplaintRow};

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

one!(ComplaintOne, Complaint);

paginated!(ComplaintList, Complaint);
