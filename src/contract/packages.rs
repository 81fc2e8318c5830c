//! Packages' request contract: one body for create (name, price and both
//! speeds required) and update (what is sent changes), and how a parsed body
//! applies to a package's fields.

use poem_openapi::Object;

use crate::contract::body::{Fields, FromJsonObject};
use crate::contract::text::SingleLine;
use crate::{domain::money::Money, schema_as, store::packages::PackageFields};

pub const BILLING_CYCLES: [&str; 2] = ["monthly", "days"];
const MAX_KBPS: i64 = 100_000_000;

/// A package's fields. On create, name, price and both speeds are required; on
/// update, every field is optional and what is absent stays.
#[derive(Debug, Object)]
pub struct PackageInput {
    #[oai(nullable, validator(min_length = 1, max_length = 100))]
    pub name: Option<SingleLine>,
    #[oai(nullable, validator(minimum(value = "0"), multiple_of = "0.01"))]
    pub price: Option<f64>,
    /// ISO 4217 code; default `BDT`.
    #[oai(nullable, validator(pattern = "^[A-Z]{3}$"))]
    pub currency: Option<String>,
    #[oai(
        nullable,
        validator(minimum(value = "1"), maximum(value = "100000000"))
    )]
    pub speed_down_kbps: Option<i64>,
    #[oai(
        nullable,
        validator(minimum(value = "1"), maximum(value = "100000000"))
    )]
    pub speed_up_kbps: Option<i64>,
    /// `monthly` (default) or `days`.
    #[oai(nullable)]
    pub billing_cycle: Option<BillingCycle>,
    /// Days a paid period lasts; default 30.
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "3660")))]
    pub validity_days: Option<i64>,
    #[oai(nullable, validator(max_length = 100))]
    pub router_profile: Option<SingleLine>,
    /// What a reseller pays the ISP per renewal of its customer (default: the price).
    #[oai(nullable, validator(minimum(value = "0"), multiple_of = "0.01"))]
    pub wholesale_price: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum BillingCycle {
    Monthly,
    Days,
}

/// Parsed [`PackageInput`]: each field `None` when absent.
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

fn read_patch(f: &mut Fields, creating: bool) -> PackagePatch {
    let present = |f: &Fields, name: &str| creating || f.present(name);
    let mut p = PackagePatch::default();
    if present(f, "name") {
        let name = f.required_string("name");
        if name.chars().count() > 100 {
            f.error("name", "The name may not be longer than 100 characters.");
        }
        p.name = Some(name);
    }
    if present(f, "price") {
        p.price = Some(f.required_money("price"));
    }
    if present(f, "speed_down_kbps") {
        p.speed_down_kbps = Some(f.required_integer_in("speed_down_kbps", 1, MAX_KBPS));
    }
    if present(f, "speed_up_kbps") {
        p.speed_up_kbps = Some(f.required_integer_in("speed_up_kbps", 1, MAX_KBPS));
    }
    if let Some(c) = f.optional_nonblank("currency") {
        if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
            p.currency = Some(c);
        } else {
            f.error(
                "currency",
                "The currency must be a three-letter code such as BDT.",
            );
        }
    }
    p.billing_cycle = f.optional_choice("billing_cycle", &BILLING_CYCLES);
    if f.present("validity_days") {
        p.validity_days = Some(f.required_integer_in("validity_days", 1, 3660));
    }
    if f.present("wholesale_price") {
        p.wholesale_price = Some(Some(f.required_money("wholesale_price")));
    } else if f.is_null("wholesale_price") {
        p.wholesale_price = Some(None);
    }
    p.router_profile = f.nullable_string("router_profile");
    if p.router_profile
        .as_ref()
        .is_some_and(|r| r.as_ref().is_some_and(|r| r.chars().count() > 100))
    {
        f.error(
            "router_profile",
            "The router profile may not be longer than 100 characters.",
        );
    }
    p
}

/// A validated create body.
pub struct NewPackage(pub PackagePatch);
/// A validated update body.
pub struct PackageChanges(pub PackagePatch);

schema_as!(NewPackage, PackageInput);
schema_as!(PackageChanges, PackageInput);

impl FromJsonObject for NewPackage {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, true))
    }
}

impl FromJsonObject for PackageChanges {
    fn from_fields(f: &mut Fields) -> Self {
        Self(read_patch(f, false))
    }
}

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
