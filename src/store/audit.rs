//! The audit trail (`audit_log`): who changed what, when and why, one row per
//! change, written in the change's own transaction so a change and its row
//! are kept or lost together.

use rusqlite::params;
use serde_json::{Map, Value};

use super::{
    rows::{self, record, Conditions},
    sql::{Connection, Transaction},
    StoreError,
};
use crate::domain::visibility::Visibility;

/// Who made a change: an actor label (`user:N`, `client:N`, `customer:N`,
/// `system`, `job:NAME`) and, over the network, their address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub actor: String,
    pub source: Option<String>,
}

impl Who {
    /// A background job, by name (`job:billing-run`).
    pub fn job(name: &str) -> Self {
        Self {
            actor: format!("job:{name}"),
            source: None,
        }
    }
}

/// Field-by-field changes: `{"field": {"before": .., "after": ..}}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes(Map<String, Value>);

impl Changes {
    /// Records `field` when its value changed.
    pub fn field<T: PartialEq + Into<Value> + Clone>(
        &mut self,
        field: &str,
        before: &T,
        after: &T,
    ) {
        if before != after {
            self.0.insert(
                field.to_string(),
                serde_json::json!({ "before": before.clone().into(), "after": after.clone().into() }),
            );
        }
    }

    /// A secret that changed: recorded as changed, never its value.
    pub fn secret(&mut self, field: &str, changed: bool) {
        if changed {
            self.0.insert(field.to_string(), Value::from("changed"));
        }
    }

    /// A plain value that is no before/after (what a refused request was).
    pub fn note(&mut self, field: &str, value: Value) {
        self.0.insert(field.to_string(), value);
    }

    /// The changed fields' names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.0.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn json(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }
}

/// One change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    /// What was done: `customer.updated`, `customer.suspended`...
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: Option<i64>,
    /// The customer the change is about, if any.
    pub customer_id: Option<i64>,
    pub reason: Option<&'a str>,
    pub changes: Changes,
}

/// Writes one row of the trail (in the change's transaction).
pub fn record(tx: &Transaction<'_>, who: &Who, e: &Entry<'_>, now: &str) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO audit_log (at, actor, source, action, resource_type, resource_id, \
         customer_id, reason, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            now,
            who.actor,
            who.source,
            e.action,
            e.resource_type,
            e.resource_id,
            e.customer_id,
            e.reason,
            e.changes.json()
        ],
    )?;
    Ok(())
}

record! {
    /// A row of the trail.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AuditRow in a {
        pub id: i64,
        pub at: String,
        pub actor: String,
        /// The staff user's, API client's or customer's name as it is now.
        pub actor_name: Option<String> = "CASE \
            WHEN a.actor LIKE 'user:%' THEN (SELECT u.name FROM staff_users u \
                WHERE u.id = CAST(substr(a.actor, 6) AS BIGINT) AND u.created_at <= a.at) \
            WHEN a.actor LIKE 'client:%' THEN (SELECT k.name FROM api_clients k \
                WHERE k.id = CAST(substr(a.actor, 8) AS BIGINT) AND k.created_at <= a.at) \
            WHEN a.actor LIKE 'customer:%' THEN (SELECT m.name FROM customers m \
                WHERE m.id = CAST(substr(a.actor, 10) AS BIGINT) AND m.created_at <= a.at) END",
        pub source: Option<String>,
        pub action: String,
        pub resource_type: String,
        pub resource_id: Option<i64>,
        pub customer_id: Option<i64>,
        pub reason: Option<String>,
        pub changes: String,
    }
}

/// Drops the rows written before `before` (retention); returns how many.
pub fn delete_before(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    rows::execute(tx, "DELETE FROM audit_log WHERE at < ?1", params![before])
}

/// The `[audit]` section.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Days the audit trail keeps a row.
    pub retention_days: u32,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            retention_days: 365,
        }
    }
}

