//! Packages (`packages`): what customers buy.

use super::sql::{Connection, Transaction};

use super::{
    names::{self, Named},
    rows::{self, fields, record, Fields},
    StoreError,
};
use crate::domain::money::Money;

record! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PackageRow {
        pub id: i64,
        pub name: String,
        pub price: Money = "price_minor",
        pub currency: String,
        pub speed_down_kbps: i64,
        pub speed_up_kbps: i64,
        pub billing_cycle: String,
        pub validity_days: i64,
        pub router_profile: Option<String>,
        /// What a reseller pays per renewal; `None`: the price.
        pub wholesale_price: Option<Money> = "wholesale_price_minor",
        pub address_pool: Option<String>,
        pub ipv6_pool: Option<String>,
        pub ipv6_pd_pool: Option<String>,
        pub burst_down_kbps: Option<i64>,
        pub burst_up_kbps: Option<i64>,
        pub burst_threshold_down_kbps: Option<i64>,
        pub burst_threshold_up_kbps: Option<i64>,
        pub burst_time_secs: Option<i64>,
        pub created_at: String,
        pub updated_at: String,
    }
}

fields! {
    /// A package's fields, for create and (all of them) update.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PackageFields {
        pub name: String,
        pub price: Money,
        pub currency: String,
        pub speed_down_kbps: i64,
        pub speed_up_kbps: i64,
        pub billing_cycle: String,
        pub validity_days: i64,
        pub router_profile: Option<String>,
        pub wholesale_price: Option<Money>,
    }
}

fields! {
    /// What an Access-Accept gives the package's customers beyond its
    /// speed (the built-in RADIUS server): IP pools, and MikroTik burst (all
    /// five burst values, or none).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct PackageRadius {
        pub address_pool: Option<String>,
        pub ipv6_pool: Option<String>,
        pub ipv6_pd_pool: Option<String>,
        pub burst_down_kbps: Option<i64>,
        pub burst_up_kbps: Option<i64>,
        pub burst_threshold_down_kbps: Option<i64>,
        pub burst_threshold_up_kbps: Option<i64>,
        pub burst_time_secs: Option<i64>,
    }
}

impl PackageRadius {
    /// As a package row has them.
    pub fn of(p: &PackageRow) -> Self {
        Self {
            address_pool: p.address_pool.clone(),
            ipv6_pool: p.ipv6_pool.clone(),
            ipv6_pd_pool: p.ipv6_pd_pool.clone(),
            burst_down_kbps: p.burst_down_kbps,
            burst_up_kbps: p.burst_up_kbps,
            burst_threshold_down_kbps: p.burst_threshold_down_kbps,
            burst_threshold_up_kbps: p.burst_threshold_up_kbps,
            burst_time_secs: p.burst_time_secs,
        }
    }
}

/// Sets a package's RADIUS reply values.
pub fn set_radius(
    tx: &Transaction<'_>,
    id: i64,
    r: &PackageRadius,
) -> Result<PackageRow, StoreError> {
    tx.exec(
        "UPDATE packages SET address_pool = ?1, ipv6_pool = ?2, ipv6_pd_pool = ?3, \
         burst_down_kbps = ?4, burst_up_kbps = ?5, burst_threshold_down_kbps = ?6, \
         burst_threshold_up_kbps = ?7, burst_time_secs = ?8 WHERE id = ?9",
        rows::args(&r.values(), &[&id]).as_slice(),
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn create(
    tx: &Transaction<'_>,
    f: &PackageFields,
    now: &str,
) -> Result<PackageRow, StoreError> {
    names::ensure_free(tx, Named::Packages, &f.name, None)?;
    let id: i64 = rows::value(
        tx,
        "INSERT INTO packages (name, price_minor, currency, speed_down_kbps, speed_up_kbps, \
         billing_cycle, validity_days, router_profile, wholesale_price_minor, created_at, \
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) RETURNING id",
        rows::args(&f.values(), &[&now]).as_slice(),
    )?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

pub fn update(
    tx: &Transaction<'_>,
    id: i64,
    f: &PackageFields,
    now: &str,
) -> Result<PackageRow, StoreError> {
    if get(tx, id)?.is_none() {
        return Err(StoreError::NotFound);
    }
    names::ensure_free(tx, Named::Packages, &f.name, Some(id))?;
    tx.exec(
        "UPDATE packages SET name = ?1, price_minor = ?2, currency = ?3, speed_down_kbps = ?4, \
         speed_up_kbps = ?5, billing_cycle = ?6, validity_days = ?7, router_profile = ?8, \
         wholesale_price_minor = ?9, updated_at = ?10 WHERE id = ?11",
        rows::args(&f.values(), &[&now, &id]).as_slice(),
    )?;
    // Its customers' logins carry the router profile.
    super::routers::request_sync_for_package(tx, id, now)?;
    get(tx, id)?.ok_or(StoreError::NotFound)
}

/// Deletes a package nobody uses; one in use (by a customer or a subscription)
/// is a [`StoreError::Conflict`].
pub fn delete(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    if get(tx, id)?.is_none() {
        return Err(StoreError::NotFound);
    }
    let in_use: bool = rows::value(
        tx,
        "SELECT EXISTS (SELECT 1 FROM customers WHERE package_id = ?1)
             OR EXISTS (SELECT 1 FROM subscriptions WHERE package_id = ?1)",
        [id],
    )?;
    if in_use {
        return Err(StoreError::Conflict(
            "This package is in use by customers or their subscriptions and cannot be deleted."
                .into(),
        ));
    }
    tx.exec("DELETE FROM packages WHERE id = ?1", [id])?;
    Ok(())
}

/// True when there are neither packages nor customers (an empty appliance).
pub fn none_and_no_customers(conn: &Connection) -> Result<bool, StoreError> {
    rows::value(
        conn,
        "SELECT NOT EXISTS (SELECT 1 FROM customers) AND NOT EXISTS (SELECT 1 FROM packages)",
        [],
    )
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<PackageRow>, StoreError> {
    rows::one(conn, "FROM packages WHERE id = ?1", [id])
}

/// One page of packages by name, and the total.
pub fn list(
    conn: &Connection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PackageRow>, u64), StoreError> {
    rows::page(
        conn,
        "FROM packages",
        "",
        "name COLLATE NOCASE, id",
        &[],
        limit,
        offset,
    )
}
