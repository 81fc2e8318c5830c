//! Monitoring reads: ONUs as their OLTs report them, an ONU's rx power
//! history, the infrastructure status checks and the device access log.

use crate::{
    ops::{Caller, Ctx, OpResult},
    store::{
        monitoring::{self, AccessRow, CheckRow},
        onus::{self, OnuFilter, OnuRow},
        StoreError,
    },
};

/// ONUs matching the filter, and how many there are.
pub async fn onus(
    ctx: &Ctx,
    _caller: &Caller,
    filter: OnuFilter,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<OnuRow>, i64)> {
    Ok(ctx
        .db
        .read_async(move |c| onus::list(c, &filter, limit, offset))
        .await?)
}

/// An ONU's rx power readings, newest first.
pub async fn onu_history(
    ctx: &Ctx,
    _caller: &Caller,
    id: i64,
    limit: i64,
) -> OpResult<Vec<(String, f64)>> {
    Ok(ctx
        .db
        .read_async(move |c| {
            if !onus::exists(c, id)? {
                return Err(StoreError::NotFound);
            }
            onus::history(c, "onu", id, limit)
        })
        .await?)
}

/// The configured status checks and their last results.
pub async fn checks(ctx: &Ctx, _caller: &Caller) -> OpResult<Vec<CheckRow>> {
    Ok(ctx.db.read_async(monitoring::checks).await?)
}

/// The device access log, newest first (optionally failures only).
pub async fn access_log(
    ctx: &Ctx,
    _caller: &Caller,
    failed_only: bool,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<AccessRow>, i64)> {
    Ok(ctx
        .db
        .read_async(move |c| monitoring::access_log(c, failed_only, limit, offset))
        .await?)
}
