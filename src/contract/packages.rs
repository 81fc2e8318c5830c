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
use crate::{create_and_update, domain::money::Money, store::packages::PackageFields, wire_enum};

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
    }
}

/// A validated create body.
pub struct NewPackage(pub PackagePatch);
/// A validated update body.
pub struct PackageChanges(pub PackagePatch);

create_and_update!(PACKAGE, read => NewPackage, PackageChanges);
impl PackagePatch {
    /// The stored fields with this patch applied (`base` = defaults on create).
    pub fn apply(self, base: PackageFields) -> PackageFields {
        PackageFields {
            name: self.name.unwrap_or(base.name),
            price: self.price.unwrap_or(base.price),
            currency: self.currency.unwrap_or(base.currency),
            speed_down_kbps: self.speed_down_kbps.unwrap_or(base.speed_down_kbps),
            speed_up_kbps: self.speed_up_kbps.unwrap_or(base.speed_up_kbps),
            billing_cycle: self.billing_cycle.unwrap_or(base.billing_cycle),
            validity_days: self.validity_days.unwrap_or(base.validity_days),
            router_profile: self.router_profile.unwrap_or(base.router_profile),
            wholesale_price: self.wholesale_price.unwrap_or(base.wholesale_price),
        }
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
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

paginated!(PackageList, Package);

one!(PackageOne, Package);
