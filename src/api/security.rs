//! The two bearer schemes of the API: v1 (JWT from `/api/auth/login`) and v2
//! (`v2_` token from the client-credentials flow).

use std::collections::HashMap;

use poem::http::Method;
use poem_openapi::{
    auth::Bearer, registry::MetaApi, registry::Registry, ApiExtractor, OpenApi, SecurityScheme,
};

/// API v1: the access token from `POST /api/auth/login` (JWT, expires in 3600 s).
#[derive(SecurityScheme)]
#[oai(rename = "v1_bearer", ty = "bearer", bearer_format = "JWT")]
pub struct V1Bearer(pub Bearer);

/// API v2: the `v2_` access token from `POST /api/v2/auth/token` (client credentials, expires in 1800 s).
#[derive(SecurityScheme)]
#[oai(rename = "v2_bearer", ty = "bearer")]
pub struct V2Bearer(pub Bearer);

/// Puts both schemes into the document's components, whichever operations use them.
pub struct SecuritySchemes;

impl OpenApi for SecuritySchemes {
    fn meta() -> Vec<MetaApi> {
        Vec::new()
    }

    fn register(registry: &mut Registry) {
        <V1Bearer as ApiExtractor>::register(registry);
        <V2Bearer as ApiExtractor>::register(registry);
    }

    fn add_routes(
        self,
        _route_table: &mut HashMap<String, HashMap<Method, poem::endpoint::BoxEndpoint<'static>>>,
    ) {
    }
}
