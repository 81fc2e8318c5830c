//! The appliance itself: whether its database answers.

use super::{Ctx, Error, OpResult};

/// `Ok` when the database answers a query; `Unavailable` (logged) when not.
pub async fn health(ctx: &Ctx) -> OpResult<()> {
    match ctx.db.read_short(crate::store::maintenance::ping).await {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            Err(Error::Unavailable("The database is unavailable.".into()))
        }
    }
}
