//! Operators (resellers): list, create, update, suspend, fund.

use super::{Caller, Ctx, OpResult};
use crate::{
    auth::secrets::sha256_hex,
    contract::pagination::PageRequest,
    domain::money::Money,
    store::{
        audit_rows,
        audited::OPERATOR,
        idempotency::{self, Seen},
        operators::{self, OperatorFields, OperatorRow},
        StoreError,
    },
};

/// One page of operators, with the total. A reseller's own staff see only
/// their operator.
pub async fn list(
    ctx: &Ctx,
    caller: &Caller,
    status: Option<&'static str>,
    page: PageRequest,
) -> OpResult<(Vec<OperatorRow>, u64)> {
    let only = caller.operator_id();
    Ok(ctx
        .db
        .read_async(move |c| operators::list(c, status, only, page.limit(), page.offset()))
        .await?)
}

/// One page of operator `id`'s ledger, newest first, with the total; a
/// reseller's own staff see only their operator's (another's is not found).
pub async fn ledger(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    page: PageRequest,
) -> OpResult<(Vec<operators::LedgerRow>, u64)> {
    if caller.operator_id().is_some_and(|own| own != id) {
        return Err(super::Error::NotFound);
    }
    ctx.db
        .read_async(move |c| {
            if operators::get(c, id)?.is_none() {
                return Err(StoreError::NotFound);
            }
            operators::ledger(c, id, page.limit(), page.offset())
        })
        .await
        .map_err(Into::into)
}

/// A new operator (its email unique).
pub async fn create(ctx: &Ctx, caller: &Caller, fields: OperatorFields) -> OpResult<OperatorRow> {
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let row = operators::create(tx, &fields, &now)?;
            audit_rows::record_change(tx, &who, &OPERATOR, "created", row.id, None, &now)?;
            Ok(row)
        })
        .await?)
}

/// Changes the fields given.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    fields: OperatorFields,
) -> OpResult<OperatorRow> {
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::snapshot(tx, &OPERATOR, id)?;
            let row = operators::update(tx, id, &fields, &now)?;
            audit_rows::record_change(tx, &who, &OPERATOR, "updated", id, before, &now)?;
            Ok(row)
        })
        .await?)
}

/// The operator's status becomes `suspended`; its staff keep read access.
pub async fn suspend(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<OperatorRow> {
    let now = ctx.now_text();
    let who = caller.who();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::snapshot(tx, &OPERATOR, id)?;
            let row = operators::set_status(tx, id, "suspended", &now)?;
            audit_rows::record_change(tx, &who, &OPERATOR, "suspended", id, before, &now)?;
            Ok(row)
        })
        .await?)
}

/// What a fund adds: an amount (more than 0) and a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funds {
    pub amount: Money,
    pub note: Option<String>,
}

/// Adds funds: a row on the operator's ledger and its balance, together. With
/// an `Idempotency-Key` (`key`), the first answer (written by `answer`, the
/// adapter's shape) is stored in the same transaction and a repeat of the same
/// request gets it again unchanged; the same key with another request is
/// refused (`Idempotency-Key`, 422).
pub async fn fund(
    ctx: &Ctx,
    caller: &Caller,
    id: i64,
    funds: Funds,
    key: Option<String>,
    answer: fn(OperatorRow) -> Result<String, String>,
) -> OpResult<String> {
    let Funds { amount, note } = funds;
    let request_hash = sha256_hex(&format!("{:?}", (id, amount, note.clone())));
    let who = caller.label();
    let now = ctx.now_text();
    Ok(ctx
        .db
        .write_async(move |tx| {
            if let Some(key) = &key {
                match idempotency::lookup(tx, &who, key, &request_hash)? {
                    Seen::Replay { body, .. } => return Ok(body),
                    Seen::Mismatch => {
                        return Err(StoreError::invalid(
                            "Idempotency-Key",
                            "This key was used with a different request.",
                        ))
                    }
                    Seen::New => {}
                }
            }
            let row = operators::fund(tx, id, amount, note.as_deref(), &now)?;
            let body = answer(row).map_err(StoreError::Task)?;
            if let Some(key) = &key {
                idempotency::store(tx, &who, key, &request_hash, 200, &body, &now)?;
            }
            Ok(body)
        })
        .await?)
}
