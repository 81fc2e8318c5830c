//! A staff user's own two-factor login: see whether it is on, set it up (a
//! new secret shown as a QR code and a key, confirmed with a first code, which
//! turns it on and gives ten recovery codes), new recovery codes, turn it off;
//! and, from the command line, reset it for a user who lost their phone.
//! Each change writes an audit row in its transaction. Turning it off or
//! renewing the codes needs a current code, so a left-open session alone
//! cannot do either.

use super::{Caller, Ctx, Error, OpResult};
use crate::{
    auth::{
        sealed::SealKey,
        second_factor::{self, open_secret, seal_secret, Outcome},
        secrets::sha256_hex,
        service::AuthError,
        two_factor,
    },
    store::{
        audit::{self, Changes, Entry, Who},
        staff_two_factor,
        staff_users::{self, StaffUser},
    },
};

/// A user's two-factor state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub enabled: bool,
    /// Their role must use it (`[security] require_2fa_for`).
    pub required: bool,
    pub recovery_codes_left: i64,
}

/// What an app needs to enrol: the QR code and, to type, the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    pub manual_key: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

fn auth_error(e: AuthError) -> Error {
    match e {
        AuthError::Store(e) => Error::Store(e),
        other => Error::Internal(other.to_string()),
    }
}

fn entry<'a>(action: &'a str, user_id: i64) -> Entry<'a> {
    Entry {
        action,
        resource_type: "staff_user",
        resource_id: Some(user_id),
        customer_id: None,
        reason: None,
        changes: Changes::default(),
    }
}

/// The state of `user`'s second factor.
pub async fn status(ctx: &Ctx, user: &StaffUser, required: bool) -> OpResult<Status> {
    let id = user.id;
    let left = ctx
        .db
        .read_async(move |c| staff_two_factor::recovery_left(c, id))
        .await?;
    Ok(Status {
        enabled: user.two_factor,
        required,
        recovery_codes_left: if user.two_factor { left } else { 0 },
    })
}

/// New recovery codes for user `id`: as shown, and as stored.
fn fresh_codes(id: i64) -> OpResult<(Vec<String>, Vec<String>)> {
    let codes = two_factor::new_recovery_codes().map_err(|e| Error::Internal(e.to_string()))?;
    let hashes = codes
        .iter()
        .filter_map(|c| two_factor::normalize_recovery(c))
        .map(|plain| two_factor::recovery_hash(id, &plain))
        .collect();
    Ok((codes, hashes))
}

/// Starts setting up: a new secret kept until the first code confirms it
/// (starting again replaces it). Refused when already on.
pub async fn begin(ctx: &Ctx, seal: &SealKey, user: &StaffUser) -> OpResult<Setup> {
    if user.two_factor {
        return Err(Error::Conflict(
            "Two-factor login is already on: turn it off first to move it to another app.".into(),
        ));
    }
    let secret = two_factor::new_secret().map_err(|e| Error::Internal(e.to_string()))?;
    let sealed = seal_secret(seal, &secret).map_err(auth_error)?;
    let id = user.id;
    ctx.db
        .write_async(move |tx| staff_two_factor::set_pending(tx, id, &sealed))
        .await?;
    let url = two_factor::otpauth_url(&secret, &ctx.config.isp.name, &user.email);
    Ok(Setup {
        manual_key: two_factor::manual_key(&secret),
        qr_svg: two_factor::qr_svg(&url).map_err(Error::Internal)?,
        otpauth_url: url,
    })
}

fn wrong_code() -> Error {
    Error::invalid(
        "code",
        "That code is wrong or expired: enter the 6 digits the app shows now.",
    )
}

