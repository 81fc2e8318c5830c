//! Customers: create, read, change, suspend and activate, disconnect, delete,
//! with the caller's visibility applied (a reseller's staff see, change and
//! create only their own operator's customers).

use crate::{
    auth::sealed::SealKey,
    domain::{staff::Role, visibility::Visibility},
    network::hub::RouterHub,
    store::{
        audit_rows,
        audited::CUSTOMER,
        billing_run,
        customers::{
            self, CustomerChanges, CustomerFilter, CustomerRef, CustomerRow, NewCustomer, Total,
            LOGIN_PASSWORD_PURPOSE,
        },
        subscriptions::{self, SubscriptionRow},
        StoreError,
    },
};

use super::{Caller, Ctx, Error, OpResult};

/// Seals a login password for storage.
fn seal(key: &SealKey, password: Option<String>) -> OpResult<Option<String>> {
    password
        .map(|p| {
            key.seal(LOGIN_PASSWORD_PURPOSE, &p)
                .map_err(|e| Error::Internal(e.to_string()))
        })
        .transpose()
}

/// Creates a customer (`customer.created`) with its login password, sealed
/// here; a reseller's staff create customers for their own operator, whatever
/// the body says.
pub async fn create(
    ctx: &Ctx,
    caller: &Caller,
    seal_key: &SealKey,
    mut new: NewCustomer,
    password: Option<String>,
) -> OpResult<CustomerRow> {
    new.login_password_sealed = seal(seal_key, password)?;
    if caller.role == Some(Role::OperatorStaff) {
        new.operator_id = caller.operator_id();
    }
    let now = ctx.clock.now();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let row = customers::create(tx, &new, now)?;
            let stamp = crate::clock::format_timestamp(now);
            audit_rows::record_change(tx, &who, &CUSTOMER, "created", row.id, None, &stamp)?;
            Ok(row)
        })
        .await?)
}

/// One customer the caller may see.
pub async fn get(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<CustomerRow> {
    let vis = caller.visibility;
    ctx.db
        .read_short(move |c| customers::get(c, id, vis))
        .await?
        .ok_or(Error::NotFound)
}

/// One customer the caller may see, written by `write` as it is read.
pub async fn get_json(ctx: &Ctx, caller: &Caller, id: i64, write: RowWriter) -> OpResult<Vec<u8>> {
    let vis = caller.visibility;
    let written = ctx
        .db
        .read_short(move |c| {
            customers::get_each(c, id, vis, |row| {
                let mut out = Vec::with_capacity(512);
                write(&mut out, row).map(|()| out)
            })
        })
        .await?
        .ok_or(Error::NotFound)?;
    written.map_err(|e| Error::Internal(format!("writing a customer: {e}")))
}

/// Writes one customer of a list as the caller's API version shows it.
pub type RowWriter = fn(&mut Vec<u8>, CustomerRef<'_>) -> serde_json::Result<()>;

/// A page of the customers the caller may see as a JSON array, each row
/// written by `write` as it is read (no copy of the rows in between), and
/// their total (capped for a search in the default order: see
/// [`customers::list`]).
pub async fn list_json(
    ctx: &Ctx,
    caller: &Caller,
    filter: CustomerFilter,
    (limit, offset): (i64, i64),
    write: RowWriter,
) -> OpResult<(Vec<u8>, Total)> {
    let vis = caller.visibility;
    let searched = filter.search.is_some();
    let read = move |c: &crate::store::sql::Connection<'_>| {
        let mut out = Vec::with_capacity(usize::try_from(limit).unwrap_or(0) * 512 + 2);
        out.push(b'[');
        let mut failed = None;
        let total = customers::list_each(c, &filter, vis, (limit, offset), |row| {
            if failed.is_none() {
                if out.len() > 1 {
                    out.push(b',');
                }
                failed = write(&mut out, row).err();
            }
        })?;
        out.push(b']');
        Ok((out, total, failed))
    };
    // A page near the start reads its rows through an index and stops (a
    // fraction of a millisecond): on the calling thread, within the short
    // read's step limit. Deep pages step over every row before them, and a
    // search reads the trigram index's doclists: on a blocking thread.
    let short = offset.saturating_add(limit) <= SHORT_LIST_ROWS && !searched;
    let (out, total, failed) = if short {
        ctx.db.read_short(read).await?
    } else {
        ctx.db.read_async(read).await?
    };
    match failed {
        Some(e) => Err(Error::Internal(format!("writing a customer: {e}"))),
        None => Ok((out, total)),
    }
}

/// How far into a list a page may end and still be read as a short read.
const SHORT_LIST_ROWS: i64 = 1_000;

/// Changes the fields sent; a reseller's staff cannot hand customers away.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    seal_key: &SealKey,
    id: i64,
    mut changes: CustomerChanges,
    password: Option<String>,
) -> OpResult<CustomerRow> {
    if password.is_some() {
        changes.login_password_sealed = Some(seal(seal_key, password)?);
    }
    if caller.role == Some(Role::OperatorStaff) {
        changes.operator_id = None;
    }
    let vis = caller.visibility;
    let now = ctx.clock.now();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| customers::update(tx, &who, id, vis, &changes, now))
        .await?)
}

