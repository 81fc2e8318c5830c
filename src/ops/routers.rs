//! Routers: the inventory (passwords sealed), reconciliation and disconnects
//! through the hub, and what the poller keeps (IP pools, router logs,
//! customers' usage). Every change to a router, and every action on one, goes
//! to the device access log.

use std::sync::Arc;

use crate::{
    drivers::routeros::reconcile::SyncDiff,
    network::{
        hub::{HubError, RouterHub, SyncAsk},
        rules::RouterPatch,
    },
    ops::{Caller, Ctx, Error, OpResult},
    store::{
        audit_rows,
        audited::ROUTER,
        customers,
        monitoring::{self, Access},
        radius_sessions::{self, SessionRow},
        router_data::{self, LogRow, PoolRow, Sample},
        routers::{self, RouterRow},
        StoreError,
    },
};

/// How many usage samples a customer's history shows.
pub const USAGE_SAMPLES: i64 = 288;
/// How many RADIUS sessions it shows.
pub const USAGE_SESSIONS: i64 = 50;

impl From<HubError> for Error {
    fn from(e: HubError) -> Self {
        match e {
            HubError::Store(e) => e.into(),
            HubError::Router(e) => Error::Unavailable(format!(
                "The router could not be reached or refused the request: {e}"
            )),
            other => Error::Internal(other.to_string()),
        }
    }
}

/// An access-log entry for an action on a router.
fn access(caller: &Caller, id: Option<i64>, name: Option<String>, action: String) -> Access {
    Access {
        actor: caller.label(),
        device_kind: "router".into(),
        device_id: id,
        device_name: name,
        action,
        ok: true,
        detail: None,
    }
}

/// Records an action that happened on a router rather than in the database:
/// the entry must not make the action fail, so a failure to write it is only
/// logged.
async fn record(ctx: &Ctx, entry: Access) {
    let now = ctx.now_text();
    if let Err(e) = ctx
        .db
        .write_async(move |tx| monitoring::log_access(tx, &entry, &now))
        .await
    {
        tracing::error!(error = %e, "device access log: write failed");
    }
}

/// A host being saved must pass the address policy (`[network]
/// allow_loopback`): refused naming `host` otherwise.
pub async fn check_host(ctx: &Ctx, host: &str, port: i64) -> OpResult<()> {
    ctx.config
        .network
        .policy()
        .check_host(host, u16::try_from(port).unwrap_or(0))
        .await
        .map_err(|why| Error::invalid("host", why))
}

fn seal(hub: &RouterHub, password: &str) -> OpResult<String> {
    hub.seal_password(password)
        .map_err(|e| Error::Internal(e.to_string()))
}

/// Seals a RADIUS secret change (`Some(None)` removes it).
fn seal_radius(
    hub: &RouterHub,
    secret: Option<Option<String>>,
) -> OpResult<Option<Option<String>>> {
    secret
        .map(|s| {
            s.map(|s| hub.seal_radius_secret(&s))
                .transpose()
                .map_err(|e| Error::Internal(e.to_string()))
        })
        .transpose()
}

/// RADIUS mode needs a RADIUS secret: without one the router's packets
/// would be dropped and nobody could log in.
fn check_radius_mode(auth_mode: &str, has_secret: bool) -> Result<(), StoreError> {
    if auth_mode == "radius" && !has_secret {
        return Err(StoreError::Invalid(vec![(
            "auth_mode",
            "RADIUS mode needs a radius_secret on the router.".into(),
        )]));
    }
    Ok(())
}

/// Routers by name, and how many there are.
pub async fn list(
    ctx: &Ctx,
    _caller: &Caller,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<RouterRow>, i64)> {
    Ok(ctx
        .db
        .read_async(move |c| routers::list(c, limit, offset))
        .await?)
}

pub async fn get(ctx: &Ctx, _caller: &Caller, id: i64) -> OpResult<RouterRow> {
    ctx.db
        .read_async(move |c| routers::get(c, id))
        .await?
        .ok_or(Error::NotFound)
}

/// Adds a router (its password sealed); polling starts at once.
pub async fn create(
    ctx: &Ctx,
    caller: &Caller,
    hub: &RouterHub,
    mut patch: RouterPatch,
) -> OpResult<RouterRow> {
    let sealed = seal(hub, &patch.password.take().unwrap_or_default())?;
    let radius = seal_radius(hub, patch.radius_secret.take())?.flatten();
    let fields = patch.apply(None);
    check_radius_mode(&fields.auth_mode, radius.is_some())?;
    check_host(ctx, &fields.host, fields.port).await?;
    let now = ctx.now_text();
    let caller = caller.clone();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let row = routers::create(tx, &fields, &sealed, radius.as_deref(), &now)?;
            let who = caller.who();
            audit_rows::record_change(tx, &who, &ROUTER, "created", row.id, None, &now)?;
            let entry = access(
                &caller,
                Some(row.id),
                Some(row.name.clone()),
                "added to the inventory".into(),
            );
            monitoring::log_access(tx, &entry, &now)?;
            Ok(row)
        })
        .await
        .inspect(|_| hub.inventory_changed())?)
}

