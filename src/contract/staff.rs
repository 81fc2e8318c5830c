//! Request bodies of the staff users (v2): create, update, set a password.

use poem_openapi::Object;

use crate::{
    auth::password,
    contract::{
        body::{Fields, FromJsonObject},
        text::SingleLine,
    },
    domain::staff::{normalise_email, Role},
    schema_as,
    store::staff_users::StaffChanges,
};

const NAME_MAX: usize = 100;

#[derive(Debug, Object)]
pub struct StaffCreateInput {
    /// Used to log in; unique (case-insensitive).
    pub email: SingleLine,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: SingleLine,
    pub role: StaffRoleName,
    /// Required for role operator_staff, refused for the others.
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// At least 10 characters; kept exactly as sent.
    pub password: poem_openapi::types::Password,
}

// The reader also still takes `operator`, the old name of `operator_staff`.
/// A staff role (for the schema; the reader checks the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum StaffRoleName {
    Admin,
    OperatorStaff,
    Support,
}

#[derive(Debug, Object)]
pub struct StaffUpdateInput {
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<SingleLine>,
    #[oai(nullable)]
    pub role: Option<StaffRoleName>,
    /// The operator of a user with role operator_staff (null to unbind).
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// False disables the user: sessions and tokens stop at once.
    #[oai(nullable)]
    pub active: Option<bool>,
}

#[derive(Debug, Object)]
pub struct StaffPasswordInput {
    /// At least 10 characters; kept exactly as sent.
    pub password: poem_openapi::types::Password,
}

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

/// A new password, read (checked for strength).
pub struct StaffPassword(pub String);

schema_as!(NewStaff, StaffCreateInput);
schema_as!(StaffUpdate, StaffUpdateInput);
schema_as!(StaffPassword, StaffPasswordInput);

fn read_name(f: &mut Fields) -> String {
    let name = f.required_string("name");
    if name.chars().count() > NAME_MAX {
        f.error(
            "name",
            format!("The name may not be longer than {NAME_MAX} characters."),
        );
    }
    name
}

/// `admin`, `operator_staff` or `support`; `operator` (the old name of
/// `operator_staff`) is still taken.
fn read_role(f: &mut Fields) -> Option<Role> {
    let raw = f.optional_nonblank("role")?;
    match raw.parse::<Role>() {
        Ok(role) => Some(role),
        Err(_) => {
            f.error(
                "role",
                "The selected role is invalid (one of: admin, operator_staff, support).",
            );
            None
        }
    }
}

fn read_password(f: &mut Fields) -> String {
    let secret = f.required_password("password");
    if !f.has_error("password") {
        if let Err(why) = password::check_strength(&secret) {
            f.error("password", why);
        }
    }
    secret
}

impl FromJsonObject for NewStaff {
    fn from_fields(f: &mut Fields) -> Self {
        let raw = f.required_string("email");
        let email = match normalise_email(&raw) {
            Some(e) => e,
            None => {
                if !f.has_error("email") {
                    f.error("email", "The email must be a valid email address.");
                }
                raw
            }
        };
        let name = read_name(f);
        let role = read_role(f);
        if role.is_none() && !f.has_error("role") {
            f.error("role", "The role field is required.");
        }
        let operator_id = f
            .present("operator_id")
            .then(|| f.required_reference("operator_id"));
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
        let password = read_password(f);
        Self {
            email,
            name,
            role: role.unwrap_or(Role::Support),
            operator_id,
            password,
        }
    }
}

impl FromJsonObject for StaffUpdate {
    fn from_fields(f: &mut Fields) -> Self {
        let name = f.present("name").then(|| read_name(f));
        let role = read_role(f);
        let operator_id = if f.is_null("operator_id") {
            Some(None)
        } else if f.present("operator_id") {
            Some(Some(f.required_reference("operator_id")))
        } else {
            None
        };
        let active = f.optional_bool("active");
        Self(StaffChanges {
            name,
            role,
            operator_id,
            active,
        })
    }
}

impl FromJsonObject for StaffPassword {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_password(f))
    }
}
