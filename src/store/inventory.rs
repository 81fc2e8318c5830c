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
const INVENTORY: &[(&str, &str)] = &[("routers", "router")];

/// Counts per kind, for every inventory table that exists.
pub fn status_counts(conn: &Connection) -> Result<Vec<StatusCounts>, StoreError> {
    let mut out = Vec::new();
    for (table, kind) in INVENTORY {
        let (up, down, unknown) = conn.query_row(
            &format!(
                "SELECT COALESCE(SUM(status = 'up'), 0), COALESCE(SUM(status = 'down'), 0),
                        COALESCE(SUM(status NOT IN ('up', 'down')), 0) FROM {table}"
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
