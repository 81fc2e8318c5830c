//! Bills: list, create (with an `Idempotency-Key`), read, change, delete, and
//! the invoices that group them; within the caller's visibility.

use crate::store::{
    audit_rows,
    audited::BILL,
    bills::{self, BillChanges, BillFilter, BillRow, NewBill},
    idempotency,
    invoices::{self, InvoiceRow},
};

use super::{customers::ensure_visible, Caller, Ctx, Error, Once, OpResult};

/// A page of the bills the caller may see, newest first, and their total.
pub async fn list(
    ctx: &Ctx,
    caller: &Caller,
    filter: BillFilter,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<BillRow>, u64)> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| bills::list(c, &filter, vis, limit, offset))
        .await?)
}

/// A page of one customer's bills (not found unless the caller sees it).
pub async fn of_customer(
    ctx: &Ctx,
    caller: &Caller,
    customer_id: i64,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<BillRow>, u64)> {
    ensure_visible(ctx, caller.visibility, customer_id).await?;
    let filter = BillFilter {
        customer_id: Some(customer_id),
        ..Default::default()
    };
    list(ctx, caller, filter, limit, offset).await
}

/// Creates a bill (`bill.generated`) for a customer the caller sees; answers
/// once per `Idempotency-Key`.
pub async fn create(
    ctx: &Ctx,
    caller: &Caller,
    new: NewBill,
    once: Once<BillRow>,
) -> OpResult<String> {
    let key = once.key(caller, &new);
    let answer = once.answer();
    let vis = caller.visibility;
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            idempotency::once(
                tx,
                key.as_ref(),
                &now,
                |tx| {
                    let row = bills::create(tx, &new, vis, &now)?;
                    audit_rows::record_change(tx, &who, &BILL, "created", row.id, None, &now)?;
                    Ok(row)
                },
                answer,
            )
        })
        .await?)
}

/// One bill the caller may see.
pub async fn get(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<BillRow> {
    let vis = caller.visibility;
    ctx.db
        .read_async(move |c| bills::get(c, id, vis))
        .await?
        .ok_or(Error::NotFound)
}

/// Changes a bill that is neither paid nor cancelled.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    changes: BillChanges,
) -> OpResult<BillRow> {
    let vis = caller.visibility;
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::snapshot(tx, &BILL, id)?;
            let row = bills::update(tx, id, vis, &changes, &now)?;
            audit_rows::record_change(tx, &who, &BILL, "updated", id, before, &now)?;
            Ok(row)
        })
        .await?)
}

/// Deletes a bill nothing was paid on.
pub async fn delete(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<()> {
    let vis = caller.visibility;
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::snapshot(tx, &BILL, id)?;
            bills::delete(tx, id, vis)?;
            audit_rows::record_change(tx, &who, &BILL, "deleted", id, before, &now)
        })
        .await?)
}

/// A page of invoices (a customer's bills of one month), newest first.
pub async fn invoices(
    ctx: &Ctx,
    caller: &Caller,
    customer_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<InvoiceRow>, u64)> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| invoices::list(c, customer_id, vis, limit, offset))
        .await?)
}
