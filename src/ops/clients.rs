//! API clients (Integrations -> API Management, `ispbills client ...`):
//! list, create, change, rotate, delete; credentials are shown once.
//!
//! The authentication service ([`Auth`]) keeps the clients and signs their
//! tokens, so these operations take it instead of a [`super::Ctx`]. Only
//! administrators (and the appliance itself: the command line) manage them.

use super::{Actor, Caller, Error, OpResult};
use crate::{
    auth::{
        clients::{ApiClient, Credentials, NewClient},
        principal::Tier,
        scope::ScopeSet,
        service::{Auth, AuthError},
    },
    domain::staff::Role,
};

fn require_admin(caller: &Caller) -> OpResult<()> {
    if caller.role == Some(Role::Admin) || caller.actor == Actor::System {
        Ok(())
    } else {
        Err(Error::Forbidden("Only administrators may do this.".into()))
    }
}

fn refused(e: AuthError) -> Error {
    match e {
        AuthError::Store(e) => e.into(),
        other => Error::Internal(other.to_string()),
    }
}

/// Runs `f` with the service on a blocking thread.
async fn blocking<T: Send + 'static>(
    auth: &Auth,
    f: impl FnOnce(&Auth) -> Result<T, AuthError> + Send + 'static,
) -> OpResult<T> {
    let auth = auth.clone();
    tokio::task::spawn_blocking(move || f(&auth))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(refused)
}

/// Every client, newest first.
pub async fn list(auth: &Auth, caller: &Caller) -> OpResult<Vec<ApiClient>> {
    require_admin(caller)?;
    blocking(auth, |a| a.list_clients()).await
}

/// A new client and its first credentials.
pub async fn create(
    auth: &Auth,
    caller: &Caller,
    new: NewClient,
) -> OpResult<(ApiClient, Credentials)> {
    require_admin(caller)?;
    let who = caller.who();
    blocking(auth, move |a| a.create_client(&new, &who)).await
}

/// Changes name, scopes or tier; takes effect on the next request.
pub async fn update(
    auth: &Auth,
    caller: &Caller,
    id: i64,
    name: Option<String>,
    scopes: Option<ScopeSet>,
    tier: Option<Tier>,
) -> OpResult<ApiClient> {
    require_admin(caller)?;
    let who = caller.who();
    blocking(auth, move |a| {
        a.update_client(id, name.as_deref(), scopes, tier, &who)
    })
    .await
}

/// New credentials; the old ones stop at once.
pub async fn rotate(auth: &Auth, caller: &Caller, id: i64) -> OpResult<(ApiClient, Credentials)> {
    require_admin(caller)?;
    let who = caller.who();
    blocking(auth, move |a| a.rotate_client(id, &who)).await
}

/// Deletes (revokes) a client; all its tokens stop at once.
pub async fn delete(auth: &Auth, caller: &Caller, id: i64) -> OpResult<()> {
    require_admin(caller)?;
    let who = caller.who();
    blocking(auth, move |a| a.delete_client(id, &who)).await
}
