//! SNMP devices: OLTs, radios and other devices in the inventory
//! (credentials sealed), and a radio's signal history. Every change goes to
//! the device access log in the transaction that makes it.

use crate::{
    auth::sealed::SealKey,
    drivers::snmp::profile::Profiles,
    monitoring::{
        poller::{COMMUNITY_PURPOSE, V3_AUTH_PURPOSE, V3_PRIV_PURPOSE},
        rules::{DevicePatch, DeviceSecrets, Family},
    },
    ops::{routers::check_host, Caller, Ctx, Error, OpResult},
    store::{
        audit_rows,
        audited::DEVICE,
        monitoring::{self, Access},
        onus,
        snmp_devices::{self, DeviceRow, SealedCredentials},
        StoreError,
    },
};

/// How many readings a history shows unless asked otherwise.
pub const DEFAULT_HISTORY: i64 = 288;

/// What device changes need besides the context: the key that seals
/// credentials and the vendor profiles a device may name.
#[derive(Clone, Copy)]
pub struct Snmp<'a> {
    pub seal: &'a SealKey,
    pub profiles: &'a Profiles,
    /// Rung after a save: the poller polls the device at once.
    pub wake: &'a tokio::sync::Notify,
}

impl Snmp<'_> {
    fn seal(&self, secrets: DeviceSecrets) -> OpResult<SealedCredentials> {
        let seal = |purpose: &str, v: Option<String>| -> OpResult<Option<String>> {
            v.map(|s| {
                self.seal
                    .seal(purpose, &s)
                    .map_err(|e| Error::Internal(e.to_string()))
            })
            .transpose()
        };
        Ok(SealedCredentials {
            community: seal(COMMUNITY_PURPOSE, secrets.community)?,
            v3_auth: seal(V3_AUTH_PURPOSE, secrets.v3_auth_password)?,
            v3_priv: seal(V3_PRIV_PURPOSE, secrets.v3_priv_password)?,
        })
    }
}

/// An access-log entry for a change to a device.
fn access(caller: &Caller, row: &DeviceRow, action: &str) -> Access {
    Access {
        actor: caller.label(),
        device_kind: row.kind.clone(),
        device_id: Some(row.id),
        device_name: Some(row.name.clone()),
        action: action.into(),
        ok: true,
        detail: None,
    }
}

/// A family's devices by name, and how many there are.
pub async fn list(
    ctx: &Ctx,
    _caller: &Caller,
    family: Family,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<DeviceRow>, i64)> {
    Ok(ctx
        .db
        .read_async(move |c| snmp_devices::list(c, family.kinds(), None, limit, offset))
        .await?)
}

/// Radios of one vendor (`Ubiquiti`, `Cambium`) by name.
pub async fn radios(
    ctx: &Ctx,
    _caller: &Caller,
    vendor: &'static str,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<DeviceRow>, i64)> {
    Ok(ctx
        .db
        .read_async(move |c| snmp_devices::list(c, &["radio"], Some(vendor), limit, offset))
        .await?)
}

/// A device of the family (one of another family is not found).
pub async fn get(ctx: &Ctx, _caller: &Caller, family: Family, id: i64) -> OpResult<DeviceRow> {
    ctx.db
        .read_async(move |c| snmp_devices::get(c, id))
        .await?
        .filter(|d| family.holds(&d.kind))
        .ok_or(Error::NotFound)
}

/// Adds a device: an OLT, or a radio or other device (the patch's `kind`);
/// the poller polls it at once.
pub async fn create(
    ctx: &Ctx,
    caller: &Caller,
    snmp: Snmp<'_>,
    family: Family,
    patch: DevicePatch,
) -> OpResult<DeviceRow> {
    let kind = (family == Family::Olts).then_some("olt");
    let (fields, secrets) = patch
        .check(None, kind, snmp.profiles)
        .map_err(Error::Invalid)?;
    let creds = snmp.seal(secrets)?;
    check_host(ctx, &fields.host, fields.port).await?;
    let now = ctx.now_text();
    let caller = caller.clone();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let row = snmp_devices::create(tx, &fields, &creds, &now)?;
            let who = caller.who();
            audit_rows::record_change(tx, &who, &DEVICE, "created", row.id, None, &now)?;
            monitoring::log_access(tx, &access(&caller, &row, "added to the inventory"), &now)?;
            Ok(row)
        })
        .await
        .inspect(|_| snmp.wake.notify_one())?)
}

/// Changes the fields sent; credentials sent replace the stored ones; the
/// poller polls it again at once.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    snmp: Snmp<'_>,
    family: Family,
    id: i64,
    patch: DevicePatch,
) -> OpResult<DeviceRow> {
    let current = get(ctx, caller, family, id).await?;
    if let Some(host) = &patch.host {
        check_host(ctx, host, patch.port.unwrap_or(161)).await?;
    }
    let (fields, secrets) = patch
        .check(Some(&current), Some(&current.kind), snmp.profiles)
        .map_err(Error::Invalid)?;
    let creds = snmp.seal(secrets)?;
    let now = ctx.now_text();
    let caller = caller.clone();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let before = audit_rows::snapshot(tx, &DEVICE, id)?;
            let row = snmp_devices::update(tx, id, &fields, &creds, &now)?;
            let who = caller.who();
            audit_rows::record_change(tx, &who, &DEVICE, "updated", id, before, &now)?;
            monitoring::log_access(tx, &access(&caller, &row, "settings changed"), &now)?;
            Ok(row)
        })
        .await
        .inspect(|_| snmp.wake.notify_one())?)
}

/// Removes a device (an OLT with its ONUs) and its history.
pub async fn delete(ctx: &Ctx, caller: &Caller, family: Family, id: i64) -> OpResult<()> {
    let now = ctx.now_text();
    let caller = caller.clone();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let row = snmp_devices::get(tx, id)?.ok_or(StoreError::NotFound)?;
            if !family.holds(&row.kind) {
                return Err(StoreError::NotFound);
            }
            let before = audit_rows::snapshot(tx, &DEVICE, id)?;
            let row = snmp_devices::delete(tx, id, None)?;
            let who = caller.who();
            audit_rows::record_change(tx, &who, &DEVICE, "deleted", id, before, &now)?;
            monitoring::log_access(
                tx,
                &access(&caller, &row, "removed from the inventory"),
                &now,
            )
        })
        .await?)
}

/// A radio's (or other device's) signal readings, newest first.
pub async fn history(
    ctx: &Ctx,
    _caller: &Caller,
    id: i64,
    limit: i64,
) -> OpResult<Vec<(String, f64)>> {
    Ok(ctx
        .db
        .read_async(move |c| {
            snmp_devices::get(c, id)?
                .filter(|d| Family::Others.holds(&d.kind))
                .ok_or(StoreError::NotFound)?;
            onus::history(c, "radio", id, limit)
        })
        .await?)
}
