//! Support complaints: list, create (with its `complaint.created` event), read,
//! change, delete, all within the caller's visibility (a reseller's staff see
//! and file complaints only for their own customers, and assign them only to
//! their own operator's staff).

use crate::{
    contract::{complaints::ComplaintPatch, pagination::PageRequest},
    store::{
        complaints::{self, ComplaintFields, ComplaintFilter, ComplaintRow},
        StoreError,
    },
};

use super::{Caller, Ctx, Error, OpResult};

/// The record after the change: what the patch sets, the rest from `base`.
fn merged(patch: ComplaintPatch, base: ComplaintFields) -> ComplaintFields {
    ComplaintFields {
        customer_id: patch.customer_id.unwrap_or(base.customer_id),
        subject: patch.subject.unwrap_or(base.subject),
        body: patch.body.unwrap_or(base.body),
        status: patch.status.unwrap_or(base.status),
        priority: patch.priority.unwrap_or(base.priority),
        assigned_to: patch.assigned_to.unwrap_or(base.assigned_to),
    }
}

fn fields_of(c: ComplaintRow) -> ComplaintFields {
    ComplaintFields {
        customer_id: c.customer_id,
        subject: c.subject,
        body: c.body,
        status: c.status,
        priority: c.priority,
        assigned_to: c.assigned_to,
    }
}

/// A page of the complaints the caller may see (newest first), and their total.
/// The filter's visibility is the caller's, whatever it says.
pub async fn list(
    ctx: &Ctx,
    caller: &Caller,
    filter: ComplaintFilter,
    page: PageRequest,
) -> OpResult<(Vec<ComplaintRow>, u64)> {
    let filter = ComplaintFilter {
        vis: caller.visibility,
        ..filter
    };
    let (rows, total) = ctx
        .db
        .read_async(move |c| complaints::list(c, &filter, page.limit(), page.offset()))
        .await?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Files a complaint (status `open`, priority `medium` unless given) and
/// emits `complaint.created`.
pub async fn create(ctx: &Ctx, caller: &Caller, input: ComplaintPatch) -> OpResult<ComplaintRow> {
    let fields = merged(
        input,
        ComplaintFields {
            customer_id: 0,
            subject: String::new(),
            body: String::new(),
            status: "open".into(),
            priority: "medium".into(),
            assigned_to: None,
        },
    );
    let now = ctx.now_text();
    let vis = caller.visibility;
    Ok(ctx
        .db
        .write_async(move |tx| complaints::create(tx, &fields, vis, &now))
        .await?)
}

/// One complaint the caller may see.
pub async fn get(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<ComplaintRow> {
    let vis = caller.visibility;
    ctx.db
        .read_async(move |c| complaints::get(c, id, vis))
        .await?
        .ok_or(Error::NotFound)
}

/// Changes the fields sent; `resolved_at` follows the status.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    input: ComplaintPatch,
) -> OpResult<ComplaintRow> {
    let vis = caller.visibility;
    let now = ctx.now_text();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let current = complaints::get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
            complaints::update(tx, id, &merged(input, fields_of(current)), vis, &now)
        })
        .await?)
}

/// Deletes a complaint the caller may see.
pub async fn delete(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<()> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .write_async(move |tx| complaints::delete(tx, id, vis))
        .await?)
}
