//! VPN accounts: list, read (by id, or by id or name for API v1), create,
//! change, delete, rotate WireGuard keys, and render a client config. A
//! reseller's staff see only their customers' accounts.
//!
//! WireGuard keys are generated here; the private key and the login password
//! are sealed before they reach the store and opened only to render a config.

use crate::{
    auth::sealed::SealKey,
    contract::pagination::PageRequest,
    store::{
        vpn_accounts::{self, VpnAccountFields, VpnAccountFilter, VpnAccountRow},
        StoreError,
    },
    vpn::{
        self,
        account::{Sealed, VpnPatch},
        AccountView, ClientFile,
    },
};

use super::{Caller, Ctx, Error, OpResult};

/// How a request names an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRef {
    /// By id only (API v2).
    Id(i64),
    /// API v1: digits are an id (falling back to a name), anything else a name.
    IdOrName(String),
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

fn seal(seal_key: &SealKey, purpose: &str, secret: &str) -> OpResult<String> {
    seal_key.seal(purpose, secret).map_err(internal)
}

fn open(seal_key: &SealKey, purpose: &str, sealed: Option<&str>) -> OpResult<String> {
    let sealed = sealed.ok_or_else(|| internal("a VPN secret is missing"))?;
    seal_key.open(purpose, sealed).map_err(internal)
}

/// A fresh key pair, the private key sealed: (public, sealed private).
fn new_keys(seal_key: &SealKey) -> OpResult<(String, String)> {
    let pair = vpn::generate_keypair().map_err(internal)?;
    Ok((
        pair.public_key,
        seal(seal_key, vpn::PRIVATE_KEY_PURPOSE, &pair.private_key)?,
    ))
}

/// Takes the password out of the patch, sealed.
fn seal_password(seal_key: &SealKey, patch: &mut VpnPatch) -> OpResult<Option<String>> {
    patch
        .password
        .take()
        .map(|p| seal(seal_key, vpn::PASSWORD_PURPOSE, &p))
        .transpose()
}

/// A page of the accounts the caller may see (newest first) and their total.
pub async fn list(
    ctx: &Ctx,
    caller: &Caller,
    filter: VpnAccountFilter,
    page: PageRequest,
) -> OpResult<(Vec<VpnAccountRow>, u64)> {
    let vis = caller.visibility;
    let (rows, total) = ctx
        .db
        .read_async(move |c| vpn_accounts::list(c, &filter, vis, page.limit(), page.offset()))
        .await?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// One account the caller may see.
pub async fn get(ctx: &Ctx, caller: &Caller, account: AccountRef) -> OpResult<VpnAccountRow> {
    let vis = caller.visibility;
    ctx.db
        .read_async(move |c| match account {
            AccountRef::Id(id) => vpn_accounts::get(c, id, vis),
            AccountRef::IdOrName(text) => match text.parse::<i64>() {
                Ok(id) if id > 0 => match vpn_accounts::get(c, id, vis)? {
                    Some(row) => Ok(Some(row)),
                    None => vpn_accounts::get_by_name(c, &id.to_string(), vis),
                },
                _ => vpn_accounts::get_by_name(c, &text, vis),
            },
        })
        .await?
        .ok_or(Error::NotFound)
}

/// Creates an account; a WireGuard account gets a fresh key pair.
pub async fn create(
    ctx: &Ctx,
    _caller: &Caller,
    seal_key: &SealKey,
    input: VpnPatch,
) -> OpResult<VpnAccountRow> {
    let mut patch = input;
    let sealed = Sealed {
        keys: match patch.protocol.as_deref() {
            Some("wireguard") => Some(new_keys(seal_key)?),
            _ => None,
        },
        password: seal_password(seal_key, &mut patch)?,
    };
    let fields = patch.apply(None, sealed).map_err(StoreError::Invalid)?;
    let now = ctx.now_text();
    Ok(ctx
        .db
        .write_async(move |tx| vpn_accounts::create(tx, &fields, &now))
        .await?)
}

/// Changes the fields sent (a new password replaces the old one); the
/// protocol cannot change.
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    seal_key: &SealKey,
    id: i64,
    input: VpnPatch,
) -> OpResult<VpnAccountRow> {
    let mut patch = input;
    let sealed = Sealed {
        keys: None,
        password: seal_password(seal_key, &mut patch)?,
    };
    let vis = caller.visibility;
    let now = ctx.now_text();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let current = vpn_accounts::get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
            let fields = patch
                .apply(Some(current), sealed)
                .map_err(StoreError::Invalid)?;
            vpn_accounts::update(tx, id, &fields, &now)
        })
        .await?)
}

/// Deletes an account the caller may see.
pub async fn delete(ctx: &Ctx, caller: &Caller, id: i64) -> OpResult<()> {
    let vis = caller.visibility;
    Ok(ctx
        .db
        .write_async(move |tx| {
            vpn_accounts::get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
            vpn_accounts::delete(tx, id)
        })
        .await?)
}

/// Replaces a WireGuard account's key pair (not WireGuard: 409).
pub async fn rotate_keys(
    ctx: &Ctx,
    caller: &Caller,
    seal_key: &SealKey,
    id: i64,
) -> OpResult<VpnAccountRow> {
    let (public, private) = new_keys(seal_key)?;
    let vis = caller.visibility;
    let now = ctx.now_text();
    Ok(ctx
        .db
        .write_async(move |tx| {
            let current = vpn_accounts::get(tx, id, vis)?.ok_or(StoreError::NotFound)?;
            if current.protocol != "wireguard" {
                return Err(StoreError::Conflict(
                    "Only WireGuard accounts have keys.".into(),
                ));
            }
            let mut fields = VpnAccountFields::from(current);
            fields.public_key = Some(public);
            fields.private_key_sealed = Some(private);
            vpn_accounts::update(tx, id, &fields, &now)
        })
        .await?)
}

/// The client config of an account the caller may see. A disabled account,
/// or a server side missing from `[vpn]` of the config file: 409 naming what
/// to change.
pub async fn config(
    ctx: &Ctx,
    caller: &Caller,
    seal_key: &SealKey,
    account: AccountRef,
) -> OpResult<ClientFile> {
    let row = get(ctx, caller, account).await?;
    if !row.enabled {
        return Err(Error::Conflict(
            "The VPN account is disabled; enable it (`enabled: true`) to download its config."
                .into(),
        ));
    }
    let cfg = &ctx.config.vpn;
    let view = AccountView {
        name: &row.name,
        addresses: &row.addresses,
        username: row.username.as_deref(),
    };
    let file = match row.protocol.as_str() {
        "wireguard" => {
            let key = open(
                seal_key,
                vpn::PRIVATE_KEY_PURPOSE,
                row.private_key_sealed.as_deref(),
            )?;
            vpn::wireguard(&cfg.wireguard, &view, &key)
        }
        "openvpn" => vpn::openvpn(&cfg.openvpn, &view),
        _ => {
            let password = open(
                seal_key,
                vpn::PASSWORD_PURPOSE,
                row.password_sealed.as_deref(),
            )?;
            vpn::l2tp(&cfg.l2tp, &view, &password)
        }
    };
    file.map_err(Error::Conflict)
}
