//! Packages: list, create, read, change, delete. Existing subscriptions keep
//! their terms; a change applies from the next period.

use crate::{
    domain::money::Money,
    store::{
        packages::{self, PackageFields, PackageRow},
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

/// Creates a package (the name is unique): `fill` sets what was given on the
/// defaults (BDT, monthly, 30 days).
pub async fn create(
    ctx: &Ctx,
    _caller: &Caller,
    fill: impl FnOnce(PackageFields) -> PackageFields,
) -> OpResult<PackageRow> {
    let fields = fill(defaults());
    let now = ctx.now_text();
    Ok(ctx
        .db
        .write_async(move |tx| packages::create(tx, &fields, &now))
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
    _caller: &Caller,
    id: i64,
    change: impl FnOnce(PackageFields) -> PackageFields + Send + 'static,
) -> OpResult<PackageRow> {
    let now = ctx.now_text();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let current = packages::get(tx, id)?.ok_or(StoreError::NotFound)?;
            packages::update(tx, id, &change(fields_of(current)), &now)
        })
        .await?)
}

/// Deletes a package no customer or subscription uses.
pub async fn delete(ctx: &Ctx, _caller: &Caller, id: i64) -> OpResult<()> {
    Ok(ctx
        .db
        .write_async(move |tx| packages::delete(tx, id))
        .await?)
}
