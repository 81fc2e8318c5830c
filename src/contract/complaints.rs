//! Complaint request bodies (create and update) and the status and priority
//! values the API and the list filters share.

use poem_openapi::Object;

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        text::{MultiLine, SingleLine, TextRule},
    },
    schema_as,
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

/// `POST /api/v2/complaints`.
pub struct NewComplaint(pub ComplaintPatch);
/// `PUT /api/v2/complaints/{id}`.
pub struct ComplaintChanges(pub ComplaintPatch);

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
