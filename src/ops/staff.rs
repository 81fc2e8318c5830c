//! Staff users: list, get, create, change (name, role, operator, active), set
//! a password, and the first administrator of a new appliance.
//!
//! Only a staff administrator (or the appliance itself: the command line on
//! the server) may manage staff: API clients are refused even when their
//! scope list names `staff:manage`, so a leaked integration secret cannot mint
//! administrators. The last active administrator can be neither disabled nor
//! demoted (409). Disabling a user or setting their password ends their panel
//! sessions, access and refresh tokens; the adapter that called drops what it
//! has cached about tokens (the server its cache, the command line tells the
//! server).

use super::{Actor, Caller, Ctx, Error, OpResult};
use crate::{
    auth::{password, scope::Scope},
    clock::format_timestamp,
    contract::pagination::PageRequest,
    domain::staff::Role,
    store::{
        audit_rows,
        audited::STAFF_USER,
        staff_users::{self, NewStaffUser, StaffChanges, StaffUser},
        StoreError,
    },
};

/// Staff are managed by administrators only (see the module docs).
fn require_admin(caller: &Caller) -> OpResult<()> {
    let admin = caller.role == Some(Role::Admin) && caller.has(Scope::StaffManage);
    if admin || caller.actor == Actor::System {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "Only administrators may manage staff users (in the panel or with `ispbills user ...`); \
             API clients cannot."
                .into(),
        ))
    }
}

/// What a new staff user is (the password in clear, checked for strength by
/// the adapter's reader; it is hashed here).
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub operator_id: Option<i64>,
    pub password: String,
}

async fn hash(secret: String) -> OpResult<String> {
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(Error::Internal)
}

/// One page of staff users, with the total.
pub async fn list(
    ctx: &Ctx,
    caller: &Caller,
    page: PageRequest,
) -> OpResult<(Vec<StaffUser>, u64)> {
    require_admin(caller)?;
    let all = all(ctx, caller).await?;
    let total = u64::try_from(all.len()).unwrap_or(0);
    let data = all
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(page.limit()).unwrap_or(0))
        .collect();
    Ok((data, total))
}

/// Every staff user.
pub async fn all(ctx: &Ctx, caller: &Caller) -> OpResult<Vec<StaffUser>> {
    require_admin(caller)?;
    Ok(ctx.db.read_async(staff_users::list).await?)
}

pub async fn get(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<StaffUser> {
    require_admin(caller)?;
    ctx.db
        .read_async(move |c| staff_users::get(c, id))
        .await?
        .ok_or(Error::NotFound)
}

/// The user with this (already normalised) email.
pub async fn find_by_email(ctx: &Ctx, caller: &Caller, email: String) -> OpResult<StaffUser> {
    require_admin(caller)?;
    ctx.db
        .read_async(move |c| staff_users::find_by_email(c, &email))
        .await?
        .ok_or(Error::NotFound)
}

/// A new staff user: an operator's staff need an existing operator, the
/// others none; the email is unique.
pub async fn create(ctx: &Ctx, caller: &Caller, new: NewStaff) -> OpResult<StaffUser> {
    require_admin(caller)?;
    let NewStaff {
        email,
        name,
        role,
        operator_id,
        password: secret,
    } = new;
    let hash = hash(secret).await?;
    let now = ctx.clock.now();
    let who = caller.who();
    let user = ctx
        .db
        .write_async(move |tx| {
            let user = staff_users::create(
                tx,
                &NewStaffUser {
                    email: &email,
                    name: &name,
                    role,
                    password_hash: &hash,
                    operator_id,
                },
                now,
            )?;
            let stamp = format_timestamp(now);
            audit_rows::record_change(tx, &who, &STAFF_USER, "created", user.id, None, &stamp)?;
            Ok(user)
        })
        .await?;
    tracing::info!(by = %caller.label(), user = %user.email, role = %user.role, "staff user created");
    Ok(user)
}

/// Applies `changes` (see [`staff_users::update`] for the rules).
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    changes: StaffChanges,
) -> OpResult<StaffUser> {
    require_admin(caller)?;
    let now = ctx.clock.now();
    let who = caller.who();
    let user = ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::snapshot(tx, &STAFF_USER, id)?;
            let user = staff_users::update(tx, id, &changes, now)?;
            let stamp = format_timestamp(now);
            audit_rows::record_change(tx, &who, &STAFF_USER, "updated", id, before, &stamp)?;
            Ok(user)
        })
        .await?;
    tracing::info!(by = %caller.label(), user = %user.email, role = %user.role, active = user.active, "staff user updated");
    Ok(user)
}

/// Sets a new password (checked for strength by the adapter's reader); the
/// user's sessions and tokens end.
pub async fn set_password(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    secret: String,
) -> OpResult<StaffUser> {
    require_admin(caller)?;
    let hash = hash(secret).await?;
    let now = ctx.clock.now();
    let who = caller.who();
    let user = ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::snapshot(tx, &STAFF_USER, id)?;
            let user = staff_users::set_password(tx, id, &hash, now)?;
            let stamp = format_timestamp(now);
            audit_rows::record_change(tx, &who, &STAFF_USER, "updated", id, before, &stamp)?;
            Ok(user)
        })
        .await?;
    tracing::info!(by = %caller.label(), user = %user.email, "staff password set");
    Ok(user)
}

/// True while no staff user exists (first-run setup is open).
pub async fn setup_required(ctx: &Ctx) -> OpResult<bool> {
    Ok(ctx.db.read_async(staff_users::count).await? == 0)
}

const SETUP_DONE: &str = "Setup is already complete; log in instead.";

/// The first administrator, with a password already hashed (setup hashes on
/// the bounded hashing threads). Refused (409) once any staff user exists,
/// checked again under the write lock: two setups cannot both win.
pub async fn create_first_admin(
    ctx: &Ctx,
    email: String,
    name: String,
    password_hash: String,
) -> OpResult<StaffUser> {
    let now = ctx.clock.now();
    let user = ctx
        .db
        .write_async(move |tx| {
            if staff_users::count(tx)? > 0 {
                return Err(StoreError::Conflict(SETUP_DONE.into()));
            }
            staff_users::create(
                tx,
                &NewStaffUser {
                    email: &email,
                    name: name.trim(),
                    role: Role::Admin,
                    password_hash: &password_hash,
                    operator_id: None,
                },
                now,
            )
        })
        .await?;
    tracing::info!(user = %user.email, "first admin created by setup");
    Ok(user)
}

/// The 409 of a setup when staff exist already.
pub fn setup_done() -> Error {
    Error::Conflict(SETUP_DONE.into())
}
