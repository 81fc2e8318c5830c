//! The customer's own side: logging in (login name and password, or a
//! one-time code by SMS), and what a customer may see and do for themself.
//! Every operation here takes the customer's id from their token, never from
//! the request, so a customer reaches only their own records.

use std::sync::Arc;

use time::Duration;

use crate::{
    auth::{
        customer_login::{self, CustomerGuard},
        customer_tokens::{CustomerClaims, Reach},
        hash_pool::HashPool,
        keys::JwtKey,
        login_guard::Refused,
        sealed::SealKey,
        secrets::{constant_time_eq, hmac_sha256_hex, random_digits},
        throttle::LoginThrottle,
        tokens::{SignedToken, TokenError, TokenSigner},
    },
    clock::format_timestamp,
    domain::{customer::normalise_phone, money::Money, visibility::Visibility},
    sms::{day_start, new_message_id, outgoing, phone::Phone},
    store::{
        auth_tokens,
        bills::{self, BillFilter, BillRow},
        customers::{self, CustomerRow},
        invoices::{self, InvoiceRow},
        packages::{self, PackageRow},
        payments::{self, PaymentRow},
        portal::{self, CustomerAuthRow, NewOtp},
        routers,
        sms::{self, Limits},
        StoreError,
    },
};

use super::{Ctx, Error, OpResult};

/// Why no login code is sent (no SMS credits, or the day's cap reached).
const CODES_UNAVAILABLE: &str = "Login codes cannot be sent right now; log in with your password.";

/// A one-time code lives five minutes and takes five wrong guesses.
pub const OTP_TTL_SECS: i64 = 300;
const OTP_MAX_GUESSES: i64 = 5;
/// At most three codes per number and twenty per address in a quarter hour.
const OTP_WINDOW_SECS: i64 = 15 * 60;
const OTP_PER_PHONE: i64 = 3;
const OTP_PER_ADDRESS: i64 = 20;

/// The keys and limits customer logins use (cheap to clone).
#[derive(Clone)]
pub struct PortalKeys {
    pub signer: Arc<TokenSigner>,
    pub pin: Arc<JwtKey>,
    pub seal: Arc<SealKey>,
    pub throttle: Arc<LoginThrottle>,
    pub hash_pool: Arc<HashPool>,
}

