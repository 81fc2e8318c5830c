//! `GET /health`: liveness, version, and whether the database answers.

use poem::web::Data;
use poem_openapi::{payload::Json, Object, OpenApi};

use super::ApiTags;
use crate::{error::ApiResult, state::AppState, VERSION};

#[derive(Debug, Object)]
pub struct Health {
    /// `ok` when the appliance and its database answer.
    pub status: String,
    /// The ispbills version.
    pub version: String,
    /// The database engine: `sqlite` (embedded, the default) or
    /// `postgresql`.
    pub engine: String,
    /// This node's id (several nodes may serve one PostgreSQL database).
    pub node: String,
    /// The background work this node runs for all nodes now, by lease:
    /// `billing`, `retention`, `routers`, `snmp`, `status-checks` (on one
    /// node, all of them).
    pub leases: Vec<String>,
}

#[derive(Default)]
pub struct SystemApi;

#[OpenApi]
impl SystemApi {
    /// Health check
    ///
    /// Answers 200 `{"status":"ok","version":...,"engine":...,"node":...,"leases":[...]}` when the server and its database
    /// answer; 503 `SERVICE_UNAVAILABLE` when the database does not. No authentication.
    #[oai(
        path = "/health",
        method = "get",
        operation_id = "health",
        tag = "ApiTags::System"
    )]
    async fn health(&self, state: Data<&AppState>) -> ApiResult<Json<Health>> {
        crate::ops::system::health(&state.ctx()).await?;
        Ok(Json(Health {
            status: "ok".into(),
            version: VERSION.into(),
            engine: state.db.engine().name().into(),
            node: state.cluster.node().into(),
            leases: state.cluster.held(),
        }))
    }
}