impl AuditConfig {
    pub fn check(&self) -> Result<(), String> {
        if self.retention_days == 0 {
            return Err("key `audit.retention_days`: must be at least 1".into());
        }
        Ok(())
    }
}

/// Filters of a listing; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// First and last second to include (RFC 3339, as stored).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only the rows about a customer (for callers who may read customers
    /// but not the logs).
    pub customers_only: bool,
}

/// The FROM and the conditions of `f` for a caller who sees `vis`.
fn conditions(vis: Visibility, f: &AuditFilter) -> (&'static str, Conditions) {
    let mut cond = Conditions::default();
    let mut from = "FROM audit_log a";
    if let Some(operator) = vis.operator_id {
        from = "FROM audit_log a JOIN customers c \
                ON c.id = a.customer_id AND c.created_at <= a.at";
        cond.add("c.operator_id = ?", operator);
    }
    if f.customers_only {
        cond.add_fixed("a.customer_id IS NOT NULL");
    }
    if let Some(v) = &f.actor {
        cond.add("a.actor = ?", v.clone());
    }
    if let Some(v) = &f.action {
        cond.add("a.action = ?", v.clone());
    }
    if let Some(v) = &f.resource_type {
        cond.add("a.resource_type = ?", v.clone());
    }
    if let Some(v) = f.resource_id {
        cond.add("a.resource_id = ?", v);
    }
    if let Some(v) = f.customer_id {
        cond.add("a.customer_id = ?", v);
        cond.add(
            "a.at >= COALESCE((SELECT m.created_at FROM customers m WHERE m.id = ?), '')",
            v,
        );
    }
    if let Some(v) = &f.from {
        cond.add("a.at >= ?", v.clone());
    }
    if let Some(v) = &f.to {
        cond.add("a.at <= ?", v.clone());
    }
    (from, cond)
}

/// One page of the trail, newest first, with the total. A reseller's staff
/// see only the rows about their own customers, without the callers'
/// addresses. An id a deleted customer had and a newer one took names only
/// the newer one's rows (those written since it was created); so does an
/// actor's name.
pub fn list(
    conn: &Connection,
    vis: Visibility,
    f: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditRow>, u64), StoreError> {
    let (from, cond) = conditions(vis, f);
    let (mut rows, total): (Vec<AuditRow>, u64) = rows::page(
        conn,
        from,
        &cond.sql(),
        "a.id DESC",
        &cond.args(),
        limit,
        offset,
    )?;
    if vis.operator_id.is_some() {
        for r in &mut rows {
            r.source = None;
        }
    }
    Ok((rows, total))
}

/// The rows `f` keeps before id `before_id`, newest first, at most `limit`:
/// one chunk of an export (no count, no offset). As [`list`]: a reseller's
/// staff get no callers' addresses.
pub fn export_chunk(
    conn: &Connection,
    vis: Visibility,
    f: &AuditFilter,
    before_id: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let (from, mut cond) = conditions(vis, f);
    cond.add("a.id < ?", before_id);
    let mut args = cond.args();
    args.push(&limit);
    let mut rows: Vec<AuditRow> = rows::all(
        conn,
        &format!(
            "{from} {} ORDER BY a.id DESC LIMIT ?{}",
            cond.where_clause(),
            args.len()
        ),
        args.as_slice(),
    )?;
    if vis.operator_id.is_some() {
        for r in &mut rows {
            r.source = None;
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_kept_and_secrets_never_shown() {
        let mut c = Changes::default();
        c.field("name", &"Rafiq".to_string(), &"Rafiq".to_string());
        c.field("phone", &"01711".to_string(), &"01811".to_string());
        c.field("package_id", &Some(1_i64), &Some(2_i64));
        c.secret("password", true);
        c.secret("pin", false);
        let v: Value = serde_json::from_str(&c.json()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "phone": {"before": "01711", "after": "01811"},
                "package_id": {"before": 1, "after": 2},
                "password": "changed"
            })
        );
    }
}
