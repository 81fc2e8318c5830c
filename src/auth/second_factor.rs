//! The second factor at login: an enrolled staff user's TOTP code (each
//! 30-second step accepted once) or one of their recovery codes (each once).
//! Marking a code used is one write, so two logins racing with one code
//! cannot both pass.

use time::OffsetDateTime;

use super::{sealed::SealKey, service::AuthError, two_factor};
use crate::{
    clock::format_timestamp,
    store::{staff_two_factor, Db},
};

/// What the second factor of a login came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The user is not enrolled: the password is enough (unless their role
    /// must enrol).
    NotEnrolled,
    /// A right, unused code: it is now used.
    Passed,
    /// Enrolled, and no code was sent.
    Missing,
    /// Enrolled, and the code was wrong, outside its window or already used.
    Wrong,
}

/// Checks `otp` for user `user_id` at `now`, using it up when right.
pub fn check(
    db: &Db,
    seal: &SealKey,
    user_id: i64,
    otp: Option<&str>,
    now: OffsetDateTime,
) -> Result<Outcome, AuthError> {
    let Some(enrolled) = db.read(|c| staff_two_factor::enrolled(c, user_id))? else {
        return Ok(Outcome::NotEnrolled);
    };
    let Some(otp) = otp.map(str::trim).filter(|o| !o.is_empty()) else {
        return Ok(Outcome::Missing);
    };
    // A secret that does not open (a database restored under another
    // seal.key) leaves the recovery codes, which need no key.
    let secret = open_secret(seal, &enrolled.sealed_secret)
        .inspect_err(|e| tracing::error!(user_id, error = %e, "two-factor secret unreadable"))
        .unwrap_or_default();
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    let step = match secret.is_empty() {
        true => None,
        false => two_factor::matching_step(&secret, otp, unix),
    };
    if let Some(step) = step {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        let used = db.write(move |tx| staff_two_factor::use_step(tx, user_id, step))?;
        return Ok(if used {
            Outcome::Passed
        } else {
            Outcome::Wrong
        });
    }
    if let Some(plain) = two_factor::normalize_recovery(otp) {
        let hash = two_factor::recovery_hash(user_id, &plain);
        let at = format_timestamp(now);
        let used = db.write(move |tx| staff_two_factor::use_recovery(tx, user_id, &hash, &at))?;
        if used {
            tracing::info!(user_id, "logged in with a recovery code");
            return Ok(Outcome::Passed);
        }
    }
    Ok(Outcome::Wrong)
}

/// A sealed TOTP secret, opened.
pub fn open_secret(seal: &SealKey, sealed: &str) -> Result<Vec<u8>, AuthError> {
    let text = seal
        .open(two_factor::SEAL_PURPOSE, sealed)
        .map_err(|e| AuthError::Internal(format!("two-factor secret: {e}")))?;
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text)
        .map_err(|e| AuthError::Internal(format!("two-factor secret: {e}")))
}

/// A TOTP secret, sealed for storage.
pub fn seal_secret(seal: &SealKey, secret: &[u8]) -> Result<String, AuthError> {
    let text = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, secret);
    seal.seal(two_factor::SEAL_PURPOSE, &text)
        .map_err(|e| AuthError::Internal(format!("two-factor secret: {e}")))
}
