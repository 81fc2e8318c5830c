//! A customer's password check for the portal, under the same login throttle
//! as staff (per login name from one address, per login name, per address)
//! and the same bounded hashing threads. A customer's password is their
//! portal password once they set one (argon2), else their PPPoE/hotspot
//! login password (kept sealed for the router; compared in constant time).
//! Login names are unique per router only, so every customer with the name
//! is tried.

use std::sync::Arc;

use time::OffsetDateTime;

use super::{
    hash_pool::HashPool,
    login_guard::Refused,
    password::DUMMY_HASH,
    sealed::SealKey,
    secrets::constant_time_eq,
    service::AuthError,
    throttle::{Limit, LoginThrottle},
};
use crate::store::{
    customers::LOGIN_PASSWORD_PURPOSE,
    portal::{self, CustomerAuthRow},
    Db,
};

/// What a customer's password check uses.
#[derive(Clone)]
pub struct CustomerGuard {
    pub db: Db,
    pub seal: Arc<SealKey>,
    pub throttle: Arc<LoginThrottle>,
    pub hash_pool: Arc<HashPool>,
    pub now: OffsetDateTime,
}

/// The customer whose login name and password these are.
pub async fn check_password(
    guard: CustomerGuard,
    address: &str,
    username: String,
    password: String,
) -> Result<CustomerAuthRow, Refused> {
    let account = username.trim().to_string();
    let limits = Limit::for_login("customer", &account.to_lowercase(), address);
    let reservation =
        guard
            .throttle
            .reserve(limits, guard.now)
            .map_err(|wait| Refused::TooMany {
                wait,
                what: "failed login attempts",
            })?;
    let permit = match guard.hash_pool.try_permit() {
        Ok(p) => p,
        Err(e) => {
            reservation.cancel();
            return Err(e.into());
        }
    };
    let db = guard.db.clone();
    let name = account.clone();
    let candidates = match db.read_async(move |c| portal::by_username(c, &name)).await {
        Ok(rows) => rows,
        Err(e) => {
            reservation.cancel();
            return Err(Refused::Failed(AuthError::Store(e)));
        }
    };
    let mut found: Option<CustomerAuthRow> = None;
    let mut permit = Some(permit);
    for c in candidates {
        let matched = match (&c.portal_password_hash, &c.login_password_sealed) {
            (Some(phc), _) => match permit.take() {
                // The first portal password takes the attempt's hashing slot.
                Some(p) => guard
                    .hash_pool
                    .verify(p, password.clone(), phc.clone())
                    .await
                    .unwrap_or(false),
                // Names are unique per router: a second one is rare; it
                // hashes in a slot of its own, or off the async threads.
                None => match guard.hash_pool.try_permit() {
                    Ok(p) => guard
                        .hash_pool
                        .verify(p, password.clone(), phc.clone())
                        .await
                        .unwrap_or(false),
                    Err(_) => {
                        let (pw, phc) = (password.clone(), phc.clone());
                        tokio::task::spawn_blocking(move || {
                            crate::auth::password::verify(&pw, &phc)
                        })
                        .await
                        .unwrap_or(false)
                    }
                },
            },
            (None, Some(sealed)) => guard
                .seal
                .open(LOGIN_PASSWORD_PURPOSE, sealed)
                .is_ok_and(|plain| constant_time_eq(plain.as_bytes(), password.as_bytes())),
            (None, None) => false,
        };
        if matched && !password.is_empty() {
            if found.is_some() {
                // Two customers on different routers with this name and this
                // password: which one is asking cannot be told, so neither.
                tracing::warn!(%account, "customer login matches several customers");
                found = None;
                break;
            }
            found = Some(c);
        }
    }
    if let Some(p) = permit {
        // The same work whether or not the name has a portal password.
        let _ = guard
            .hash_pool
            .verify(p, password, DUMMY_HASH.to_string())
            .await;
    }
    match found {
        Some(c) => {
            reservation.succeeded(&[0]);
            Ok(c)
        }
        None => {
            reservation.failed();
            tracing::info!(%account, "customer login failed");
            Err(Refused::Invalid)
        }
    }
}
