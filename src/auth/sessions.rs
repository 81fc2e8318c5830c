//! Admin panel sessions: a random token in an HttpOnly, SameSite=Strict cookie
//! (stored hashed), expiring after 12 hours, and a CSRF token derived from it
//! that mutations must echo in a header.

use time::Duration;

use super::{
    principal::{role_scopes, Principal, Tier},
    secrets::{constant_time_eq, random_token, sha256_hex},
    service::{Auth, AuthError},
    tokens::{ApiVersion, Subject},
};
use crate::{
    clock::format_timestamp,
    store::{staff_sessions, staff_users::StaffUser},
};

pub const COOKIE_NAME: &str = "ispbills_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const SESSION_TTL: Duration = Duration::hours(12);

/// The CSRF token of a session (not stored; derived from the cookie's token).
pub fn csrf_token(session_token: &str) -> String {
    sha256_hex(&format!("csrf:{session_token}"))
}

/// True when `presented` is the CSRF token of `session_token`.
pub fn csrf_matches(session_token: &str, presented: &str) -> bool {
    constant_time_eq(csrf_token(session_token).as_bytes(), presented.as_bytes())
}

/// The session token in a request's `Cookie` headers, if any.
pub fn cookie_token(headers: &poem::http::HeaderMap) -> Option<String> {
    headers
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value for a session (`None` clears it); `secure` when the
/// panel is reached over HTTPS (the browser then sends it only over HTTPS).
pub fn cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!(
            "{COOKIE_NAME}={t}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            SESSION_TTL.whole_seconds()
        ),
        None => format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

impl Auth {
    /// Opens a session for a verified user; returns the cookie token.
    pub fn open_session(&self, user: &StaffUser) -> Result<String, AuthError> {
        let token = random_token(32).map_err(|e| AuthError::Internal(e.to_string()))?;
        let now = self.clock.now();
        let hash = sha256_hex(&token);
        let user_id = user.id;
        self.db.write(move |tx| {
            staff_sessions::create(
                tx,
                user_id,
                &hash,
                &format_timestamp(now),
                &format_timestamp(now + SESSION_TTL),
            )
        })?;
        Ok(token)
    }

    /// The user of a live session.
    pub fn session_user(&self, token: &str) -> Result<Option<StaffUser>, AuthError> {
        let now = format_timestamp(self.clock.now());
        Ok(self
            .db
            .read(|c| staff_sessions::find(c, &sha256_hex(token), &now))?)
    }

    /// The panel calling the API: the session's user as an API caller of `api`,
    /// with the scopes of their role (as their v1 staff tokens have) and the
    /// high-volume rate tier. The caller must have checked the CSRF header first.
    pub fn session_principal(
        &self,
        token: &str,
        api: ApiVersion,
    ) -> Result<Option<Principal>, AuthError> {
        let Some(user) = self.session_user(token)? else {
            return Ok(None);
        };
        if self.must_set_up(&user) {
            return Err(AuthError::TwoFactorSetupRequired);
        }
        Ok(Some(Principal {
            subject: Subject::User(user.id),
            api,
            scopes: role_scopes(user.role),
            // A screen of the panel makes several calls at once (a list and
            // its choices, a printout's bills): a person at the panel gets the
            // high-volume limits, as an integration may.
            tier: Tier::HighVolume,
            role: Some(user.role),
            operator_id: user.operator_id,
            jti: format!("panel-session:{}", &sha256_hex(token)[..16]),
            expires_at: (self.clock.now() + SESSION_TTL).unix_timestamp(),
        }))
    }

    pub fn close_session(&self, token: &str) -> Result<(), AuthError> {
        let hash = sha256_hex(token);
        self.db.write(move |tx| staff_sessions::delete(tx, &hash))?;
        Ok(())
    }
}
