//! Packages in the API: `GET/POST /api/v2/packages`, `GET/PUT/DELETE
//! /api/v2/packages/{id}` (create, get, update and delete are additions to the
//! guide): the answer shape and the routes, each a call into `ops::packages`.
//! The request body is in `contract::packages`.

use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    OpenApi,
};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    contract::{
        answer::Deleted,
        body::JsonBody,
        packages::{NewPackage, PackageChanges, PackageList, PackageOne},
        pagination::{PageParam, PageRequest, PerPageParam},
    },
    created,
    error::ApiResult,
    ops,
    state::AppState,
};

created!(PackageCreated, Json<PackageOne>);

#[derive(Default)]
pub struct PackagesV2;

#[OpenApi(tag = "ApiTags::Packages")]
impl PackagesV2 {
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
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
    ) -> ApiResult<Json<PackageList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) =
            ops::packages::list(&state.ctx(), &auth.caller(), page.limit(), page.offset()).await?;
        Ok(Json(PackageList::of(rows, total, &page)))
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
        #[oai(scope = "Scope::PackagesWrite")] auth: V2Auth,
        body: JsonBody<NewPackage>,
    ) -> ApiResult<PackageCreated> {
        let (caller, patch) = (auth.caller(), body.0 .0);
        let row = ops::packages::create(&state.ctx(), &caller, |d, r| patch.apply(d, r)).await?;
        Ok(PackageCreated::Created(Json(PackageOne::of(row))))
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
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Json<PackageOne>> {
        let row = ops::packages::get(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Json(PackageOne::of(row)))
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
        #[oai(scope = "Scope::PackagesWrite")] auth: V2Auth,
        id: Path<i64>,
        body: JsonBody<PackageChanges>,
    ) -> ApiResult<Json<PackageOne>> {
        let (caller, patch) = (auth.caller(), body.0 .0);
        let row =
            ops::packages::update(&state.ctx(), &caller, id.0, |c, r| patch.apply(c, r)).await?;
        Ok(Json(PackageOne::of(row)))
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
        #[oai(scope = "Scope::PackagesWrite")] auth: V2Auth,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        ops::packages::delete(&state.ctx(), &auth.caller(), id.0).await?;
        Ok(Deleted::NoContent)
    }
}
