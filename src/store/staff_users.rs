//! Staff users (`staff_users`): created by `ispbills admin create`, used for login.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use time::OffsetDateTime;

use super::StoreError;
use crate::{clock::format_timestamp, domain::staff::Role};

/// A staff user as stored (without the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub operator_id: Option<i64>,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// What is needed to create a staff user; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewStaffUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    /// For role operator: the reseller the user acts for.
    pub operator_id: Option<i64>,
}

const COLUMNS: &str = "id, email, name, role, active, created_at, updated_at, operator_id";

fn from_row(row: &Row<'_>) -> rusqlite::Result<StaffUser> {
    let role: String = row.get(3)?;
    Ok(StaffUser {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        role: role.parse().map_err(|e: String| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into())
        })?,
        active: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
        operator_id: row.get(7)?,
    })
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
    let inserted = tx.execute(
        "INSERT INTO staff_users
           (email, name, role, password_hash, active, created_at, updated_at, operator_id)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?6)",
        params![
            new.email,
            new.name,
            new.role.as_str(),
            new.password_hash,
            now,
            new.operator_id
        ],
    );
    match inserted {
        Ok(_) => get(tx, tx.last_insert_rowid())?.ok_or(StoreError::NotFound),
        Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::Conflict(format!(
            "a staff user with email {} already exists",
            new.email
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The staff user with this id, if any.
pub fn get(conn: &Connection, id: i64) -> Result<Option<StaffUser>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM staff_users WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?)
}

/// How many staff users exist.
pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM staff_users", [], |r| r.get(0))?)
}

/// The user with this email (case-insensitive) and the password hash, for login.
pub fn find_for_login(
    conn: &Connection,
    email: &str,
) -> Result<Option<(StaffUser, String)>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS}, password_hash FROM staff_users WHERE email = ?1"),
            [email],
            |r| Ok((from_row(r)?, r.get::<_, String>(8)?)),
        )
        .optional()?)
}
