//! `GET/POST /api/v2/packages`, `GET/PUT/DELETE /api/v2/packages/{id}` (create,
//! get, update and delete are additions to the guide).

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::contract::text::SingleLine;
use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    clock::format_timestamp,
    contract::{
        body::{Fields, FromJsonObject, JsonBody},
        money::Amount,
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    domain::money::Money,
    error::{ApiError, ApiResult},
    paginated, schema_as,
    state::AppState,
    store::{
        packages::{self, PackageFields, PackageRow},
        StoreError,
    },
};

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

#[derive(Debug, Object)]
pub struct PackageOne {
    pub data: Package,
}

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

pub struct NewPackage(PackagePatch);
pub struct PackageChanges(PackagePatch);

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
    fn apply(self, base: PackageFields) -> PackageFields {
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

#[derive(ApiResponse)]
pub enum PackageCreated {
    #[oai(status = 201)]
    Created(Json<PackageOne>),
}

#[derive(ApiResponse)]
pub enum PackageDeleted {
    #[oai(status = 204)]
    NoContent,
}

#[derive(Default)]
pub struct V2PackagesApi;

#[OpenApi(tag = "ApiTags::Packages")]
impl V2PackagesApi {
    /// List packages (v2)
    ///
    /// By name. Scope `customers:read` (apps pick a package when signing a customer up).
    #[oai(
        path = "/api/v2/packages",
        method = "get",
        operation_id = "v2_packages_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] _auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<PackageList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = state
            .db
            .read_async(move |c| packages::list(c, page.limit(), page.offset()))
            .await?;
        Ok(Json(PackageList::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            &page,
        )))
    }

    /// Create a package (v2, addition)
    ///
    /// Scope `billing:write`. Name unique; price in major units.
    #[oai(
        path = "/api/v2/packages",
        method = "post",
        operation_id = "v2_packages_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::PackagesWrite")] _auth: V2Auth,
        body: JsonBody<NewPackage>,
    ) -> ApiResult<PackageCreated> {
        let fields = body.0 .0.apply(defaults());
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| packages::create(tx, &fields, &now))
            .await?;
        Ok(PackageCreated::Created(Json(PackageOne {
            data: row.into(),
        })))
    }

    /// Retrieve a package (v2, addition)
    #[oai(
        path = "/api/v2/packages/:id",
        method = "get",
        operation_id = "v2_packages_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] _auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<PackageOne>> {
        let row = state
            .db
            .read_async(move |c| packages::get(c, id.0))
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(PackageOne { data: row.into() }))
    }

    /// Update a package (v2, addition)
    ///
    /// Scope `billing:write`. Only the fields sent change. Existing
    /// subscriptions keep their terms; the new terms apply from the next period.
    #[oai(
        path = "/api/v2/packages/:id",
        method = "put",
        operation_id = "v2_packages_update"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::PackagesWrite")] _auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<PackageChanges>,
    ) -> ApiResult<Json<PackageOne>> {
        let patch = body.0 .0;
        let now = format_timestamp(state.clock.now());
        let row = state
            .db
            .write_async(move |tx| {
                let current = packages::get(tx, id.0)?.ok_or(StoreError::NotFound)?;
                packages::update(tx, id.0, &patch.apply(fields_of(current)), &now)
            })
            .await?;
        Ok(Json(PackageOne { data: row.into() }))
    }

    /// Delete a package (v2, addition)
    ///
    /// Scope `billing:write`. A package any customer or subscription uses: 409.
    #[oai(
        path = "/api/v2/packages/:id",
        method = "delete",
        operation_id = "v2_packages_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::PackagesWrite")] _auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<PackageDeleted> {
        state
            .db
            .write_async(move |tx| packages::delete(tx, id.0))
            .await?;
        Ok(PackageDeleted::NoContent)
    }
}