/// Changes the fields sent; a new password replaces the old one.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    hub: &RouterHub,
    id: i64,
    mut patch: RouterPatch,
) -> OpResult<RouterRow> {
    if let Some(host) = &patch.host {
        check_host(ctx, host, patch.port.unwrap_or(0)).await?;
    }
    let sealed = patch.password.take().map(|p| seal(hub, &p)).transpose()?;
    let radius = seal_radius(hub, patch.radius_secret.take())?;
    let now = ctx.now_text();
    let caller = caller.clone();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let current = routers::get(tx, id)?.ok_or(StoreError::NotFound)?;
            let before = audit_rows::snapshot(tx, &ROUTER, id)?;
            let has_secret = match &radius {
                Some(change) => change.is_some(),
                None => current.radius_enabled,
            };
            let fields = patch.apply(Some(current));
            check_radius_mode(&fields.auth_mode, has_secret)?;
            let row = routers::update(tx, id, &fields, sealed.as_deref(), &radius, &now)?;
            let who = caller.who();
            audit_rows::record_change(tx, &who, &ROUTER, "updated", id, before, &now)?;
            let entry = access(
                &caller,
                Some(row.id),
                Some(row.name.clone()),
                "settings changed".into(),
            );
            monitoring::log_access(tx, &entry, &now)?;
            Ok(row)
        })
        .await
        .inspect(|_| hub.inventory_changed())?)
}

/// Removes a router no customer is on (else a conflict).
pub async fn delete(ctx: &Ctx, caller: &Caller, hub: &RouterHub, id: i64) -> OpResult<()> {
    let now = ctx.now_text();
    let caller = caller.clone();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let name = routers::get(tx, id)?.map(|r| r.name).unwrap_or_default();
            let before = audit_rows::snapshot(tx, &ROUTER, id)?;
            routers::delete(tx, id)?;
            let who = caller.who();
            audit_rows::record_change(tx, &who, &ROUTER, "deleted", id, before, &now)?;
            let entry = access(
                &caller,
                Some(id),
                Some(name),
                "removed from the inventory".into(),
            );
            monitoring::log_access(tx, &entry, &now)
        })
        .await
        .inspect(|_| hub.inventory_changed())?)
}

/// Reconciles a router's logins now and answers the diff; a router that
/// cannot be reached is `Unavailable`. In RADIUS mode it also sets the
/// router up to use the RADIUS server, and removes the logins we made
/// earlier when `remove_secrets` confirms it. Logged either way.
pub async fn sync(
    ctx: &Ctx,
    caller: &Caller,
    hub: &Arc<RouterHub>,
    id: i64,
    remove_secrets: bool,
) -> OpResult<SyncDiff> {
    let name = get(ctx, caller, id).await?.name;
    let ask = SyncAsk {
        remove_secrets,
        setup_radius: true,
    };
    let result = hub.sync_now(id, ask).await;
    record(
        ctx,
        Access {
            ok: result.is_ok(),
            detail: result.as_ref().err().map(ToString::to_string),
            ..access(caller, Some(id), Some(name), "logins reconciled".into())
        },
    )
    .await;
    Ok(result?)
}

/// Ends a customer's session on its router (the customer already checked
/// by the caller); returns how many sessions ended. Logged either way.
pub async fn disconnect(
    ctx: &Ctx,
    caller: &Caller,
    hub: &Arc<RouterHub>,
    customer_id: i64,
    router_id: Option<i64>,
) -> OpResult<usize> {
    let result = hub.disconnect(customer_id).await;
    record(
        ctx,
        Access {
            ok: result.is_ok(),
            detail: result.as_ref().err().map(ToString::to_string),
            ..access(
                caller,
                router_id,
                None,
                format!("disconnected customer {customer_id}"),
            )
        },
    )
    .await;
    Ok(result?)
}

/// IP pools (of one router, or all), with how many addresses are held.
pub async fn pools(
    ctx: &Ctx,
    _caller: &Caller,
    router_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<PoolRow>, i64)> {
    Ok(ctx
        .db
        .read_async(move |c| router_data::pools(c, router_id, limit, offset))
        .await?)
}

/// Router logs of one category (`router`, `hotspot`, `ppp-auth`), newest first.
pub async fn logs(
    ctx: &Ctx,
    _caller: &Caller,
    category: &'static str,
    router_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<LogRow>, i64)> {
    Ok(ctx
        .db
        .read_async(move |c| router_data::logs(c, category, router_id, limit, offset))
        .await?)
}

/// A customer's usage samples, newest first (a customer the caller cannot
/// see is not found).
pub async fn usage(
    ctx: &Ctx,
    caller: &Caller,
    customer_id: i64,
) -> OpResult<(Vec<Sample>, Vec<SessionRow>)> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| {
            let customer = customers::get(c, customer_id, vis)?.ok_or(StoreError::NotFound)?;
            Ok((
                router_data::usage(c, customer.id, USAGE_SAMPLES)?,
                radius_sessions::of_customer(c, customer.id, USAGE_SESSIONS)?,
            ))
        })
        .await?)
}
