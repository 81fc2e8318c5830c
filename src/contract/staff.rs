//! Request bodies of the staff users (v2): create, update, set a password.
//! One field table per body drives its reader and its schema.
//!
//! At the end, the answers: a staff user and its wrappers.

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        common::NEW_PASSWORD,
        field::{normalisers, Contract, ContractKind, EnumRef, Ex, Field, Mode, Text},
    },
    contract_type,
    domain::staff::{Role, LEGACY_OPERATOR_STAFF},
    store::staff_users::StaffChanges,
    wire_enum,
};

wire_enum! {
    /// A staff role (for the schema; the reader checks the same names).
    pub enum StaffRoleName {
        Admin = "admin",
        OperatorStaff = "operator_staff",
        Support = "support",
    }
}

const PASSWORD: Field = NEW_PASSWORD
    .format("password")
    .describe("At least 10 characters; kept exactly as sent.");

/// A staff user's email (first-run setup's too).
pub const EMAIL: Field = Field::with(
    "email",
    Text::line().max(254).normalised(normalisers::EMAIL),
)
.required();
/// A staff user's name (first-run setup's too).
pub const NAME: Field = Field::text("name").required().max(100);

// The fields a create and an update have alike.
const STAFF_NAME: Field = NAME.example(Ex::Str("Karim Uddin"));
// The reader also still takes `operator`, the old name of `operator_staff`
// (rewritten before the table reads it: see `old_role_name`).
const ROLE: Field = Field::enumeration(
    "role",
    StaffRoleName::VALUES,
    EnumRef::of::<StaffRoleName>(),
)
.required()
.example(Ex::Str("support"));

/// `POST /api/v2/staff`.
pub static STAFF_CREATE: Contract = Contract {
    name: "StaffCreateInput",
    description: None,
    kind: ContractKind::Create,
    fields: &[
        EMAIL
            .describe("Used to log in; unique (case-insensitive).")
            .example(Ex::Str("karim@isp.example")),
        STAFF_NAME,
        ROLE,
        Field::reference("operator_id")
            .nullable()
            .describe("Required for role operator_staff, refused for the others."),
        PASSWORD,
    ],
    example: None,
};

/// `PUT /api/v2/staff/{id}`: only the fields sent change.
pub static STAFF_UPDATE: Contract = Contract {
    name: "StaffUpdateInput",
    description: None,
    kind: ContractKind::Patch,
    fields: &[
        STAFF_NAME,
        ROLE,
        Field::reference("operator_id")
            .nullable()
            .describe("The operator of a user with role operator_staff (null to unbind)."),
        Field::boolean("active")
            .required()
            .describe("False disables the user: sessions and tokens stop at once.")
            .example(Ex::Bool(true)),
    ],
    example: None,
};

/// `POST /api/v2/staff/{id}/password`.
pub static STAFF_PASSWORD: Contract = Contract {
    name: "StaffPasswordInput",
    description: None,
    kind: ContractKind::Create,
    fields: &[PASSWORD],
    example: None,
};

/// A new staff user, read.
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub operator_id: Option<i64>,
    pub password: String,
}

/// Changes to a staff user, read (absent: unchanged).
pub struct StaffUpdate(pub StaffChanges);

/// A new password, read.
pub struct StaffPassword(pub String);

contract_type!(NewStaff, STAFF_CREATE);
contract_type!(StaffUpdate, STAFF_UPDATE);
contract_type!(StaffPassword, STAFF_PASSWORD);

fn role(f: &mut Fields) -> Option<Role> {
    f.take("role").text().and_then(|r| r.parse().ok())
}

/// The role's old name `operator` is read as `operator_staff`.
fn old_role_name(f: &mut Fields) {
    f.replace_text("role", LEGACY_OPERATOR_STAFF, Role::OperatorStaff.as_str());
}

impl FromJsonObject for NewStaff {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&STAFF_CREATE, Mode::Create));

    fn prepare(f: &mut Fields) {
        old_role_name(f);
    }

    fn from_fields(f: &mut Fields) -> Self {
        let email = f.take("email").text_or_empty();
        let name = f.take("name").text_or_empty();
        let role = role(f);
        let operator_id = f.take("operator_id").int();
        match (role, operator_id) {
            (Some(Role::OperatorStaff), None) if !f.has_error("operator_id") => f.error(
                "operator_id",
                "A user with role operator_staff needs the operator it acts for.",
            ),
            (Some(Role::Admin | Role::Support), Some(_)) => f.error(
                "operator_id",
                "Only users with role operator_staff are bound to an operator.",
            ),
            _ => {}
        }
        Self {
            email,
            name,
            role: role.unwrap_or(Role::Support),
            operator_id,
            password: f.take("password").text_or_empty(),
        }
    }
}

impl FromJsonObject for StaffUpdate {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&STAFF_UPDATE, Mode::Update));

    fn prepare(f: &mut Fields) {
        old_role_name(f);
    }

    fn from_fields(f: &mut Fields) -> Self {
        Self(StaffChanges {
            name: f.take("name").text(),
            role: role(f),
            operator_id: f.take("operator_id").patch_int(),
            active: f.take("active").bool(),
        })
    }
}

impl FromJsonObject for StaffPassword {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&STAFF_PASSWORD, Mode::Create));

    fn from_fields(f: &mut Fields) -> Self {
        Self(f.take("password").text_or_empty())
    }
}

// ---- The answers: how a staff user is shown (row → JSON) ----

use poem_openapi::Object;

use crate::{one, paginated, store::staff_users::StaffUser};

/// A staff user (never with the password).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Staff {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// `admin`, `operator_staff` or `support`.
    pub role: String,
    /// For role operator_staff: the operator (reseller) the user acts for.
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// False: the user can neither log in nor use any token.
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<StaffUser> for Staff {
    fn from(u: StaffUser) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role.to_string(),
            operator_id: u.operator_id,
            active: u.active,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

one!(StaffOne, Staff);

paginated!(StaffList, Staff);