/// Confirms the setup with the app's current code: two-factor login is on,
/// and the answer is the ten recovery codes (shown once, stored hashed). The
/// user's other panel sessions and API tokens end (they were opened with the
/// password alone); the session `session_token` stays.
pub async fn confirm(
    ctx: &Ctx,
    seal: &SealKey,
    user: &StaffUser,
    code: &str,
    session_token: &str,
    who: Who,
) -> OpResult<Vec<String>> {
    let keep = sha256_hex(session_token);
    if user.two_factor {
        return Err(Error::Conflict("Two-factor login is already on.".into()));
    }
    let id = user.id;
    let sealed = ctx
        .db
        .read_async(move |c| staff_two_factor::pending(c, id))
        .await?
        .ok_or_else(|| Error::Conflict("Start the setup first: no code is awaited.".into()))?;
    let secret = open_secret(seal, &sealed).map_err(auth_error)?;
    let unix = u64::try_from(ctx.clock.now().unix_timestamp()).unwrap_or(0);
    let step = two_factor::matching_step(&secret, code, unix).ok_or_else(wrong_code)?;
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let (codes, hashes) = fresh_codes(id)?;
    let now = ctx.now_text();
    ctx.db
        .write_async(move |tx| {
            // The secret confirmed is the one still pending (a second setup
            // started meanwhile replaced it: that one must be confirmed).
            if staff_two_factor::pending(tx, id)?.as_deref() != Some(sealed.as_str()) {
                return Err(crate::store::StoreError::Conflict(
                    "The setup was started again: confirm the newest QR code.".into(),
                ));
            }
            staff_two_factor::enable(tx, id, &sealed, step, &hashes, &now)?;
            staff_users::end_other_sessions(tx, id, &keep, &now, "two-factor login turned on")?;
            let mut e = entry("staff_user.two_factor_enabled", id);
            e.changes.field("two_factor", &false, &true);
            audit::record(tx, &who, &e, &now)
        })
        .await?;
    Ok(codes)
}

/// Checks a current code of an enrolled user (using it up).
async fn require_code(ctx: &Ctx, seal: &SealKey, user: &StaffUser, code: &str) -> OpResult<()> {
    if !user.two_factor {
        return Err(Error::Conflict("Two-factor login is not on.".into()));
    }
    let (db, seal, id, now) = (ctx.db.clone(), seal.clone(), user.id, ctx.clock.now());
    let code = code.to_string();
    let outcome =
        tokio::task::spawn_blocking(move || second_factor::check(&db, &seal, id, Some(&code), now))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
            .map_err(auth_error)?;
    match outcome {
        Outcome::Passed => Ok(()),
        _ => Err(wrong_code()),
    }
}

/// New recovery codes (the old ones stop working), after a current code.
pub async fn renew_recovery_codes(
    ctx: &Ctx,
    seal: &SealKey,
    user: &StaffUser,
    code: &str,
    who: Who,
) -> OpResult<Vec<String>> {
    require_code(ctx, seal, user, code).await?;
    let id = user.id;
    let (codes, hashes) = fresh_codes(id)?;
    let now = ctx.now_text();
    ctx.db
        .write_async(move |tx| {
            staff_two_factor::replace_recovery(tx, id, &hashes)?;
            audit::record(
                tx,
                &who,
                &entry("staff_user.recovery_codes_renewed", id),
                &now,
            )
        })
        .await?;
    Ok(codes)
}

/// Turns two-factor login off, after a current code; refused while the
/// user's role must use it.
pub async fn disable(
    ctx: &Ctx,
    seal: &SealKey,
    user: &StaffUser,
    code: &str,
    required: bool,
    who: Who,
) -> OpResult<()> {
    if required {
        return Err(Error::Conflict(
            "Your role must log in with a second factor: it cannot be turned off.".into(),
        ));
    }
    require_code(ctx, seal, user, code).await?;
    let id = user.id;
    let now = ctx.now_text();
    ctx.db
        .write_async(move |tx| {
            staff_two_factor::disable(tx, id, &now)?;
            let mut e = entry("staff_user.two_factor_disabled", id);
            e.changes.field("two_factor", &true, &false);
            audit::record(tx, &who, &e, &now)
        })
        .await?;
    Ok(())
}

/// Resets the second factor of the user with this email (a lost phone): the
/// next login needs only the password (and, when their role must use a
/// second factor, sets up a new one); their sessions and tokens end (the
/// phone may be in other hands). Only the appliance itself (the command line)
/// may. False when the user had none.
pub async fn reset(ctx: &Ctx, caller: &Caller, email: String) -> OpResult<bool> {
    if caller.actor != super::Actor::System {
        return Err(Error::Forbidden(
            "Only `ispbills user reset-2fa` on the server resets a second factor.".into(),
        ));
    }
    let now = ctx.now_text();
    let who = caller.who();
    ctx.db
        .write_async(move |tx| {
            let user = staff_users::find_by_email(tx, &email)?
                .ok_or(crate::store::StoreError::NotFound)?;
            let had = user.two_factor;
            if !staff_two_factor::disable(tx, user.id, &now)? {
                return Ok(false);
            }
            staff_users::end_sessions(tx, user.id, &now, "two-factor login reset")?;
            let mut e = entry("staff_user.two_factor_reset", user.id);
            e.changes.field("two_factor", &had, &false);
            audit::record(tx, &who, &e, &now)?;
            Ok(true)
        })
        .await
        .map_err(Error::from)
}
