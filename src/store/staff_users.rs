//! Staff users (`staff_users`): created by `ispbills admin create`, used for login.

use super::sql::{Connection, Row, Transaction};
use rusqlite::params;
use time::OffsetDateTime;

use super::{
    rows::{self, record},
    StoreError,
};
use crate::{clock::format_timestamp, domain::staff::Role};

record! {
    /// A staff user as stored (without the password hash).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct StaffUser {
        pub id: i64,
        pub email: String,
        pub name: String,
        pub role: Role => role,
        pub operator_id: Option<i64>,
        pub active: bool,
        /// Enrolled in two-factor login (TOTP).
        pub two_factor: bool,
        pub created_at: String,
        pub updated_at: String,
    }
}

/// What is needed to create a staff user; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewStaffUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    /// For role operator_staff: the operator (reseller) the user acts for.
    pub operator_id: Option<i64>,
}

/// The role column, one of [`Role`]'s names.
fn role(r: &Row<'_>, i: usize) -> super::sql::Result<Role> {
    let name: String = r.get(i)?;
    name.parse()
        .map_err(|e: String| super::sql::Error::Conversion(format!("column {i}: {e}")))
}

/// Creates a staff user. An email already taken (case-insensitively) is a
/// [`StoreError::Conflict`].
pub fn create(
    tx: &Transaction<'_>,
    new: &NewStaffUser<'_>,
    now: OffsetDateTime,
) -> Result<StaffUser, StoreError> {
    let now = format_timestamp(now);
    if let Some(op) = new.operator_id {
        if super::operators::get(tx, op)?.is_none() {
            return Err(StoreError::invalid(
                "operator_id",
                format!("There is no operator #{op}."),
            ));
        }
    }
    let inserted: super::sql::Result<i64> = tx
        .prepare_cached(
            "INSERT INTO staff_users
           (email, name, role, password_hash, active, created_at, updated_at, operator_id)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?6) RETURNING id",
        )?
        .query_row(
            params![
                new.email,
                new.name,
                new.role.as_str(),
                new.password_hash,
                now,
                new.operator_id
            ],
            |r| r.get(0),
        );
    match inserted {
        Ok(id) => get(tx, id)?.ok_or(StoreError::NotFound),
        Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::Conflict(format!(
            "a staff user with email {} already exists",
            new.email
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The staff user with this id, if any.
pub fn get(conn: &Connection, id: i64) -> Result<Option<StaffUser>, StoreError> {
    rows::one(conn, "FROM staff_users WHERE id = ?1", [id])
}

/// How many staff users exist.
pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    rows::value(conn, "SELECT COUNT(*) FROM staff_users", [])
}

/// The user with this email (case-insensitive) and the password hash, for login.
pub fn find_for_login(
    conn: &Connection,
    email: &str,
) -> Result<Option<(StaffUser, String)>, StoreError> {
    rows::one_with(
        conn,
        "password_hash",
        "FROM staff_users WHERE email = ?1",
        [email],
    )
}

/// Every staff user, by id.
pub fn list(conn: &Connection) -> Result<Vec<StaffUser>, StoreError> {
    rows::all(conn, "FROM staff_users ORDER BY id", [])
}

/// The staff user with this email (case-insensitive), if any.
pub fn find_by_email(conn: &Connection, email: &str) -> Result<Option<StaffUser>, StoreError> {
    rows::one(conn, "FROM staff_users WHERE email = ?1", [email.trim()])
}

/// What may change about a staff user (absent: unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// `Some(None)` unbinds the user from its operator.
    pub operator_id: Option<Option<i64>>,
    pub active: Option<bool>,
}

/// Moves the `auth_epoch` counter: every server drops its cache of checked
/// tokens (the triggers do this for role and active; this covers the rest).
fn bump_auth_epoch(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.exec("UPDATE auth_epoch SET value = value + 1 WHERE id = 1", [])?;
    Ok(())
}

/// Ends every panel session and token family of a user: they log in again.
pub fn end_sessions(
    tx: &Transaction<'_>,
    id: i64,
    now: &str,
    reason: &str,
) -> Result<(), StoreError> {
    tx.exec("DELETE FROM staff_sessions WHERE staff_user_id = ?1", [id])?;
    tx.exec(
        "UPDATE token_families SET revoked_at = ?2, revoked_reason = ?3
         WHERE staff_user_id = ?1 AND revoked_at IS NULL",
        params![id, now, reason],
    )?;
    bump_auth_epoch(tx)
}

/// Ends every panel session of a user but the one with `keep_hash`, and
/// every token family: after turning on two-factor login, what was opened
/// with the password alone stops.
pub fn end_other_sessions(
    tx: &Transaction<'_>,
    id: i64,
    keep_hash: &str,
    now: &str,
    reason: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM staff_sessions WHERE staff_user_id = ?1 AND token_hash <> ?2",
        params![id, keep_hash],
    )?;
    tx.exec(
        "UPDATE token_families SET revoked_at = ?2, revoked_reason = ?3
         WHERE staff_user_id = ?1 AND revoked_at IS NULL",
        params![id, now, reason],
    )?;
    bump_auth_epoch(tx)
}

