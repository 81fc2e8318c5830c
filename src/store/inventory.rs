//! Network inventory across kinds, for the NOC dashboard. Each inventory table
//! (routers, OLTs, ONUs, monitored devices) adds its kind here as the driver
//! issues create it; until then the appliance holds no devices.

use rusqlite::Connection;

use super::StoreError;

/// Devices of one kind by last polled state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCounts {
    pub kind: String,
    pub up: i64,
    pub down: i64,
    pub unknown: i64,
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
                "SELECT COALESCE(SUM(status = 'up'), 0), COALESCE(SUM(status = 'down'), 0),
                        COALESCE(SUM(status NOT IN ('up', 'down')), 0) FROM {table} WHERE {filter}"
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

/// A device that is down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownDevice {
    pub kind: String,
    pub id: i64,
    pub name: String,
    pub since: Option<String>,
    pub last_error: Option<String>,
}

/// Every router and SNMP device that is down, longest down first.
pub fn down(conn: &Connection) -> Result<Vec<DownDevice>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT 'router', id, name, status_since, last_error FROM routers WHERE status = 'down' \
         UNION ALL \
         SELECT kind, id, name, status_since, last_error FROM snmp_devices WHERE status = 'down' \
         ORDER BY 4, 3",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(DownDevice {
                kind: r.get(0)?,
                id: r.get(1)?,
                name: r.get(2)?,
                since: r.get(3)?,
                last_error: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
