//! Audit rows for any table's create, change and delete: the row is read
//! before and after (the columns its [`Audited`] lists) in the change's own
//! transaction, and the row of the trail holds each column that differs,
//! before → after. Secret columns are recorded as "changed", never their
//! value; money is shown in major units under the API's names (`price`).

use serde_json::{Map, Value};

use crate::domain::money::Money;

use super::{
    audit::{self, Changes, Entry, Who},
    sql::{Connection, OptionalExtension, Transaction},
    StoreError,
};

/// What of a table the trail records.
#[derive(Debug)]
pub struct Audited {
    pub table: &'static str,
    /// The trail's `resource_type`, and the action's prefix (`package` →
    /// `package.created`).
    pub resource_type: &'static str,
    /// Columns recorded before → after.
    pub columns: &'static [&'static str],
    /// Columns recorded only as "changed".
    pub secrets: &'static [&'static str],
    /// The column naming the customer a row is about, if any.
    pub customer_column: Option<&'static str>,
}

/// A row as the trail sees it: column → value, and its customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    values: Map<String, Value>,
    /// The secret columns' values, only compared (never recorded).
    secrets: Vec<Value>,
    customer_id: Option<i64>,
}

fn json_of(v: rusqlite::types::Value) -> Value {
    use rusqlite::types::Value as V;
    match v {
        V::Null => Value::Null,
        V::Integer(i) => Value::from(i),
        V::Real(f) => Value::from(f),
        V::Text(t) => Value::from(t),
        V::Blob(b) => Value::from(format!("({} bytes)", b.len())),
    }
}

/// A column as the trail shows it: money (`*_minor`) in major units under
/// the API's name (`price_minor` → `price`), as the API shows money.
fn shown(column: &str, value: Value) -> (String, Value) {
    match (column.strip_suffix("_minor"), value.as_i64()) {
        (Some(name), Some(minor)) => (name.to_string(), Money(minor).to_json()),
        (Some(name), None) => (name.to_string(), value),
        (None, _) => (column.to_string(), value),
    }
}

/// Row `id` of `a`'s table, if it exists.
pub fn snapshot(conn: &Connection, a: &Audited, id: i64) -> Result<Option<Snapshot>, StoreError> {
    let mut cols: Vec<&str> = a.columns.to_vec();
    cols.extend(a.secrets);
    if let Some(c) = a.customer_column {
        cols.push(c);
    }
    let sql = format!("SELECT {} FROM {} WHERE id = ?1", cols.join(", "), a.table);
    let n_plain = a.columns.len();
    let n_secret = a.secrets.len();
    Ok(conn
        .query_row(&sql, [id], |r| {
            let mut values = Map::new();
            for (i, name) in a.columns.iter().enumerate() {
                let (key, value) = shown(name, json_of(r.get_value(i)?));
                values.insert(key, value);
            }
            let mut secrets = Vec::with_capacity(n_secret);
            for j in 0..n_secret {
                secrets.push(json_of(r.get_value(n_plain + j)?));
            }
            let customer_id = match a.customer_column {
                Some(_) => r.get::<_, Option<i64>>(n_plain + n_secret)?,
                None => None,
            };
            Ok(Snapshot {
                values,
                secrets,
                customer_id,
            })
        })
        .optional()?)
}

/// The differences between two snapshots (either may be absent: a row
/// created or deleted).
fn diff(a: &Audited, before: Option<&Snapshot>, after: Option<&Snapshot>) -> Changes {
    let empty = Map::new();
    let b = before.map_or(&empty, |s| &s.values);
    let f = after.map_or(&empty, |s| &s.values);
    let mut changes = Changes::default();
    for column in a.columns {
        let name = column.strip_suffix("_minor").unwrap_or(column);
        let old = b.get(name).cloned().unwrap_or(Value::Null);
        let new = f.get(name).cloned().unwrap_or(Value::Null);
        changes.field(name, &old, &new);
    }
    if let (Some(b), Some(f)) = (before, after) {
        for (j, column) in a.secrets.iter().enumerate() {
            // Named as the API names it: `password_hash` → `password`.
            let name = column
                .strip_suffix("_hash")
                .or_else(|| column.strip_suffix("_sealed"))
                .unwrap_or(column);
            changes.secret(name, b.secrets.get(j) != f.secrets.get(j));
        }
    }
    changes
}

/// Records what became of row `id` since `before` was taken (`None`: it was
/// created) as `<resource_type>.<verb>`; a change that changed nothing
/// records nothing.
pub fn record_change(
    tx: &Transaction<'_>,
    who: &Who,
    a: &Audited,
    verb: &str,
    id: i64,
    before: Option<Snapshot>,
    now: &str,
) -> Result<(), StoreError> {
    let after = snapshot(tx, a, id)?;
    let changes = diff(a, before.as_ref(), after.as_ref());
    if before.is_some() && after.is_some() && changes.is_empty() {
        return Ok(());
    }
    let customer_id = after
        .as_ref()
        .and_then(|s| s.customer_id)
        .or_else(|| before.as_ref().and_then(|s| s.customer_id));
    let action = format!("{}.{verb}", a.resource_type);
    audit::record(
        tx,
        who,
        &Entry {
            action: &action,
            resource_type: a.resource_type,
            resource_id: Some(id),
            customer_id,
            reason: None,
            changes,
        },
        now,
    )
}

/// Shorthand: the row before a change, or `StoreError::NotFound`.
pub fn before(tx: &Transaction<'_>, a: &Audited, id: i64) -> Result<Snapshot, StoreError> {
    snapshot(tx, a, id)?.ok_or(StoreError::NotFound)
}
