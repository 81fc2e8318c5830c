//! Staff users (v2, scope `staff:manage`, administrators only): list, create,
//! get, update (name, role, operator, active) and set a password.
//!
//! Only a staff administrator (the panel's session) may call these: the
//! `staff:manage` scope comes with the admin role, and API clients are refused
//! even when their scope list names it — a leaked integration secret must not
//! be able to mint administrators. The last active administrator can be neither
//! disabled nor demoted (409). Disabling a user or setting their password ends
//! their panel sessions, access and refresh tokens on their next request.

use crate::contract::text::SingleLine;
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::{password, principal::Principal, scope::Scope},
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    domain::staff::{normalise_email, Role},
    error::{ApiError, ApiResult, ErrorCode},
    paginated, schema_as,
    state::AppState,
    store::staff_users::{self, NewStaffUser, StaffChanges, StaffUser},
};

/// A staff user (never with the password).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Staff {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// `admin`, `operator` or `support`.
    pub role: String,
    /// For role operator: the reseller the user acts for.
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

#[derive(Debug, Object)]
pub struct StaffOne {
    pub data: Staff,
}

paginated!(StaffList, Staff);

const ROLES: [&str; 3] = ["admin", "operator", "support"];
const NAME_MAX: usize = 100;

#[derive(Debug, Object)]
pub struct StaffCreateInput {
    /// Used to log in; unique (case-insensitive).
    pub email: SingleLine,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: SingleLine,
    pub role: StaffRoleName,
    /// Required for role operator, refused for the others.
    #[oai(nullable)]
    pub operator_id: Option<i64>,
    /// At least 10 characters; kept exactly as sent.
    pub password: poem_openapi::types::Password,
}

/// A staff role (for the schema; the reader checks the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum StaffRoleName {
    Admin,
    Operator,
    Support,
}

#[derive(Debug, Object)]
pub struct StaffUpdateInput {
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<SingleLine>,
    #[oai(nullable)]
    pub role: Option<StaffRoleName>,
    /// The operator of a user with role operator (null to unbind).
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

pub struct NewStaff {
    email: String,
    name: String,
    role: Role,
    operator_id: Option<i64>,
    password: String,
}

pub struct StaffUpdate(StaffChanges);

pub struct StaffPassword(String);

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

fn read_role(f: &mut Fields) -> Option<Role> {
    f.optional_choice("role", &ROLES)
        .and_then(|r| r.parse().ok())
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
            (Some(Role::Operator), None) if !f.has_error("operator_id") => f.error(
                "operator_id",
                "A user with role operator needs the operator (reseller) it acts for.",
            ),
            (Some(Role::Admin | Role::Support), Some(_)) => f.error(
                "operator_id",
                "Only users with role operator are bound to an operator.",
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

/// Staff routes are for staff administrators only (see the module docs).
fn require_admin(p: &Principal) -> Result<(), ApiError> {
    if p.role == Some(Role::Admin) && p.has(Scope::StaffManage) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "Only administrators may manage staff users (in the panel or with `ispbills user ...`); \
             API clients cannot.",
        ))
    }
}

#[derive(ApiResponse)]
pub enum StaffCreated {
    #[oai(status = 201)]
    Created(Json<StaffOne>),
}

#[derive(ApiResponse)]
pub enum PasswordSet {
    /// Set; the user's sessions and tokens have ended.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct V2StaffApi;

#[OpenApi(tag = "ApiTags::Staff")]
impl V2StaffApi {
    /// List staff users (v2, administrators only)
    #[oai(path = "/api/v2/staff", method = "get", operation_id = "v2_staff_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::StaffManage")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<StaffList>> {
        require_admin(&auth.0)?;
        let page = PageRequest::new(page.0, per_page.0);
        let all = state.db.read_async(staff_users::list).await?;
        let total = u64::try_from(all.len()).unwrap_or(0);
        let data = all
            .into_iter()
            .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
            .take(usize::try_from(page.limit()).unwrap_or(0))
            .map(Into::into)
            .collect();
        Ok(Json(StaffList::new(data, total, &page)))
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
        require_admin(&auth.0)?;
        let NewStaff {
            email,
            name,
            role,
            operator_id,
            password: secret,
        } = body.0;
        let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
        let now = state.clock.now();
        let user = state
            .db
            .write_async(move |tx| {
                staff_users::create(
                    tx,
                    &NewStaffUser {
                        email: &email,
                        name: &name,
                        role,
                        password_hash: &hash,
                        operator_id,
                    },
                    now,
                )
            })
            .await?;
        tracing::info!(by = %auth.0.label(), user = %user.email, role = %user.role, "staff user created");
        Ok(StaffCreated::Created(Json(StaffOne { data: user.into() })))
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
        require_admin(&auth.0)?;
        let user = state
            .db
            .read_async(move |c| staff_users::get(c, id.0))
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(StaffOne { data: user.into() }))
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
        require_admin(&auth.0)?;
        let changes = body.0 .0;
        let now = state.clock.now();
        let user = state
            .db
            .write_async(move |tx| staff_users::update(tx, id.0, &changes, now))
            .await;
        // Whatever happened, nothing cached about tokens may outlive it.
        state.auth.cache.invalidate();
        let user = user?;
        tracing::info!(by = %auth.0.label(), user = %user.email, role = %user.role, active = user.active, "staff user updated");
        Ok(Json(StaffOne { data: user.into() }))
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
        require_admin(&auth.0)?;
        let secret = body.0 .0;
        let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
        let now = state.clock.now();
        let done = state
            .db
            .write_async(move |tx| staff_users::set_password(tx, id.0, &hash, now))
            .await;
        state.auth.cache.invalidate();
        let user = done?;
        tracing::info!(by = %auth.0.label(), user = %user.email, "staff password set");
        Ok(PasswordSet::NoContent)
    }
}