/// A customer's token and who they are.
#[derive(Debug, Clone)]
pub struct CustomerToken {
    pub customer_id: i64,
    pub token: SignedToken,
    pub reach: Reach,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

fn refused(r: Refused) -> Error {
    match r {
        Refused::TooMany { wait, what } => Error::TooMany {
            wait,
            message: format!("Too many {what}. Try again in {wait} seconds."),
        },
        Refused::Busy(_) => Error::Busy(
            "Too many sign-ins are being checked right now. Try again in a moment.".into(),
        ),
        // Customers have no second factor: the staff-only refusals do not arise.
        Refused::Invalid | Refused::OtpRequired | Refused::OtpInvalid => {
            Error::Unauthenticated("This login name and password do not match.".into())
        }
        Refused::Failed(e) => internal(e),
    }
}

fn issue(
    ctx: &Ctx,
    keys: &PortalKeys,
    c: &CustomerAuthRow,
    reach: Reach,
) -> OpResult<CustomerToken> {
    let token = keys
        .signer
        .issue_customer(c.id, c.portal_auth_version, reach, ctx.clock.now())
        .map_err(internal)?;
    Ok(CustomerToken {
        customer_id: c.id,
        token,
        reach,
    })
}

/// Logs a customer in with their login name and password.
pub async fn login(
    ctx: &Ctx,
    keys: &PortalKeys,
    address: &str,
    username: String,
    password: String,
) -> OpResult<CustomerToken> {
    let guard = CustomerGuard {
        db: ctx.db.clone(),
        seal: keys.seal.clone(),
        throttle: keys.throttle.clone(),
        hash_pool: keys.hash_pool.clone(),
        now: ctx.clock.now(),
    };
    let c = customer_login::check_password(guard, address, username, password)
        .await
        .map_err(refused)?;
    issue(ctx, keys, &c, Reach::Full)
}

/// The customer a token stands for, if it is still good: the customer
/// exists and their password has not changed since it was issued.
pub async fn authenticate(
    ctx: &Ctx,
    signer: &TokenSigner,
    token: &str,
) -> OpResult<CustomerClaims> {
    let bad =
        || Error::Unauthenticated("The token is missing, invalid, expired or revoked.".into());
    let claims = signer
        .verify_customer(token, ctx.clock.now())
        .map_err(|e: TokenError| {
            tracing::debug!(reason = %e, "customer token refused");
            bad()
        })?;
    let id = claims.customer_id;
    let revoked_id = revoked_id(&claims.jti);
    let (found, revoked) = ctx
        .db
        .read_async(move |c| {
            Ok((
                portal::auth_of(c, id)?,
                auth_tokens::is_jti_revoked(c, &revoked_id)?,
            ))
        })
        .await?;
    match found {
        Some(c) if c.portal_auth_version == claims.version && !revoked => Ok(claims),
        _ => Err(bad()),
    }
}

/// A customer token's id as kept among revoked tokens (apart from staff
/// and client token ids).
fn revoked_id(jti: &str) -> String {
    format!("customer:{jti}")
}

/// Logs out: the token stops working at once (the customer's other
/// sessions go on).
pub async fn logout(ctx: &Ctx, claims: &CustomerClaims) -> OpResult<()> {
    let (jti, expires_at) = (revoked_id(&claims.jti), claims.expires_at);
    ctx.db
        .write_async(move |tx| auth_tokens::revoke_jti(tx, &jti, expires_at))
        .await?;
    Ok(())
}

fn phone_of(text: &str) -> OpResult<(String, Phone)> {
    let phone = Phone::parse(text).map_err(|why| Error::invalid("phone", why))?;
    let local = normalise_phone(text).unwrap_or_else(|| phone.display());
    Ok((local, phone))
}

fn otp_hash(keys: &PortalKeys, phone: &str, code: &str) -> String {
    hmac_sha256_hex(keys.pin.bytes(), &format!("customer-otp:{phone}:{code}"))
}

/// What asking for a code answers: always the same, whether or not the
/// number is a customer's (a stranger learns nothing).
#[derive(Debug, Clone, Copy)]
pub struct OtpSent {
    pub expires_in: i64,
}

/// Sends a one-time code to a customer's number (charged to the ISP's SMS
/// credits), within the limits per number and per address.
pub async fn request_otp(
    ctx: &Ctx,
    keys: &PortalKeys,
    address: String,
    phone_text: String,
) -> OpResult<OtpSent> {
    let (phone, e164) = phone_of(&phone_text)?;
    let now = ctx.clock.now();
    let stamp = format_timestamp(now);
    let since = format_timestamp(now - Duration::seconds(OTP_WINDOW_SECS));
    let day_ago = format_timestamp(now - Duration::days(1));
    let expires = format_timestamp(now + Duration::seconds(OTP_TTL_SECS));
    let code = random_digits(6).map_err(internal)?;
    let code_hash = otp_hash(keys, &phone, &code);
    let message_id = new_message_id().map_err(internal)?;
    let isp = ctx.config.isp.name.clone();
    let text = if ctx.config.sms.notifications.language == "bn" {
        format!("{isp}: আপনার লগইন কোড {code}। ৫ মিনিট বৈধ। কাউকে জানাবেন না।")
    } else {
        format!("{isp}: your login code is {code}. It is valid for 5 minutes. Do not share it.")
    };
    let sms = outgoing::prepare(
        ctx.config.sms.max_parts,
        message_id,
        &e164,
        &text,
        outgoing::Origin {
            source: "otp",
            broadcast_id: None,
            requested_by: "portal",
        },
    )
    .map_err(internal)?;
    let day = day_start(now, ctx.config.isp.offset());
    let cap = ctx.config.sms.daily_credit_cap;
    let window = OTP_WINDOW_SECS;
    let wait_from = move |oldest: Option<String>| -> u64 {
        oldest
            .and_then(|o| crate::clock::parse_timestamp(&o))
            .map(|o| (o + Duration::seconds(window) - now).whole_seconds().max(1))
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(1)
    };
    let outcome = ctx
        .db
        .write_async(move |tx| {
            // Codes older than a day count for nothing any more.
            portal::prune_otps(tx, &day_ago)?;
            let counts = portal::otp_counts(tx, &phone, &address, &since)?;
            if counts.phone >= OTP_PER_PHONE {
                return Ok(Err(("codes for this number", counts.phone_oldest)));
            }
            if counts.address >= OTP_PER_ADDRESS {
                return Ok(Err((
                    "codes asked from this address",
                    counts.address_oldest,
                )));
            }
            // No code can go out now (no credits, or the day's cap): the
            // same answer for every number, so it tells nobody whose it is.
            let limits = Limits {
                daily_cap: cap,
                day_start: &day,
            };
            if sms::refusal(tx, limits, sms.parts)?.is_some() {
                return Err(StoreError::Busy(CODES_UNAVAILABLE.into()));
            }
            let customers = portal::by_phone(tx, &phone)?;
            let sent = !customers.is_empty();
            portal::insert_otp(
                tx,
                &NewOtp {
                    phone: &phone,
                    address: &address,
                    code_hash: &code_hash,
                    sent,
                    expires_at: &expires,
                },
                &stamp,
            )?;
            if sent {
                let mut sms = sms;
                sms.customer_id = customers.first().map(|c| c.id);
                let due = now.unix_timestamp();
                sms::queue(tx, &[sms], limits, "phone", due, &stamp)?;
            }
            Ok(Ok(()))
        })
        .await;
    match outcome {
        Ok(Ok(())) => Ok(OtpSent {
            expires_in: OTP_TTL_SECS,
        }),
        Ok(Err((what, oldest))) => {
            let wait = wait_from(oldest);
            Err(Error::TooMany {
                wait,
                message: format!("Too many {what}. Try again in {wait} seconds."),
            })
        }
        Err(StoreError::Busy(msg)) if msg.starts_with("Login codes") => {
            Err(Error::Unavailable(msg))
        }
        Err(e) => Err(e.into()),
    }
}

/// Logs a customer in with the code sent to their number. A number shared by
/// several customers needs the login name too (the answer lists them).
pub async fn verify_otp(
    ctx: &Ctx,
    keys: &PortalKeys,
    phone_text: String,
    code: String,
    username: Option<String>,
) -> OpResult<CustomerToken> {
    let (phone, _) = phone_of(&phone_text)?;
    let now = ctx.clock.now();
    let stamp = format_timestamp(now);
    let given = otp_hash(keys, &phone, code.trim());
    enum Verdict {
        Wrong,
        Choose(Vec<String>),
        Customer(Box<CustomerAuthRow>),
    }
    let verdict = ctx
        .db
        .write_async(move |tx| {
            let Some(otp) = portal::live_otp(tx, &phone, &stamp)? else {
                return Ok(Verdict::Wrong);
            };
            if otp.attempts >= OTP_MAX_GUESSES
                || !constant_time_eq(otp.code_hash.as_bytes(), given.as_bytes())
            {
                portal::otp_wrong(tx, otp.id)?;
                return Ok(Verdict::Wrong);
            }
            let customers = portal::by_phone(tx, &phone)?;
            let chosen: Vec<CustomerAuthRow> = match &username {
                Some(u) => customers
                    .iter()
                    .filter(|c| c.username.as_deref() == Some(u.trim()))
                    .cloned()
                    .collect(),
                None => customers.clone(),
            };
            match chosen.as_slice() {
                [one] => {
                    portal::otp_used(tx, otp.id, &stamp)?;
                    Ok(Verdict::Customer(Box::new(one.clone())))
                }
                _ => Ok(Verdict::Choose(
                    customers
                        .iter()
                        .map(|c| c.username.clone().unwrap_or_else(|| format!("#{}", c.id)))
                        .collect(),
                )),
            }
        })
        .await?;
    match verdict {
        Verdict::Wrong => Err(Error::Unauthenticated(
            "The code is wrong or has expired. Ask for a new one.".into(),
        )),
        Verdict::Choose(names) if names.is_empty() => Err(Error::Unauthenticated(
            "The code is wrong or has expired. Ask for a new one.".into(),
        )),
        Verdict::Choose(names) => Err(Error::invalid(
            "username",
            format!(
                "This number has several accounts ({}); send the login name too.",
                names.join(", ")
            ),
        )),
        Verdict::Customer(c) => issue(ctx, keys, &c, Reach::Full),
    }
}

/// A payment-only token for a customer proven another way (their address on
/// the suspension page, a signed link).
pub async fn pay_token(ctx: &Ctx, keys: &PortalKeys, customer_id: i64) -> OpResult<CustomerToken> {
    let c = ctx
        .db
        .read_async(move |c| portal::auth_of(c, customer_id))
        .await?
        .ok_or(Error::NotFound)?;
    issue(ctx, keys, &c, Reach::Pay)
}

/// What the customer sees of themself.
#[derive(Debug, Clone)]
pub struct Profile {
    pub customer: CustomerRow,
    pub package: Option<PackageRow>,
    pub router_name: Option<String>,
    pub due: Money,
    pub open_bills: i64,
    pub has_portal_password: bool,
}

pub async fn profile(ctx: &Ctx, customer_id: i64) -> OpResult<Profile> {
    Ok(ctx
        .db
        .read_async(move |c| {
            let customer =
                customers::get(c, customer_id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
            let package = match customer.package_id {
                Some(p) => packages::get(c, p)?,
                None => None,
            };
            let router_name = match customer.router_id {
                Some(r) => routers::get(c, r)?.map(|r| r.name),
                None => None,
            };
            let (due, open_bills) = portal::due_of(c, customer_id)?;
            let auth = portal::auth_of(c, customer_id)?.ok_or(StoreError::NotFound)?;
            Ok(Profile {
                customer,
                package,
                router_name,
                due,
                open_bills,
                has_portal_password: auth.portal_password_hash.is_some(),
            })
        })
        .await?)
}

/// A page of the customer's bills (newest first), optionally open ones only.
pub async fn bills(
    ctx: &Ctx,
    customer_id: i64,
    status: Option<String>,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<BillRow>, u64)> {
    let filter = BillFilter {
        customer_id: Some(customer_id),
        status,
        ..BillFilter::default()
    };
    Ok(ctx
        .db
        .read_async(move |c| bills::list(c, &filter, Visibility::ALL, limit, offset))
        .await?)
}

/// A page of the customer's payments, newest first.
pub async fn payments(
    ctx: &Ctx,
    customer_id: i64,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<PaymentRow>, u64)> {
    Ok(ctx
        .db
        .read_async(move |c| payments::list(c, Some(customer_id), Visibility::ALL, limit, offset))
        .await?)
}

/// A page of the customer's invoices, newest first.
pub async fn invoices(
    ctx: &Ctx,
    customer_id: i64,
    limit: i64,
    offset: i64,
) -> OpResult<(Vec<InvoiceRow>, u64)> {
    Ok(ctx
        .db
        .read_async(move |c| invoices::list(c, Some(customer_id), Visibility::ALL, limit, offset))
        .await?)
}

/// One of the customer's invoices with its bills and payments.
pub async fn invoice(
    ctx: &Ctx,
    customer_id: i64,
    id: i64,
) -> OpResult<(InvoiceRow, Vec<BillRow>, Vec<PaymentRow>)> {
    Ok(ctx
        .db
        .read_async(move |c| {
            let inv = invoices::of_customer(c, customer_id, id)?.ok_or(StoreError::NotFound)?;
            let mut bill_rows = Vec::new();
            for b in &inv.bill_ids {
                bill_rows.extend(bills::get(c, *b, Visibility::ALL)?);
            }
            let mut payment_rows = Vec::new();
            for p in &inv.payment_ids {
                payment_rows.extend(payments::get(c, *p, Visibility::ALL)?);
            }
            Ok((inv, bill_rows, payment_rows))
        })
        .await?)
}

/// Sets the customer's portal password (their router login is unchanged);
/// every other session of theirs ends. Answers a new token for this one.
pub async fn change_password(
    ctx: &Ctx,
    keys: &PortalKeys,
    customer_id: i64,
    address: &str,
    current: String,
    new: String,
) -> OpResult<CustomerToken> {
    if new.chars().count() < 8 {
        return Err(Error::invalid(
            "new_password",
            "The new password must be at least 8 characters.",
        ));
    }
    if new.chars().count() > 128 {
        return Err(Error::invalid(
            "new_password",
            "The new password must be at most 128 characters.",
        ));
    }
    let me = ctx
        .db
        .read_async(move |c| portal::auth_of(c, customer_id))
        .await?
        .ok_or(Error::NotFound)?;
    let username = me.username.clone().unwrap_or_default();
    // The current password is checked as a login is (throttled).
    let guard = CustomerGuard {
        db: ctx.db.clone(),
        seal: keys.seal.clone(),
        throttle: keys.throttle.clone(),
        hash_pool: keys.hash_pool.clone(),
        now: ctx.clock.now(),
    };
    let checked = customer_login::check_password(guard, address, username, current).await;
    match checked {
        Ok(c) if c.id == customer_id => {}
        Ok(_) | Err(Refused::Invalid) => {
            return Err(Error::invalid(
                "current_password",
                "The current password is wrong.",
            ))
        }
        Err(other) => return Err(refused(other)),
    }
    let permit = keys.hash_pool.try_permit().map_err(|_| {
        Error::Busy("Too many passwords are being checked right now. Try again in a moment.".into())
    })?;
    let hash = keys
        .hash_pool
        .hash(permit, new)
        .await
        .map_err(internal)?
        .map_err(internal)?;
    let now = ctx.now_text();
    let version = ctx
        .db
        .write_async(move |tx| portal::set_portal_password(tx, customer_id, &hash, &now))
        .await?;
    let me = CustomerAuthRow {
        portal_auth_version: version,
        ..me
    };
    issue(ctx, keys, &me, Reach::Full)
}

/// What the suspension page shows the customer it recognised by address:
/// no history and no personal details beyond a greeting, only what is due
/// and a payment-only token to pay it with.
#[derive(Debug, Clone)]
pub struct Recognised {
    pub known_by: portal::KnownBy,
    pub first_name: String,
    pub status: String,
    pub reason: Option<String>,
    pub due: Money,
    pub open_bills: Vec<BillRow>,
    /// The bill a payment link was made for.
    pub bill_id: Option<i64>,
    pub token: CustomerToken,
}

/// The customer whose traffic comes from `address` (an open RADIUS session,
/// the router's active list polled in the last half hour, a static
/// address); not found when none.
pub async fn recognise(ctx: &Ctx, keys: &PortalKeys, address: String) -> OpResult<Recognised> {
    let since = format_timestamp(ctx.clock.now() - Duration::minutes(30));
    let found = ctx
        .db
        .read_async(move |c| portal::customer_by_address(c, &address, &since))
        .await?;
    let Some((id, known_by)) = found else {
        return Err(Error::NotFound);
    };
    recognised(ctx, keys, id, known_by, None).await
}

/// What the suspension page shows of customer `id` (known by an address or
/// a payment link for `bill_id`).
pub(super) async fn recognised(
    ctx: &Ctx,
    keys: &PortalKeys,
    id: i64,
    known_by: portal::KnownBy,
    bill_id: Option<i64>,
) -> OpResult<Recognised> {
    let (customer, due, reason, open_bills) = ctx
        .db
        .read_async(move |c| {
            let customer = customers::get(c, id, Visibility::ALL)?.ok_or(StoreError::NotFound)?;
            let (due, _) = portal::due_of(c, id)?;
            let reason = portal::suspension_reason(c, id)?;
            let filter = BillFilter {
                customer_id: Some(id),
                ..BillFilter::default()
            };
            let (bill_rows, _) = bills::list(c, &filter, Visibility::ALL, 50, 0)?;
            let open: Vec<BillRow> = bill_rows
                .into_iter()
                .filter(|b| matches!(b.status.as_str(), "unpaid" | "partial"))
                .collect();
            Ok((customer, due, reason, open))
        })
        .await?;
    let token = pay_token(ctx, keys, customer.id).await?;
    Ok(Recognised {
        known_by,
        first_name: customer
            .name
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
        status: customer.status,
        reason,
        due,
        open_bills,
        bill_id,
        token,
    })
}

/// Files a complaint about the customer's own connection.
pub async fn complain(
    ctx: &Ctx,
    customer_id: i64,
    subject: String,
    body: Option<String>,
) -> OpResult<crate::store::complaints::ComplaintRow> {
    let patch = crate::contract::complaints::ComplaintPatch {
        customer_id: Some(customer_id),
        subject: Some(subject),
        body,
        ..Default::default()
    };
    super::complaints::create(ctx, &super::Caller::customer(customer_id), patch).await
}

/// The customer's complaints, newest first.
pub async fn complaints(
    ctx: &Ctx,
    customer_id: i64,
    page: crate::contract::pagination::PageRequest,
) -> OpResult<(Vec<crate::store::complaints::ComplaintRow>, u64)> {
    let filter = crate::store::complaints::ComplaintFilter {
        customer_id: Some(customer_id),
        ..Default::default()
    };
    super::complaints::list(ctx, &super::Caller::customer(customer_id), filter, page).await
}

/// The customer's usage samples and RADIUS sessions.
pub async fn usage(
    ctx: &Ctx,
    customer_id: i64,
) -> OpResult<(
    Vec<crate::store::router_data::Sample>,
    Vec<crate::store::radius_sessions::SessionRow>,
)> {
    super::routers::usage(ctx, &super::Caller::customer(customer_id), customer_id).await
}
