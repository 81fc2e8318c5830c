//! SNMP-polled devices (OLTs, radios, other devices): inventory with sealed
//! credentials, and what the poller last read.

use super::sql::{Connection, Transaction};
use rusqlite::{params, ToSql};

use super::{
    inventory::{record_down, SET_UP},
    names::{self, Named},
    rows::{self, record, FromRow},
    StoreError,
};

record! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct DeviceRow in d {
        pub id: i64,
        pub kind: String,
        pub name: String,
        pub host: String,
        pub port: i64,
        pub profile: String,
        pub snmp_version: String,
        pub v3_user: Option<String>,
        pub v3_auth_protocol: Option<String>,
        pub v3_priv_protocol: Option<String>,
        pub status: String,
        pub status_since: Option<String>,
        pub last_seen_at: Option<String>,
        pub last_error: Option<String>,
        pub sys_descr: Option<String>,
        pub sys_object_id: Option<String>,
        pub sys_name: Option<String>,
        pub uptime_secs: Option<i64>,
        pub detected_profile: Option<String>,
        pub vendor: Option<String>,
        pub model: Option<String>,
        pub metrics: serde_json::Value => rows::json_or_null,
        pub onus: i64 = "(SELECT COUNT(*) FROM onus o WHERE o.olt_id = d.id)",
        pub created_at: String,
        pub updated_at: String,
    }
}

/// Sealed credentials (for the poller).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedCredentials {
    pub community: Option<String>,
    pub v3_auth: Option<String>,
    pub v3_priv: Option<String>,
}

/// The fields a caller sets; `None` credentials keep the stored ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFields {
    pub kind: String,
    pub name: String,
    pub host: String,
    pub port: i64,
    pub profile: String,
    pub snmp_version: String,
    pub v3_user: Option<String>,
    pub v3_auth_protocol: Option<String>,
    pub v3_priv_protocol: Option<String>,
}

/// What a poll found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollState {
    pub sys_descr: Option<String>,
    pub sys_object_id: Option<String>,
    pub sys_name: Option<String>,
    pub uptime_secs: Option<i64>,
    pub detected_profile: Option<String>,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub metrics: Option<serde_json::Value>,
}

/// What a caller sets (all but the kind), as `?1` to `?11` of the INSERT and
/// the UPDATE.
fn values<'a>(f: &'a DeviceFields, creds: &'a SealedCredentials) -> [&'a dyn ToSql; 11] {
    [
        &f.name,
        &f.host,
        &f.port,
        &f.profile,
        &f.snmp_version,
        &f.v3_user,
        &f.v3_auth_protocol,
        &f.v3_priv_protocol,
        &creds.community,
        &creds.v3_auth,
        &creds.v3_priv,
    ]
}

pub fn create(
    tx: &Transaction<'_>,
    f: &DeviceFields,
    creds: &SealedCredentials,
    now: &str,
) -> Result<DeviceRow, StoreError> {
    names::ensure_free(tx, Named::SnmpDevices, &f.name, None)?;
    let id: i64 = rows::value(
        tx,
        "INSERT INTO snmp_devices (name, host, port, profile, snmp_version, v3_user, \
         v3_auth_protocol, v3_priv_protocol, community_sealed, v3_auth_sealed, v3_priv_sealed, \
         kind, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13) RETURNING id",
        rows::args(&values(f, creds), &[&f.kind, &now]).as_slice(),
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    f: &DeviceFields,
    creds: &SealedCredentials,
    now: &str,
) -> Result<DeviceRow, StoreError> {
    get(tx, id)?.ok_or(StoreError::NotFound)?;
    names::ensure_free(tx, Named::SnmpDevices, &f.name, Some(id))?;
    tx.exec(
        "UPDATE snmp_devices SET name = ?1, host = ?2, port = ?3, profile = ?4, snmp_version = ?5, \
         v3_user = ?6, v3_auth_protocol = ?7, v3_priv_protocol = ?8, \
         community_sealed = COALESCE(?9, community_sealed), \
         v3_auth_sealed = COALESCE(?10, v3_auth_sealed), v3_priv_sealed = COALESCE(?11, v3_priv_sealed), \
         status = 'unknown', status_since = ?12, updated_at = ?12 WHERE id = ?13",
        rows::args(&values(f, creds), &[&now, &id]).as_slice(),
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn delete(tx: &Transaction<'_>, id: i64, kind: Option<&str>) -> Result<DeviceRow, StoreError> {
    let row = get(tx, id)?
        .filter(|r| kind.is_none_or(|k| k == r.kind))
        .ok_or(StoreError::NotFound)?;
    tx.exec(
        "DELETE FROM signal_history WHERE (subject = 'radio' AND subject_id = ?1) \
         OR (subject = 'onu' AND subject_id IN (SELECT id FROM onus WHERE olt_id = ?1))",
        [id],
    )?;
    tx.exec("DELETE FROM snmp_devices WHERE id = ?1", [id])?;
    Ok(row)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<DeviceRow>, StoreError> {
    rows::one(conn, "FROM snmp_devices d WHERE d.id = ?1", [id])
}

/// Devices of some kinds (and, optionally, a vendor), by name.
pub fn list(
    conn: &Connection,
    kinds: &[&str],
    vendor: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<DeviceRow>, i64), StoreError> {
    let kinds = kinds.join(",");
    rows::page(
        conn,
        "FROM snmp_devices d",
        "instr(',' || ?1 || ',', ',' || d.kind || ',') > 0 \
         AND (?2 IS NULL OR d.vendor = ?2 COLLATE NOCASE)",
        "d.name, d.id",
        params![kinds, vendor],
        limit,
        offset,
    )
}

/// Every device with its sealed credentials (for the poller).
pub fn all_with_credentials(
    conn: &Connection,
) -> Result<Vec<(DeviceRow, SealedCredentials)>, StoreError> {
    let sql = format!(
        "SELECT {}, d.community_sealed, d.v3_auth_sealed, d.v3_priv_sealed \
         FROM snmp_devices d ORDER BY d.id",
        DeviceRow::COLUMNS
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                DeviceRow::from_row(r)?,
                SealedCredentials {
                    community: r.get(DeviceRow::WIDTH)?,
                    v3_auth: r.get(DeviceRow::WIDTH + 1)?,
                    v3_priv: r.get(DeviceRow::WIDTH + 2)?,
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Records a poll: reachable with what it said, or not with why.
pub fn record_poll(
    tx: &Transaction<'_>,
    id: i64,
    result: Result<&PollState, &str>,
    now: &str,
) -> Result<(), StoreError> {
    match result {
        Ok(s) => {
            tx.exec(
                &format!(
                    "UPDATE snmp_devices SET {SET_UP}, sys_descr = ?3, sys_object_id = ?4, \
                     sys_name = ?5, uptime_secs = ?6, detected_profile = ?7, vendor = ?8, \
                     model = ?9, metrics = COALESCE(?10, metrics) WHERE id = ?1"
                ),
                params![
                    id,
                    now,
                    s.sys_descr,
                    s.sys_object_id,
                    s.sys_name,
                    s.uptime_secs,
                    s.detected_profile,
                    s.vendor,
                    s.model,
                    s.metrics.as_ref().map(ToString::to_string)
                ],
            )?;
            Ok(())
        }
        Err(why) => record_down(tx, "snmp_devices", id, why, now),
    }
}
