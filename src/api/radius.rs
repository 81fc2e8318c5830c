//! RADIUS (additions to the guide): `GET /api/v2/radius/sessions`, the
//! sessions the routers' accounting reported. The answer shape is in
//! `contract::radius`.

use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, OpenApi};

use crate::{
    api::{security::V2Auth, ApiTags},
    auth::scope::Scope,
    contract::{
        filters::TimeBound,
        pagination::{PageParam, PageRequest, PerPageParam},
        radius::RadiusSessionList,
    },
    error::ApiResult,
    ops,
    state::AppState,
    store::radius_sessions::SessionFilter,
};

#[derive(Default)]
pub struct RadiusApi;

#[OpenApi(tag = "ApiTags::Network")]
impl RadiusApi {
    /// RADIUS sessions (v2, addition)
    ///
    /// Sessions reported by the routers' RADIUS accounting (Start,
    /// Interim-Update, Stop), newest first: customer, router, address, MAC,
    /// times and octets (`input_octets` = the subscriber's upload). Filters:
    /// `customer_id`, `router_id`, `active` (true: still online), `from`/`to`
    /// (when the session began; a date or RFC 3339 time). A reseller's staff
    /// see their own customers' sessions only.
    #[oai(
        path = "/api/v2/radius/sessions",
        method = "get",
        operation_id = "v2_radius_sessions"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn sessions(
        &self,
        state: Data<&AppState>,
        #[oai(scope = "Scope::CustomersRead")] auth: V2Auth,
        page: Query<PageParam>,
        per_page: Query<PerPageParam>,
        customer_id: Query<Option<i64>>,
        router_id: Query<Option<i64>>,
        active: Query<Option<bool>>,
        from: Query<Option<TimeBound>>,
        to: Query<Option<TimeBound>>,
    ) -> ApiResult<Json<RadiusSessionList>> {
        let page = PageRequest::new(page.0, per_page.0);
        let filter = SessionFilter {
            customer_id: customer_id.0,
            router_id: router_id.0,
            active: active.0,
            from: from.0.map(TimeBound::start),
            to: to.0.map(TimeBound::end),
        };
        let (rows, total) = ops::radius::sessions(
            &state.ctx(),
            &auth.caller(),
            filter,
            page.limit(),
            page.offset(),
        )
        .await?;
        Ok(Json(RadiusSessionList::of(rows, total, &page)))
    }
}