/// Sets the status by hand (`customer.suspended` / `customer.activated` when it
/// changes); it takes over from the billing run's automatic suspension.
pub async fn set_status(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    status: &'static str,
    reason: String,
) -> OpResult<CustomerRow> {
    let vis = caller.visibility;
    let now = ctx.clock.now();
    let stamp = crate::clock::format_timestamp(now);
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let row = customers::set_status(tx, &who, id, vis, status, &reason, now)?;
            billing_run::close_auto_suspensions(tx, id, &stamp)?;
            Ok(row)
        })
        .await?)
}

/// Ends the customer's live session on its router (409 without a router); the
/// attempt goes into the device access log whatever its outcome.
pub async fn disconnect(
    ctx: &Ctx,
    caller: &Caller,
    routers: &std::sync::Arc<RouterHub>,
    id: i64,
) -> OpResult<CustomerRow> {
    let customer = get(ctx, caller, id).await?;
    if customer.router_id.is_none() {
        return Err(Error::Conflict(
            "This customer has no router, so there is no session to disconnect.".into(),
        ));
    }
    super::routers::disconnect(ctx, caller, routers, customer.id, customer.router_id).await?;
    Ok(customer)
}

/// Deletes a customer the caller may see.
pub async fn delete(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<()> {
    let vis = caller.visibility;
    let (who, now) = (caller.who(), ctx.clock.now());
    Ok(ctx
        .db
        .write_async(move |tx| customers::delete(tx, &who, id, vis, now))
        .await?)
}

/// Not found unless the caller may see customer `id`.
pub async fn ensure_visible(ctx: &Ctx, vis: Visibility, id: i64) -> OpResult<()> {
    ctx.db
        .read_async(move |c| customers::get(c, id, vis))
        .await?
        .map(|_| ())
        .ok_or(Error::NotFound)
}

/// A page of the customer's subscriptions, newest first.
pub async fn subscriptions(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<SubscriptionRow>, u64)> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| {
            customers::get(c, id, vis)?.ok_or(StoreError::NotFound)?;
            subscriptions::for_customer(c, id, limit, offset)
        })
        .await?)
}

/// A page of the subscriptions of the customers the caller sees, newest first.
pub async fn all_subscriptions(
    ctx: &Ctx,
    caller: &Caller,
    status: Option<&'static str>,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<SubscriptionRow>, u64)> {
    let operator = caller.operator_id();
    Ok(ctx
        .db
        .read_async(move |c| subscriptions::list(c, operator, status, limit, offset))
        .await?)
}
