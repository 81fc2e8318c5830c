//! Admin panel sessions (`staff_sessions`): the cookie token is stored as its
//! SHA-256 hash.

use super::rows;
use super::sql::{Connection, OptionalExtension, Transaction};
use rusqlite::params;

use super::{staff_users::StaffUser, StoreError};

pub fn create(
    tx: &Transaction<'_>,
    staff_user_id: i64,
    token_hash: &str,
    now: &str,
    expires_at: &str,
) -> Result<i64, StoreError> {
    let id: i64 = rows::value(
        tx,
        "INSERT INTO staff_sessions (staff_user_id, token_hash, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4) RETURNING id",
        params![staff_user_id, token_hash, now, expires_at],
    )?;
    Ok(id)
}

/// A live session's user, if the token is known, unexpired, and its user active.
pub fn find(
    conn: &Connection,
    token_hash: &str,
    now: &str,
) -> Result<Option<StaffUser>, StoreError> {
    let found = conn
        .query_row(
            "SELECT s.staff_user_id FROM staff_sessions s
             JOIN staff_users u ON u.id = s.staff_user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1",
            params![token_hash, now],
            |r| r.get::<_, i64>(0),
        )
        .optional()?;
    match found {
        Some(user_id) => super::staff_users::get(conn, user_id),
        None => Ok(None),
    }
}

pub fn delete(tx: &Transaction<'_>, token_hash: &str) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM staff_sessions WHERE token_hash = ?1",
        [token_hash],
    )?;
    Ok(())
}

pub fn delete_expired(tx: &Transaction<'_>, now: &str) -> Result<usize, StoreError> {
    Ok(tx.exec("DELETE FROM staff_sessions WHERE expires_at <= ?1", [now])?)
}
