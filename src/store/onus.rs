//! ONUs as their OLTs report them, linked to customers by ONU MAC or serial,
//! and the rx power / radio signal history kept for graphs.

use super::sql::{Connection, Transaction};
use rusqlite::params;

use super::{
    rows::{self, record},
    StoreError,
};

/// An ONU as read from its OLT.
#[derive(Debug, Clone, PartialEq)]
pub struct OnuState {
    pub index_key: String,
    pub pon_port: String,
    pub onu_index: i64,
    pub serial: Option<String>,
    pub mac: Option<String>,
    pub name: Option<String>,
    pub status: String,
    pub rx_power_dbm: Option<f64>,
    pub distance_m: Option<i64>,
}

record! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct OnuRow in o {
        pub id: i64,
        pub olt_id: i64,
        pub olt_name: String = "d.name",
        pub pon_port: String,
        pub onu_index: i64,
        pub serial: Option<String>,
        pub mac: Option<String>,
        pub name: Option<String>,
        pub status: String,
        pub rx_power_dbm: Option<f64>,
        pub distance_m: Option<i64>,
        pub customer_id: Option<i64>,
        pub customer_name: Option<String> = "c.name",
        pub last_online_at: Option<String>,
        pub updated_at: String,
    }
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct OnuFilter {
    pub olt_id: Option<i64>,
    pub status: Option<String>,
    /// Only ONUs whose rx power is below this (dBm).
    pub rx_below: Option<f64>,
    pub customer_id: Option<i64>,
}

/// Replaces an OLT's ONUs with what it reported (ONUs it no longer lists are
/// removed), links them to customers, and appends rx history.
pub fn replace_for_olt(
    tx: &Transaction<'_>,
    olt_id: i64,
    onus: &[OnuState],
    now: &str,
) -> Result<(), StoreError> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO onus (olt_id, index_key, pon_port, onu_index, serial, mac, name, status, \
         rx_power_dbm, distance_m, last_online_at, updated_at, customer_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, CASE WHEN ?8 = 'online' THEN ?11 END, ?11, \
           (SELECT id FROM customers WHERE (?6 IS NOT NULL AND onu_mac = ?6) \
              OR (?5 IS NOT NULL AND upper(onu_mac) = upper(?5)) ORDER BY id LIMIT 1)) \
         ON CONFLICT (olt_id, index_key) DO UPDATE SET pon_port = excluded.pon_port, \
           onu_index = excluded.onu_index, serial = excluded.serial, mac = excluded.mac, \
           name = excluded.name, status = excluded.status, rx_power_dbm = excluded.rx_power_dbm, \
           distance_m = excluded.distance_m, updated_at = excluded.updated_at, \
           customer_id = excluded.customer_id, \
           last_online_at = COALESCE(excluded.last_online_at, onus.last_online_at) \
         RETURNING id",
    )?;
    let mut history = tx.prepare_cached(
        "INSERT INTO signal_history (subject, subject_id, at, value) VALUES ('onu', ?1, ?2, ?3)",
    )?;
    let mut seen = Vec::with_capacity(onus.len());
    for o in onus {
        let id: i64 = upsert.query_row(
            params![
                olt_id,
                o.index_key,
                o.pon_port,
                o.onu_index,
                o.serial,
                o.mac,
                o.name,
                o.status,
                o.rx_power_dbm,
                o.distance_m,
                now
            ],
            |r| r.get(0),
        )?;
        if let Some(rx) = o.rx_power_dbm {
            history.execute(params![id, now, rx])?;
        }
        seen.push(o.index_key.clone());
    }
    let keys = serde_json::to_string(&seen).unwrap_or_else(|_| "[]".into());
    tx.exec(
        &format!(
            "DELETE FROM onus WHERE olt_id = ?1 AND index_key NOT IN {}",
            tx.engine().json_texts("?2")
        ),
        params![olt_id, keys],
    )?;
    Ok(())
}

const FROM: &str = "FROM onus o JOIN snmp_devices d ON d.id = o.olt_id \
                    LEFT JOIN customers c ON c.id = o.customer_id";

pub fn list(
    conn: &Connection,
    f: &OnuFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OnuRow>, i64), StoreError> {
    rows::page(
        conn,
        FROM,
        "(?1 IS NULL OR o.olt_id = ?1) AND (?2 IS NULL OR o.status = ?2) \
         AND (?3 IS NULL OR o.rx_power_dbm < ?3) AND (?4 IS NULL OR o.customer_id = ?4)",
        "d.name, o.pon_port, o.onu_index",
        params![f.olt_id, f.status, f.rx_below, f.customer_id],
        limit,
        offset,
    )
}

/// Appends a radio's signal reading.
pub fn record_radio_signal(
    tx: &Transaction<'_>,
    device_id: i64,
    signal: f64,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO signal_history (subject, subject_id, at, value) VALUES ('radio', ?1, ?2, ?3)",
        params![device_id, now, signal],
    )?;
    Ok(())
}

/// History of one subject (`onu` or `radio`), newest first.
pub fn history(
    conn: &Connection,
    subject: &str,
    id: i64,
    limit: i64,
) -> Result<Vec<(String, f64)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT at, value FROM signal_history WHERE subject = ?1 AND subject_id = ?2 \
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt
        .query_map(params![subject, id, limit], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn exists(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    rows::exists(conn, "FROM onus WHERE id = ?1", [id])
}

/// ONUs offline, and online with rx power below `low_rx`.
pub fn problem_counts(conn: &Connection, low_rx: f64) -> Result<(i64, i64, i64), StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'offline'), \
         COUNT(*) FILTER (WHERE status = 'online' AND rx_power_dbm < ?1) FROM onus",
        [low_rx],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}

/// History retention.
pub fn delete_history_before(tx: &Transaction<'_>, cutoff: &str) -> Result<usize, StoreError> {
    Ok(tx.exec("DELETE FROM signal_history WHERE at < ?1", [cutoff])?)
}
