//! Packages' request contract: one body for create (name, price and both
//! speeds required) and update (what is sent changes), and how a parsed body
//! applies to a package's fields.
//!
//! At the end, the answers: a package and its wrappers.

use crate::contract::{
    body::Fields,
    common::CURRENCY,
    field::{Contract, ContractKind, EnumRef, Ex, Field, Mode},
};
use crate::{
    create_and_update,
    domain::money::Money,
    store::packages::{PackageFields, PackageRadius},
    wire_enum,
};

const MAX_KBPS: i64 = 100_000_000;

wire_enum! {
    pub enum BillingCycle {
        Monthly = "monthly",
        Days = "days",
    }
}

/// A package's fields: one schema for create and update.
pub static PACKAGE: Contract = Contract {
    name: "PackageInput",
    description: Some(
        "A package's fields. On create, name, price and both speeds are required; on\nupdate, every field is optional and what is absent stays.",
    ),
    kind: ContractKind::Shared,
    fields: &[
        Field::text("name")
            .required()
            .range(1, 100)
            .example(Ex::Str("Fiber 100 Mbps")),
        Field::money("price")
            .required()
            .example(Ex::Num("1500.50")),
        CURRENCY.describe("ISO 4217 code; default `BDT`."),
        Field::integer("speed_down_kbps")
            .required()
            .range(1, MAX_KBPS)
            .example(Ex::Int(102_400)),
        Field::integer("speed_up_kbps")
            .required()
            .range(1, MAX_KBPS)
            .example(Ex::Int(51_200)),
        Field::enumeration("billing_cycle", BillingCycle::VALUES, EnumRef::of::<BillingCycle>())
            .nullable()
            .nonblank()
            .describe("`monthly` (default) or `days`.")
            .example(Ex::Str("monthly")),
        Field::integer("validity_days")
            .range(1, 3660)
            .nullable()
            .describe("Days a paid period lasts; default 30.")
            .example(Ex::Int(30)),
        Field::text("router_profile")
            .max(100)
            .nullable()
            .example(Ex::Str("fiber-100m")),
        Field::money("wholesale_price")
            .nullable()
            .describe("What a reseller pays the ISP per renewal of its customer (default: the price).")
            .example(Ex::Num("1200")),
        Field::text("address_pool")
            .max(64)
            .nullable()
            .describe("RADIUS: the router's IP pool the session's address comes from (Framed-Pool); null: the router's PPP profile decides.")
            .example(Ex::Str("pool-home")),
        Field::text("ipv6_pool")
            .max(64)
            .nullable()
            .describe("RADIUS: the router's IPv6 pool for the session (Framed-IPv6-Pool).")
            .example(Ex::Str("v6-home")),
        Field::text("ipv6_pd_pool")
            .max(64)
            .nullable()
            .describe("RADIUS: the router's IPv6 pool prefixes are delegated from (Delegated-IPv6-Prefix-Pool).")
            .example(Ex::Str("v6-pd-home")),
        Field::integer("burst_down_kbps")
            .range(1, MAX_KBPS)
            .nullable()
            .describe("MikroTik burst (all five burst fields or none): the download burst rate, above speed_down_kbps.")
            .example(Ex::Int(204_800)),
        Field::integer("burst_up_kbps")
            .range(1, MAX_KBPS)
            .nullable()
            .describe("The upload burst rate, above speed_up_kbps.")
            .example(Ex::Int(102_400)),
        Field::integer("burst_threshold_down_kbps")
            .range(1, MAX_KBPS)
            .nullable()
            .describe("Bursting is allowed while the average download stays below this (at most speed_down_kbps).")
            .example(Ex::Int(76_800)),
        Field::integer("burst_threshold_up_kbps")
            .range(1, MAX_KBPS)
            .nullable()
            .describe("The same for upload (at most speed_up_kbps).")
            .example(Ex::Int(38_400)),
        Field::integer("burst_time_secs")
            .range(1, 3600)
            .nullable()
            .describe("The window the average is taken over, in seconds.")
            .example(Ex::Int(16)),
    ],
    example: None,
};

/// A parsed package body: each field `None` when absent.
#[derive(Debug, Default)]
pub struct PackagePatch {
    name: Option<String>,
    price: Option<Money>,
    currency: Option<String>,
    speed_down_kbps: Option<i64>,
    speed_up_kbps: Option<i64>,
    billing_cycle: Option<String>,
    validity_days: Option<i64>,
    router_profile: Option<Option<String>>,
    wholesale_price: Option<Option<Money>>,
    address_pool: Option<Option<String>>,
    ipv6_pool: Option<Option<String>>,
    ipv6_pd_pool: Option<Option<String>>,
    burst_down_kbps: Option<Option<i64>>,
    burst_up_kbps: Option<Option<i64>>,
    burst_threshold_down_kbps: Option<Option<i64>>,
    burst_threshold_up_kbps: Option<Option<i64>>,
    burst_time_secs: Option<Option<i64>>,
}

