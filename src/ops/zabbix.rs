//! Zabbix through the appliance: the cached data, how fresh it is, and the
//! inventory (with the customers behind it the caller may see) to match it
//! against.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::{
    monitoring::zabbix::{Snapshot, ZabbixData, ZabbixService},
    ops::{Caller, Ctx, Error, OpResult},
    store::inventory::{self, Behind},
};

/// What Zabbix last said and what it is matched against.
pub struct Current {
    pub data: Arc<ZabbixData>,
    /// The cache's state (its `error` says why the last refresh failed).
    pub snapshot: Snapshot,
    /// When Zabbix last answered.
    pub fetched_at: OffsetDateTime,
    pub now: OffsetDateTime,
    /// Routers, OLTs and devices with the customers behind them.
    pub inventory: Vec<Behind>,
}

/// The data, or `Unavailable` when Zabbix is not configured or has never
/// answered.
pub async fn current(ctx: &Ctx, caller: &Caller, zabbix: &ZabbixService) -> OpResult<Current> {
    let now = ctx.clock.now();
    let Some(snapshot) = zabbix.snapshot(now).await else {
        return Err(Error::Unavailable(
            "Zabbix is not configured: set [zabbix] url and api_token in the config file.".into(),
        ));
    };
    let (Some(data), Some(fetched_at)) = (snapshot.data.clone(), snapshot.fetched_at) else {
        return Err(Error::Unavailable(
            snapshot
                .error
                .clone()
                .unwrap_or_else(|| "Zabbix has not answered yet.".into()),
        ));
    };
    let vis = caller.visibility;
    let inventory = ctx
        .db
        .read_async(move |c| inventory::customers_behind(c, vis))
        .await?;
    Ok(Current {
        data,
        snapshot,
        fetched_at,
        now,
        inventory,
    })
}
