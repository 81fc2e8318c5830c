//! Names that must be unique within their table (packages, routers, SNMP
//! devices): one check, one message.

use super::sql::Connection;
use rusqlite::params;

use super::{rows, StoreError};

/// A table whose rows have unique names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Packages,
    Routers,
    SnmpDevices,
}

impl Named {
    fn table(self) -> &'static str {
        match self {
            Named::Packages => "packages",
            Named::Routers => "routers",
            Named::SnmpDevices => "snmp_devices",
        }
    }
}

/// Refuses (422 on `name`) a name another row of the table has; `except` is
/// the row being changed.
pub fn ensure_free(
    conn: &Connection,
    table: Named,
    name: &str,
    except: Option<i64>,
) -> Result<(), StoreError> {
    let rest = format!(
        "FROM {} WHERE name = ?1 AND id IS DISTINCT FROM ?2",
        table.table()
    );
    if rows::exists(conn, &rest, params![name, except])? {
        return Err(StoreError::invalid(
            "name",
            "The name has already been taken.",
        ));
    }
    Ok(())
}
