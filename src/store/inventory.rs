//! Network inventory across kinds, for the NOC dashboard. Each inventory table
//! (routers, OLTs, ONUs, monitored devices) adds its kind here as the driver
//! issues create it; until then the appliance holds no devices.

use super::sql::{Connection, Transaction};
use rusqlite::params;

use super::{
    rows::{self, record},
    StoreError,
};

/// Devices of one kind by last polled state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCounts {
    pub kind: String,
    pub up: i64,
    pub down: i64,
    pub unknown: i64,
}

/// The SET part that marks a polled device reachable at `?2`; `status_since`
/// moves only when the status changes.
pub(crate) const SET_UP: &str =
    "status_since = CASE WHEN status = 'up' THEN status_since ELSE ?2 END, \
     status = 'up', last_seen_at = ?2, last_error = NULL";

/// Marks the polled device `id` of `table` (routers, snmp_devices)
/// unreachable at `now`, and why; `status_since` moves only when the status
/// changes.
pub(crate) fn record_down(
    tx: &Transaction<'_>,
    table: &str,
    id: i64,
    why: &str,
    now: &str,
) -> Result<(), StoreError> {
    tx.exec(
        &format!(
            "UPDATE {table} SET status_since = CASE WHEN status = 'down' THEN status_since ELSE ?2 END, \
             status = 'down', last_error = ?3 WHERE id = ?1"
        ),
        params![id, now, why],
    )?;
    Ok(())
}

/// Inventory tables and the kind each holds.
const INVENTORY: &[(&str, &str, &str)] = &[
    ("routers", "router", "true"),
    ("snmp_devices", "olt", "kind = 'olt'"),
    ("snmp_devices", "radio", "kind = 'radio'"),
    ("snmp_devices", "device", "kind = 'device'"),
];

/// Counts per kind, for every inventory table that exists.
pub fn status_counts(conn: &Connection) -> Result<Vec<StatusCounts>, StoreError> {
    let mut out = Vec::new();
    for (table, kind, filter) in INVENTORY {
        let (up, down, unknown) = conn.query_row(
            &format!(
                "SELECT COUNT(*) FILTER (WHERE status = 'up'), COUNT(*) FILTER (WHERE status = 'down'),
                        COUNT(*) FILTER (WHERE status NOT IN ('up', 'down')) FROM {table} WHERE {filter}"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        out.push(StatusCounts {
            kind: (*kind).to_string(),
            up,
            down,
            unknown,
        });
    }
    Ok(out)
}

record! {
    /// A device that is down.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DownDevice {
        pub kind: String = "'router'",
        pub id: i64,
        pub name: String,
        pub since: Option<String> = "status_since",
        pub last_error: Option<String>,
    }
}

/// Every router and SNMP device that is down, longest down first.
pub fn down(conn: &Connection) -> Result<Vec<DownDevice>, StoreError> {
    // The routers' side of the union selects DownDevice's columns; the SNMP
    // devices' side the same, in the same order.
    rows::all(
        conn,
        "FROM routers WHERE status = 'down' \
         UNION ALL \
         SELECT kind, id, name, status_since, last_error FROM snmp_devices WHERE status = 'down' \
         ORDER BY 4, 3",
        [],
    )
}

/// One piece of inventory with the customers behind it: a router's customers
/// (their login lives on it), an OLT's (their ONU hangs off it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behind {
    pub kind: String,
    pub id: i64,
    pub name: String,
    pub host: String,
    pub customer_ids: Vec<i64>,
}

/// Every router and SNMP device with the customers behind it (a reseller's
/// staff: only their customers are counted).
pub fn customers_behind(
    conn: &Connection,
    vis: crate::domain::visibility::Visibility,
) -> Result<Vec<Behind>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT 'router', r.id, r.name, r.host, c.id
         FROM routers r
         LEFT JOIN customers c ON c.router_id = r.id AND (?1 IS NULL OR c.operator_id = ?1)
         UNION ALL
         SELECT d.kind, d.id, d.name, d.host, c.id
         FROM snmp_devices d
         LEFT JOIN onus o ON o.olt_id = d.id AND o.customer_id IS NOT NULL
         LEFT JOIN customers c ON c.id = o.customer_id AND (?1 IS NULL OR c.operator_id = ?1)
         ORDER BY 1, 2, 5",
    )?;
    let rows = stmt.query_map([vis.operator_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<i64>>(4)?,
        ))
    })?;
    let mut out: Vec<Behind> = Vec::new();
    for row in rows {
        let (kind, id, name, host, customer) = row?;
        let same = out.last().is_some_and(|b| b.kind == kind && b.id == id);
        if !same {
            out.push(Behind {
                kind,
                id,
                name,
                host,
                customer_ids: Vec::new(),
            });
        }
        if let (Some(c), Some(b)) = (customer, out.last_mut()) {
            if b.customer_ids.last() != Some(&c) {
                b.customer_ids.push(c);
            }
        }
    }
    Ok(out)
}