/// Reads a package body (in either mode: the contract checks what is required).
fn read(f: &mut Fields, _mode: Mode) -> PackagePatch {
    PackagePatch {
        name: f.take("name").text(),
        price: f.take("price").money(),
        currency: f.take("currency").text(),
        speed_down_kbps: f.take("speed_down_kbps").int(),
        speed_up_kbps: f.take("speed_up_kbps").int(),
        billing_cycle: f.take("billing_cycle").text(),
        validity_days: f.take("validity_days").int(),
        router_profile: f.take("router_profile").patch_text(),
        wholesale_price: f.take("wholesale_price").patch_money(),
        address_pool: f.take("address_pool").patch_text(),
        ipv6_pool: f.take("ipv6_pool").patch_text(),
        ipv6_pd_pool: f.take("ipv6_pd_pool").patch_text(),
        burst_down_kbps: f.take("burst_down_kbps").patch_int(),
        burst_up_kbps: f.take("burst_up_kbps").patch_int(),
        burst_threshold_down_kbps: f.take("burst_threshold_down_kbps").patch_int(),
        burst_threshold_up_kbps: f.take("burst_threshold_up_kbps").patch_int(),
        burst_time_secs: f.take("burst_time_secs").patch_int(),
    }
}

/// A validated create body.
pub struct NewPackage(pub PackagePatch);
/// A validated update body.
pub struct PackageChanges(pub PackagePatch);

create_and_update!(PACKAGE, read => NewPackage, PackageChanges);
impl PackagePatch {
    /// The stored fields with this patch applied (`base` = defaults on create).
    pub fn apply(self, base: PackageFields, r: PackageRadius) -> (PackageFields, PackageRadius) {
        let radius = PackageRadius {
            address_pool: self.address_pool.unwrap_or(r.address_pool),
            ipv6_pool: self.ipv6_pool.unwrap_or(r.ipv6_pool),
            ipv6_pd_pool: self.ipv6_pd_pool.unwrap_or(r.ipv6_pd_pool),
            burst_down_kbps: self.burst_down_kbps.unwrap_or(r.burst_down_kbps),
            burst_up_kbps: self.burst_up_kbps.unwrap_or(r.burst_up_kbps),
            burst_threshold_down_kbps: self
                .burst_threshold_down_kbps
                .unwrap_or(r.burst_threshold_down_kbps),
            burst_threshold_up_kbps: self
                .burst_threshold_up_kbps
                .unwrap_or(r.burst_threshold_up_kbps),
            burst_time_secs: self.burst_time_secs.unwrap_or(r.burst_time_secs),
        };
        let fields = PackageFields {
            name: self.name.unwrap_or(base.name),
            price: self.price.unwrap_or(base.price),
            currency: self.currency.unwrap_or(base.currency),
            speed_down_kbps: self.speed_down_kbps.unwrap_or(base.speed_down_kbps),
            speed_up_kbps: self.speed_up_kbps.unwrap_or(base.speed_up_kbps),
            billing_cycle: self.billing_cycle.unwrap_or(base.billing_cycle),
            validity_days: self.validity_days.unwrap_or(base.validity_days),
            router_profile: self.router_profile.unwrap_or(base.router_profile),
            wholesale_price: self.wholesale_price.unwrap_or(base.wholesale_price),
        };
        (fields, radius)
    }
}

// ---- The answers: how a package is shown (row → JSON) ----

use poem_openapi::Object;

use crate::{contract::money::Amount, one, paginated, store::packages::PackageRow};

/// A package customers subscribe to.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Package {
    pub id: i64,
    pub name: String,
    /// Price per billing cycle, in major units.
    pub price: Amount,
    pub currency: String,
    pub speed_down_kbps: i64,
    pub speed_up_kbps: i64,
    /// `monthly` or `days`.
    pub billing_cycle: String,
    pub validity_days: i64,
    /// The router profile (MikroTik PPP profile / queue) this package maps to.
    #[oai(nullable)]
    pub router_profile: Option<String>,
    /// What a reseller pays per renewal; null means the price.
    #[oai(nullable)]
    pub wholesale_price: Option<Amount>,
    /// RADIUS: Framed-Pool.
    #[oai(nullable)]
    pub address_pool: Option<String>,
    /// RADIUS: Framed-IPv6-Pool.
    #[oai(nullable)]
    pub ipv6_pool: Option<String>,
    /// RADIUS: Delegated-IPv6-Prefix-Pool.
    #[oai(nullable)]
    pub ipv6_pd_pool: Option<String>,
    /// MikroTik burst (all five set, or none).
    #[oai(nullable)]
    pub burst_down_kbps: Option<i64>,
    #[oai(nullable)]
    pub burst_up_kbps: Option<i64>,
    #[oai(nullable)]
    pub burst_threshold_down_kbps: Option<i64>,
    #[oai(nullable)]
    pub burst_threshold_up_kbps: Option<i64>,
    #[oai(nullable)]
    pub burst_time_secs: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<PackageRow> for Package {
    fn from(p: PackageRow) -> Self {
        Self {
            id: p.id,
            name: p.name,
            price: Amount(p.price),
            currency: p.currency,
            speed_down_kbps: p.speed_down_kbps,
            speed_up_kbps: p.speed_up_kbps,
            billing_cycle: p.billing_cycle,
            validity_days: p.validity_days,
            router_profile: p.router_profile,
            wholesale_price: p.wholesale_price.map(Amount),
            address_pool: p.address_pool,
            ipv6_pool: p.ipv6_pool,
            ipv6_pd_pool: p.ipv6_pd_pool,
            burst_down_kbps: p.burst_down_kbps,
            burst_up_kbps: p.burst_up_kbps,
            burst_threshold_down_kbps: p.burst_threshold_down_kbps,
            burst_threshold_up_kbps: p.burst_threshold_up_kbps,
            burst_time_secs: p.burst_time_secs,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

paginated!(PackageList, Package);

one!(PackageOne, Package);
