//! Packages: list, create, read, change, delete. Existing subscriptions keep
//! their terms; a change applies from the next period.

use crate::{
    domain::money::Money,
    store::{
        audit_rows,
        audited::PACKAGE,
        packages::{self, PackageFields, PackageRadius, PackageRow},
        StoreError,
    },
};

use super::{Caller, Ctx, Error, OpResult};

fn defaults() -> PackageFields {
    PackageFields {
        name: String::new(),
        price: Money::ZERO,
        currency: "BDT".into(),
        speed_down_kbps: 1,
        speed_up_kbps: 1,
        billing_cycle: "monthly".into(),
        validity_days: 30,
        router_profile: None,
        wholesale_price: None,
    }
}

fn fields_of(p: PackageRow) -> PackageFields {
    PackageFields {
        name: p.name,
        price: p.price,
        currency: p.currency,
        speed_down_kbps: p.speed_down_kbps,
        speed_up_kbps: p.speed_up_kbps,
        billing_cycle: p.billing_cycle,
        validity_days: p.validity_days,
        router_profile: p.router_profile,
        wholesale_price: p.wholesale_price,
    }
}

/// A page of packages, by name.
pub async fn list(
    ctx: &Ctx,
    _caller: &Caller,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<PackageRow>, u64)> {
    Ok(ctx
        .db
        .read_async(move |c| packages::list(c, limit, offset))
        .await?)
}

/// Burst (MikroTik `Mikrotik-Rate-Limit`): all five values or none; a burst
/// rate above the package's speed, a threshold up to it.
fn check_burst(f: &PackageFields, r: &PackageRadius) -> Result<(), StoreError> {
    let all = [
        ("burst_down_kbps", r.burst_down_kbps),
        ("burst_up_kbps", r.burst_up_kbps),
        ("burst_threshold_down_kbps", r.burst_threshold_down_kbps),
        ("burst_threshold_up_kbps", r.burst_threshold_up_kbps),
        ("burst_time_secs", r.burst_time_secs),
    ];
    if all.iter().all(|(_, v)| v.is_none()) {
        return Ok(());
    }
    if let Some((field, _)) = all.iter().find(|(_, v)| v.is_none()) {
        return Err(StoreError::invalid(
            field,
            "Burst needs all five values: burst_down_kbps, burst_up_kbps, \
             burst_threshold_down_kbps, burst_threshold_up_kbps and burst_time_secs.",
        ));
    }
    let checks = [
        (
            "burst_down_kbps",
            r.burst_down_kbps > Some(f.speed_down_kbps),
            "above speed_down_kbps",
        ),
        (
            "burst_up_kbps",
            r.burst_up_kbps > Some(f.speed_up_kbps),
            "above speed_up_kbps",
        ),
        (
            "burst_threshold_down_kbps",
            r.burst_threshold_down_kbps <= Some(f.speed_down_kbps),
            "at most speed_down_kbps",
        ),
        (
            "burst_threshold_up_kbps",
            r.burst_threshold_up_kbps <= Some(f.speed_up_kbps),
            "at most speed_up_kbps",
        ),
    ];
    for (field, ok, rule) in checks {
        if !ok {
            return Err(StoreError::invalid(
                field,
                format!("The {field} must be {rule}."),
            ));
        }
    }
    Ok(())
}

/// Creates a package (the name is unique): `fill` sets what was given on the
/// defaults (BDT, monthly, 30 days, no RADIUS extras).
pub async fn create(
    ctx: &Ctx,
    caller: &Caller,
    fill: impl FnOnce(PackageFields, PackageRadius) -> (PackageFields, PackageRadius),
) -> OpResult<PackageRow> {
    let (fields, radius) = fill(defaults(), PackageRadius::default());
    check_burst(&fields, &radius)?;
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let row = packages::create(tx, &fields, &now)?;
            let row = packages::set_radius(tx, row.id, &radius)?;
            audit_rows::record_change(tx, &who, &PACKAGE, "created", row.id, None, &now)?;
            Ok(row)
        })
        .await?)
}

/// One package.
pub async fn get(ctx: &Ctx, _caller: &Caller, id: i64) -> OpResult<PackageRow> {
    ctx.db
        .read_async(move |c| packages::get(c, id))
        .await?
        .ok_or(Error::NotFound)
}

/// Changes a package: `change` sets what was given on its current fields.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    change: impl FnOnce(PackageFields, PackageRadius) -> (PackageFields, PackageRadius) + Send + 'static,
) -> OpResult<PackageRow> {
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let current = packages::get(tx, id)?.ok_or(StoreError::NotFound)?;
            let before = audit_rows::before(tx, &PACKAGE, id)?;
            let radius = PackageRadius::of(&current);
            let (fields, radius) = change(fields_of(current), radius);
            check_burst(&fields, &radius)?;
            packages::update(tx, id, &fields, &now)?;
            let row = packages::set_radius(tx, id, &radius)?;
            audit_rows::record_change(tx, &who, &PACKAGE, "updated", id, Some(before), &now)?;
            Ok(row)
        })
        .await?)
}

/// Deletes a package no customer or subscription uses.
pub async fn delete(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<()> {
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::before(tx, &PACKAGE, id)?;
            packages::delete(tx, id)?;
            audit_rows::record_change(tx, &who, &PACKAGE, "deleted", id, Some(before), &now)
        })
        .await?)
}
