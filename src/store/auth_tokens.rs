//! Token families, refresh tokens (stored hashed) and revoked access tokens, and
//! the per-request lookups that decide whether a token still stands.

use super::sql::{Connection, OptionalExtension, Transaction};
use rusqlite::params;

use super::{
    rows::{self, record},
    StoreError,
};

/// Whose family it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyOwner {
    StaffUser(i64),
    ApiClient(i64),
}

pub fn create_family(
    tx: &Transaction<'_>,
    owner: FamilyOwner,
    now: &str,
) -> Result<i64, StoreError> {
    let (user, client) = match owner {
        FamilyOwner::StaffUser(id) => (Some(id), None),
        FamilyOwner::ApiClient(id) => (None, Some(id)),
    };
    let id: i64 = rows::value(
        tx,
        "INSERT INTO token_families (staff_user_id, api_client_id, created_at) VALUES (?1, ?2, ?3) RETURNING id",
        params![user, client, now],
    )?;
    Ok(id)
}

pub fn insert_refresh(
    tx: &Transaction<'_>,
    family_id: i64,
    token_hash: &str,
    now: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO refresh_tokens (family_id, token_hash, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![family_id, token_hash, now, expires_at],
    )?;
    Ok(())
}

/// A refresh token as found by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRow {
    pub id: i64,
    pub family_id: i64,
    pub owner: FamilyOwner,
    pub expires_at: String,
    pub used_at: Option<String>,
    pub family_revoked: bool,
}

pub fn find_refresh(conn: &Connection, token_hash: &str) -> Result<Option<RefreshRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT r.id, r.family_id, f.staff_user_id, f.api_client_id, r.expires_at, r.used_at,
                    f.revoked_at IS NOT NULL
             FROM refresh_tokens r JOIN token_families f ON f.id = r.family_id
             WHERE r.token_hash = ?1",
            [token_hash],
            |r| {
                let user: Option<i64> = r.get(2)?;
                let client: Option<i64> = r.get(3)?;
                let owner = match (user, client) {
                    (Some(u), _) => FamilyOwner::StaffUser(u),
                    (None, Some(c)) => FamilyOwner::ApiClient(c),
                    (None, None) => FamilyOwner::StaffUser(0),
                };
                Ok(RefreshRow {
                    id: r.get(0)?,
                    family_id: r.get(1)?,
                    owner,
                    expires_at: r.get(4)?,
                    used_at: r.get(5)?,
                    family_revoked: r.get(6)?,
                })
            },
        )
        .optional()?)
}

/// Retires a refresh token; false when it was already retired (a race lost).
pub fn mark_used(tx: &Transaction<'_>, id: i64, now: &str) -> Result<bool, StoreError> {
    let n = tx.exec(
        "UPDATE refresh_tokens SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
        params![id, now],
    )?;
    Ok(n == 1)
}

pub fn revoke_family(
    tx: &Transaction<'_>,
    family_id: i64,
    now: &str,
    reason: &str,
) -> Result<(), StoreError> {
    revoke_families_where(tx, "id", family_id, now, reason)
}

pub fn revoke_client_families(
    tx: &Transaction<'_>,
    client_id: i64,
    now: &str,
    reason: &str,
) -> Result<(), StoreError> {
    revoke_families_where(tx, "api_client_id", client_id, now, reason)
}

/// Revokes the families not yet revoked whose `column` is `value`.
fn revoke_families_where(
    tx: &Transaction<'_>,
    column: &str,
    value: i64,
    now: &str,
    reason: &str,
) -> Result<(), StoreError> {
    tx.exec(
        &format!(
            "UPDATE token_families SET revoked_at = ?2, revoked_reason = ?3 \
             WHERE {column} = ?1 AND revoked_at IS NULL"
        ),
        params![value, now, reason],
    )?;
    Ok(())
}

/// Revokes one access token until it would have expired anyway.
pub fn revoke_jti(tx: &Transaction<'_>, jti: &str, expires_at: i64) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![jti, expires_at],
    )?;
    Ok(())
}

record! {
    /// What decides whether a staff user's access token stands (`?2`: the
    /// token's family, if it has one).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct UserTokenState in u {
        pub role: String,
        pub active: bool,
        pub family_revoked: bool = "COALESCE((SELECT f.revoked_at IS NOT NULL FROM token_families f \
            WHERE f.id = ?2 AND f.staff_user_id = u.id), ?2 IS NOT NULL)",
        pub operator_id: Option<i64>,
        /// Enrolled in two-factor login.
        pub two_factor: bool,
    }
}

/// One indexed read per request: the user, and the token's family when it has one.
pub fn user_token_state(
    conn: &Connection,
    user_id: i64,
    family_id: Option<i64>,
) -> Result<Option<UserTokenState>, StoreError> {
    rows::one(
        conn,
        "FROM staff_users u WHERE u.id = ?1",
        params![user_id, family_id],
    )
}

record! {
    /// What decides whether an API client's access token stands (`?2`: the
    /// token's family, if it has one; `?3`: its id).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ClientTokenState in c {
        pub api: String,
        pub scopes: String,
        pub tier: String,
        pub credentials_version: i64,
        pub family_revoked: bool = "COALESCE((SELECT f.revoked_at IS NOT NULL FROM token_families f \
            WHERE f.id = ?2 AND f.api_client_id = c.id), ?2 IS NOT NULL)",
        pub jti_revoked: bool = "EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?3)",
    }
}

/// One indexed read per request: the client, its token family (v1) and whether
/// the token id was revoked (v2).
pub fn client_token_state(
    conn: &Connection,
    client_id: i64,
    family_id: Option<i64>,
    jti: &str,
) -> Result<Option<ClientTokenState>, StoreError> {
    rows::one(
        conn,
        "FROM api_clients c WHERE c.id = ?1",
        params![client_id, family_id, jti],
    )
}

/// Whether one access token id was revoked.
pub fn is_jti_revoked(conn: &Connection, jti: &str) -> Result<bool, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?1)")?;
    Ok(stmt.query_row([jti], |r| r.get(0))?)
}

/// Drops rows that can no longer matter: revoked ids of expired tokens and
/// refresh tokens past expiry. Returns how many rows went.
pub fn purge_expired(tx: &Transaction<'_>, now_unix: i64, now: &str) -> Result<usize, StoreError> {
    let a = tx.exec(
        "DELETE FROM revoked_tokens WHERE expires_at <= ?1",
        [now_unix],
    )?;
    let b = tx.exec("DELETE FROM refresh_tokens WHERE expires_at <= ?1", [now])?;
    Ok(a + b)
}

/// The counter the auth triggers move (see migration 0002).
pub fn auth_epoch(conn: &Connection) -> Result<i64, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT value FROM auth_epoch WHERE id = 1")?;
    Ok(stmt.query_row([], |r| r.get(0))?)
}
