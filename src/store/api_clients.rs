//! API clients (`api_clients`). Secrets arrive here already hashed.

use super::sql::{Connection, Transaction};
use rusqlite::params;

use super::{
    rows::{self, record},
    StoreError,
};

record! {
    /// A stored API client.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ApiClientRow {
        pub id: i64,
        pub name: String,
        /// `v1` or `v2`.
        pub api: String,
        /// v2 only: the public client id (UUID v4).
        pub client_uuid: Option<String>,
        /// Space-separated scope names.
        pub scopes: String,
        /// `standard` or `high-volume`.
        pub tier: String,
        pub credentials_version: i64,
        pub created_at: String,
        pub last_used_at: Option<String>,
    }
}

/// What a new client is made of.
#[derive(Debug, Clone)]
pub struct NewApiClient<'a> {
    pub name: &'a str,
    pub api: &'a str,
    pub client_uuid: Option<&'a str>,
    pub secret_hash: Option<&'a str>,
    pub scopes: &'a str,
    pub tier: &'a str,
    pub now: &'a str,
}

pub fn create(tx: &Transaction<'_>, new: &NewApiClient<'_>) -> Result<ApiClientRow, StoreError> {
    let id: i64 = rows::value(
        tx,
        "INSERT INTO api_clients (name, api, client_uuid, secret_hash, scopes, tier, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        params![
            new.name,
            new.api,
            new.client_uuid,
            new.secret_hash,
            new.scopes,
            new.tier,
            new.now
        ],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<ApiClientRow>, StoreError> {
    rows::one(conn, "FROM api_clients WHERE id = ?1", [id])
}

/// A v2 client by its public client id, with its secret hash.
pub fn find_by_uuid(
    conn: &Connection,
    client_uuid: &str,
) -> Result<Option<(ApiClientRow, String)>, StoreError> {
    let found: Option<(ApiClientRow, Option<String>)> = rows::one_with(
        conn,
        "secret_hash",
        "FROM api_clients WHERE client_uuid = ?1",
        [client_uuid],
    )?;
    Ok(found.map(|(row, hash)| (row, hash.unwrap_or_default())))
}

/// All clients, newest first.
pub fn list(conn: &Connection) -> Result<Vec<ApiClientRow>, StoreError> {
    rows::all(conn, "FROM api_clients ORDER BY id DESC", [])
}

/// Changes name, scopes and tier (each when given).
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    name: Option<&str>,
    scopes: Option<&str>,
    tier: Option<&str>,
) -> Result<ApiClientRow, StoreError> {
    rows::execute_one(
        tx,
        "UPDATE api_clients SET name = COALESCE(?2, name), scopes = COALESCE(?3, scopes),
                tier = COALESCE(?4, tier)
         WHERE id = ?1",
        params![id, name, scopes, tier],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

/// New credentials: bumps the version (older tokens stop working), replaces the
/// secret hash (v2), and revokes every token family of the client (v1).
pub fn rotate(
    tx: &Transaction<'_>,
    id: i64,
    secret_hash: Option<&str>,
    now: &str,
) -> Result<ApiClientRow, StoreError> {
    rows::execute_one(
        tx,
        "UPDATE api_clients SET credentials_version = credentials_version + 1,
                secret_hash = COALESCE(?2, secret_hash)
         WHERE id = ?1",
        params![id, secret_hash],
    )?;
    super::auth_tokens::revoke_client_families(tx, id, now, "rotated")?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

/// Deletes a client; its families and refresh tokens go with it.
pub fn delete(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    rows::execute_one(tx, "DELETE FROM api_clients WHERE id = ?1", [id])
}

/// Records use: `last_used_at` only moves forward.
pub fn touch(tx: &Transaction<'_>, id: i64, at: &str) -> Result<(), StoreError> {
    tx.exec_later(
        "UPDATE api_clients SET last_used_at = ?2
         WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)",
        params![id, at],
    )?;
    Ok(())
}