/// Active administrators other than `except`.
fn other_active_admins(tx: &Transaction<'_>, except: i64) -> Result<i64, StoreError> {
    rows::value(
        tx,
        "SELECT COUNT(*) FROM staff_users WHERE role = 'admin' AND active = 1 AND id <> ?1",
        [except],
    )
}

/// Applies `changes` to user `id`. A role operator_staff needs an existing operator,
/// the others none; the last active administrator can be neither disabled nor
/// demoted ([`StoreError::Conflict`]). Disabling ends the user's sessions and
/// tokens at once.
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    changes: &StaffChanges,
    now: OffsetDateTime,
) -> Result<StaffUser, StoreError> {
    let current = get(tx, id)?.ok_or(StoreError::NotFound)?;
    let role = changes.role.unwrap_or(current.role);
    let operator_id = match changes.operator_id {
        Some(op) => op,
        // Leaving the operator role drops the binding; entering it needs one.
        None if role != Role::OperatorStaff => None,
        None => current.operator_id,
    };
    let active = changes.active.unwrap_or(current.active);
    let name = changes.name.clone().unwrap_or_else(|| current.name.clone());
    match (role, operator_id) {
        (Role::OperatorStaff, None) => {
            return Err(StoreError::invalid(
                "operator_id",
                "A user with role operator_staff needs the operator it acts for.",
            ))
        }
        (Role::OperatorStaff, Some(op)) if super::operators::get(tx, op)?.is_none() => {
            return Err(StoreError::invalid(
                "operator_id",
                format!("There is no operator #{op}."),
            ))
        }
        (Role::Admin | Role::Support, Some(_)) => {
            return Err(StoreError::invalid(
                "operator_id",
                "Only users with role operator_staff are bound to an operator.",
            ))
        }
        _ => {}
    }
    let stays_admin = role == Role::Admin && active;
    if current.role == Role::Admin
        && current.active
        && !stays_admin
        && other_active_admins(tx, id)? == 0
    {
        return Err(StoreError::Conflict(
            "This is the last active administrator: make another user an administrator first."
                .into(),
        ));
    }
    let stamp = format_timestamp(now);
    tx.exec(
        "UPDATE staff_users SET name = ?2, role = ?3, operator_id = ?4, active = ?5, updated_at = ?6
         WHERE id = ?1",
        params![id, name, role.as_str(), operator_id, active, stamp],
    )?;
    if current.active && !active {
        end_sessions(tx, id, &stamp, "user disabled")?;
    } else {
        bump_auth_epoch(tx)?;
    }
    get(tx, id)?.ok_or(StoreError::NotFound)
}

/// Sets a new password (already hashed); the user's sessions and tokens end.
pub fn set_password(
    tx: &Transaction<'_>,
    id: i64,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<StaffUser, StoreError> {
    let stamp = format_timestamp(now);
    rows::execute_one(
        tx,
        "UPDATE staff_users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, password_hash, stamp],
    )?;
    end_sessions(tx, id, &stamp, "password changed")?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}
