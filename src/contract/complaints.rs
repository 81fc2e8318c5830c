//! Complaint request bodies (create and update) and the status and priority
//! values the API and the list filters share.
//!
//! At the end, the answers: a complaint and its wrappers.

use crate::{
    contract::{
        body::Fields,
        common::CUSTOMER_ID,
        field::{Contract, ContractKind, EnumRef, Ex, Field, Mode},
    },
    create_and_update,
    store::complaints::{PRIORITIES, STATUSES},
    wire_enum,
};

wire_enum! {
    pub enum ComplaintStatus {
        Open = "open",
        InProgress = "in_progress",
        Resolved = "resolved",
        Closed = "closed",
    }
}

wire_enum! {
    pub enum ComplaintPriority {
        Low = "low",
        Medium = "medium",
        High = "high",
        Urgent = "urgent",
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
        CUSTOMER_ID,
        Field::text("subject")
            .required()
            .max(200)
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

/// Reads a complaint body (in either mode: the contract checks what is
/// required).
fn read_patch(f: &mut Fields, _mode: Mode) -> ComplaintPatch {
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

create_and_update!(COMPLAINT, read_patch => NewComplaint, ComplaintChanges);

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
