//! Webhook endpoints: URL, subscribed events, on/off with the reason it was
//! switched off, and the sealed signing secret (opened only by the sender).

use super::sql::{Connection, OptionalExtension, Transaction};
use rusqlite::params;

use super::{
    rows::{self, record},
    StoreError,
};

record! {
    /// An endpoint as the API shows it (never the secret).
    #[derive(Debug, Clone, PartialEq)]
    pub struct WebhookRow {
        pub id: i64,
        pub url: String,
        pub events: Vec<String> => rows::json_or_default,
        pub active: bool,
        pub disabled_reason: Option<String>,
        pub failing_since: Option<String>,
        pub last_success_at: Option<String>,
        pub created_at: String,
        pub updated_at: String,
    }
}

record! {
    /// What the sender needs: where to post and with what key.
    #[derive(Debug, Clone, PartialEq)]
    pub struct WebhookTarget {
        pub id: i64,
        pub url: String,
        pub secret_sealed: String,
    }
}

/// The fields a caller sets.
#[derive(Debug, Clone)]
pub struct WebhookFields {
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
}

fn latest_event(conn: &Connection) -> Result<i64, StoreError> {
    rows::value(conn, "SELECT COALESCE(MAX(id), 0) FROM events", [])
}

/// Creates an endpoint; events that happened before it are never sent to it.
pub fn create(
    tx: &Transaction<'_>,
    fields: &WebhookFields,
    secret_sealed: &str,
    now: &str,
) -> Result<WebhookRow, StoreError> {
    let id: i64 = rows::value(
        tx,
        "INSERT INTO webhooks (url, events, active, secret_sealed, start_after_event, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id",
        params![
            fields.url,
            serde_json::to_string(&fields.events).unwrap_or_else(|_| "[]".into()),
            i64::from(fields.active),
            secret_sealed,
            latest_event(tx)?,
            now
        ],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<WebhookRow>, StoreError> {
    rows::one(conn, "FROM webhooks WHERE id = ?1", [id])
}

/// Endpoints, oldest first, and how many there are.
pub fn list(
    conn: &Connection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<WebhookRow>, i64), StoreError> {
    rows::page(conn, "FROM webhooks", "", "id", &[], limit, offset)
}

/// Replaces the fields. Switching an endpoint on clears the reason it was off
/// and its failure streak; events from while it was off are not sent.
pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    fields: &WebhookFields,
    now: &str,
) -> Result<WebhookRow, StoreError> {
    let current = get(tx, id)?.ok_or(StoreError::NotFound)?;
    tx.exec(
        "UPDATE webhooks SET url = ?2, events = ?3, active = ?4, updated_at = ?5 WHERE id = ?1",
        params![
            id,
            fields.url,
            serde_json::to_string(&fields.events).unwrap_or_else(|_| "[]".into()),
            i64::from(fields.active),
            now
        ],
    )?;
    if fields.active && !current.active {
        tx.exec(
            "UPDATE webhooks SET disabled_reason = NULL, failing_since = NULL, \
             start_after_event = ?2 WHERE id = ?1",
            params![id, latest_event(tx)?],
        )?;
    }
    get(tx, id)?.ok_or(StoreError::NotFound)
}

/// Replaces the signing secret.
pub fn set_secret(
    tx: &Transaction<'_>,
    id: i64,
    secret_sealed: &str,
    now: &str,
) -> Result<WebhookRow, StoreError> {
    rows::execute_one(
        tx,
        "UPDATE webhooks SET secret_sealed = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, secret_sealed, now],
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

/// Deletes an endpoint with its deliveries and their attempts.
pub fn delete(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    rows::execute_one(tx, "DELETE FROM webhooks WHERE id = ?1", [id])
}

/// Ids of the endpoints that are switched on.
pub fn active_ids(conn: &Connection) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id FROM webhooks WHERE active = 1 ORDER BY id")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// The target of an endpoint that is switched on.
pub fn active_target(conn: &Connection, id: i64) -> Result<Option<WebhookTarget>, StoreError> {
    rows::one(conn, "FROM webhooks WHERE id = ?1 AND active = 1", [id])
}

/// The sealed secrets of every endpoint (for checks that nothing is in clear).
pub fn sealed_secrets(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT secret_sealed FROM webhooks ORDER BY id")?;
    let rows = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// After a successful delivery: the failure streak ends.
pub fn mark_success(tx: &Transaction<'_>, id: i64, now: &str) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE webhooks SET failing_since = NULL, last_success_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// After a failed delivery: the streak starts (if it had not). Returns when it started.
pub fn mark_failure(
    tx: &Transaction<'_>,
    id: i64,
    now: &str,
) -> Result<Option<String>, StoreError> {
    tx.exec(
        "UPDATE webhooks SET failing_since = COALESCE(failing_since, ?2) WHERE id = ?1",
        params![id, now],
    )?;
    Ok(tx
        .query_row(
            "SELECT failing_since FROM webhooks WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// Switches an endpoint off, saying why.
pub fn disable(tx: &Transaction<'_>, id: i64, reason: &str, now: &str) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE webhooks SET active = 0, disabled_reason = ?2, updated_at = ?3 \
         WHERE id = ?1 AND active = 1",
        params![id, reason, now],
    )?;
    Ok(())
}
