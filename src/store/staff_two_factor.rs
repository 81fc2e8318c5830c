//! Staff two-factor state (`staff_users.two_factor`, `totp_secret`,
//! `totp_pending`, `totp_last_step`; `staff_recovery_codes`). Secrets arrive
//! and leave sealed; recovery codes as hashes.

use rusqlite::params;

use super::{
    rows,
    sql::{Connection, OptionalExtension, Transaction},
    StoreError,
};

/// An enrolled user's sealed secret and the last step a code was accepted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    pub sealed_secret: String,
    pub last_step: i64,
}

/// The user's enrolment, if enrolled.
pub fn enrolled(conn: &Connection, user_id: i64) -> Result<Option<Enrolled>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT totp_secret, totp_last_step FROM staff_users
             WHERE id = ?1 AND two_factor = 1 AND totp_secret IS NOT NULL",
            [user_id],
            |r| {
                Ok(Enrolled {
                    sealed_secret: r.get(0)?,
                    last_step: r.get(1)?,
                })
            },
        )
        .optional()?)
}

/// Keeps a new secret awaiting its first code (replacing any earlier one).
pub fn set_pending(tx: &Transaction<'_>, user_id: i64, sealed: &str) -> Result<(), StoreError> {
    rows::execute_one(
        tx,
        "UPDATE staff_users SET totp_pending = ?2 WHERE id = ?1",
        params![user_id, sealed],
    )
}

/// The secret awaiting its first code, if any.
pub fn pending(conn: &Connection, user_id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT totp_pending FROM staff_users WHERE id = ?1",
            [user_id],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

/// Enrols the user: the pending secret becomes theirs, `step` the last one
/// used, and `recovery_hashes` replace any earlier recovery codes.
pub fn enable(
    tx: &Transaction<'_>,
    user_id: i64,
    sealed: &str,
    step: i64,
    recovery_hashes: &[String],
    now: &str,
) -> Result<(), StoreError> {
    rows::execute_one(
        tx,
        "UPDATE staff_users SET two_factor = 1, totp_secret = ?2, totp_pending = NULL,
         totp_last_step = ?3, updated_at = ?4 WHERE id = ?1",
        params![user_id, sealed, step, now],
    )?;
    replace_recovery(tx, user_id, recovery_hashes)
}

/// Replaces the user's recovery codes.
pub fn replace_recovery(
    tx: &Transaction<'_>,
    user_id: i64,
    hashes: &[String],
) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM staff_recovery_codes WHERE staff_user_id = ?1",
        [user_id],
    )?;
    for hash in hashes {
        tx.exec(
            "INSERT INTO staff_recovery_codes (staff_user_id, code_hash) VALUES (?1, ?2)",
            params![user_id, hash],
        )?;
    }
    Ok(())
}

/// Records `step` as used when it is later than the last used one; false
/// when it is not (the code was already used, or an older one).
pub fn use_step(tx: &Transaction<'_>, user_id: i64, step: i64) -> Result<bool, StoreError> {
    Ok(rows::execute(
        tx,
        "UPDATE staff_users SET totp_last_step = ?2
         WHERE id = ?1 AND two_factor = 1 AND totp_last_step < ?2",
        params![user_id, step],
    )? == 1)
}

/// Uses the unused recovery code with this hash; false when there is none.
pub fn use_recovery(
    tx: &Transaction<'_>,
    user_id: i64,
    hash: &str,
    now: &str,
) -> Result<bool, StoreError> {
    Ok(rows::execute(
        tx,
        "UPDATE staff_recovery_codes SET used_at = ?3
         WHERE staff_user_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
        params![user_id, hash, now],
    )? == 1)
}

/// Unused recovery codes left.
pub fn recovery_left(conn: &Connection, user_id: i64) -> Result<i64, StoreError> {
    rows::value(
        conn,
        "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_user_id = ?1 AND used_at IS NULL",
        [user_id],
    )
}

/// Ends the user's enrolment: secret, pending secret and recovery codes go.
/// False when the user was not enrolled (nothing pending either).
pub fn disable(tx: &Transaction<'_>, user_id: i64, now: &str) -> Result<bool, StoreError> {
    let changed = rows::execute(
        tx,
        "UPDATE staff_users SET two_factor = 0, totp_secret = NULL, totp_pending = NULL,
         totp_last_step = 0, updated_at = ?2
         WHERE id = ?1 AND (two_factor = 1 OR totp_pending IS NOT NULL)",
        params![user_id, now],
    )? == 1;
    replace_recovery(tx, user_id, &[])?;
    Ok(changed)
}
