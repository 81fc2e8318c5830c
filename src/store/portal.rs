//! What the customer portal reads and writes about the customer themself:
//! their credentials (the sealed login password, a portal password of their
//! own, the version that ends other sessions), one-time codes, and what they
//! owe.

use rusqlite::params;

use super::{
    rows::{self, record},
    sql::{Connection, OptionalExtension, Transaction},
    StoreError,
};
use crate::domain::money::Money;

record! {
    /// A customer as a login sees them.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CustomerAuthRow in c {
        pub id: i64,
        pub name: String,
        pub phone: String,
        pub username: Option<String>,
        pub status: String,
        pub login_password_sealed: Option<String>,
        pub portal_password_hash: Option<String>,
        pub portal_auth_version: i64,
    }
}

/// The customers with this login name (one per router at most).
pub fn by_username(conn: &Connection, username: &str) -> Result<Vec<CustomerAuthRow>, StoreError> {
    rows::all(
        conn,
        "FROM customers c WHERE c.username = ?1 ORDER BY c.id",
        [username],
    )
}

/// The customers with this (normalised) phone number.
pub fn by_phone(conn: &Connection, phone: &str) -> Result<Vec<CustomerAuthRow>, StoreError> {
    rows::all(
        conn,
        "FROM customers c WHERE c.phone = ?1 ORDER BY c.id",
        [phone],
    )
}

/// One customer's credentials.
pub fn auth_of(conn: &Connection, id: i64) -> Result<Option<CustomerAuthRow>, StoreError> {
    rows::one(conn, "FROM customers c WHERE c.id = ?1", [id])
}

/// Sets the customer's portal password and bumps the version in their
/// tokens; answers the new version.
pub fn set_portal_password(
    tx: &Transaction<'_>,
    id: i64,
    hash: &str,
    now: &str,
) -> Result<i64, StoreError> {
    rows::value(
        tx,
        "UPDATE customers SET portal_password_hash = ?2, \
         portal_auth_version = portal_auth_version + 1, updated_at = ?3 \
         WHERE id = ?1 RETURNING portal_auth_version",
        params![id, hash, now],
    )
}

/// What a customer owes: the open part of their unpaid and partly paid
/// bills, and how many there are.
pub fn due_of(conn: &Connection, customer_id: i64) -> Result<(Money, i64), StoreError> {
    let (due, n): (i64, i64) = conn.query_row(
        "SELECT COALESCE(CAST(SUM(amount_minor - paid_minor) AS BIGINT), 0), COUNT(*) \
         FROM bills WHERE customer_id = ?1 AND status IN ('unpaid', 'partial')",
        [customer_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((Money(due), n))
}

record! {
    /// A one-time login code as kept: its keyed hash only.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct OtpRow in o {
        pub id: i64,
        pub phone: String,
        pub code_hash: String,
        pub expires_at: String,
        pub attempts: i64,
        pub used_at: Option<String>,
    }
}

/// Codes asked for since `since`: for this number, and from this address;
/// with the oldest of each (to say when the next is allowed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OtpCounts {
    pub phone: i64,
    pub phone_oldest: Option<String>,
    pub address: i64,
    pub address_oldest: Option<String>,
}

pub fn otp_counts(
    conn: &Connection,
    phone: &str,
    address: &str,
    since: &str,
) -> Result<OtpCounts, StoreError> {
    let (phone_n, phone_oldest): (i64, Option<String>) = conn.query_row(
        "SELECT COUNT(*), MIN(created_at) FROM customer_otps WHERE phone = ?1 AND created_at > ?2",
        params![phone, since],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (address_n, address_oldest): (i64, Option<String>) = conn.query_row(
        "SELECT COUNT(*), MIN(created_at) FROM customer_otps WHERE address = ?1 AND created_at > ?2",
        params![address, since],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(OtpCounts {
        phone: phone_n,
        phone_oldest,
        address: address_n,
        address_oldest,
    })
}

/// A code asked for (`sent`: the number is a customer's, so an SMS went).
pub struct NewOtp<'a> {
    pub phone: &'a str,
    pub address: &'a str,
    pub code_hash: &'a str,
    pub sent: bool,
    pub expires_at: &'a str,
}

pub fn insert_otp(tx: &Transaction<'_>, o: &NewOtp<'_>, now: &str) -> Result<(), StoreError> {
    rows::execute(
        tx,
        "INSERT INTO customer_otps (phone, address, code_hash, sent, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            o.phone,
            o.address,
            o.code_hash,
            i64::from(o.sent),
            now,
            o.expires_at
        ],
    )?;
    Ok(())
}

/// The newest code sent to this number that is unused and unexpired (only
/// the newest counts: asking again replaces the one before).
pub fn live_otp(
    tx: &Transaction<'_>,
    phone: &str,
    now: &str,
) -> Result<Option<OtpRow>, StoreError> {
    let newest: Option<OtpRow> = rows::one(
        tx,
        "FROM customer_otps o WHERE o.phone = ?1 AND o.sent = 1 \
         ORDER BY o.id DESC LIMIT 1",
        [phone],
    )?;
    Ok(newest.filter(|o| o.used_at.is_none() && o.expires_at.as_str() > now))
}

/// Counts a wrong guess at a code.
pub fn otp_wrong(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    rows::execute(
        tx,
        "UPDATE customer_otps SET attempts = attempts + 1 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// Uses a code up.
pub fn otp_used(tx: &Transaction<'_>, id: i64, now: &str) -> Result<(), StoreError> {
    rows::execute(
        tx,
        "UPDATE customer_otps SET used_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Forgets codes asked for before `before` (they count for nothing).
pub fn prune_otps(tx: &Transaction<'_>, before: &str) -> Result<usize, StoreError> {
    rows::execute(
        tx,
        "DELETE FROM customer_otps WHERE created_at < ?1",
        [before],
    )
}

/// How a customer was known by their address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownBy {
    RadiusSession,
    RouterActive,
    StaticIp,
    /// Not an address: a payment link.
    PaymentLink,
}

impl KnownBy {
    pub fn as_str(self) -> &'static str {
        match self {
            KnownBy::RadiusSession => "radius_session",
            KnownBy::RouterActive => "router_active",
            KnownBy::StaticIp => "static_ip",
            KnownBy::PaymentLink => "payment_link",
        }
    }
}

/// The customer whose traffic comes from `address`: the newest open RADIUS
/// session with it that accounting touched since `polled_since` (one the
/// router never closed is not believed for ever), else the newest router
/// poll since then that saw a customer online with it, else the customer it
/// is the static address of.
pub fn customer_by_address(
    conn: &Connection,
    address: &str,
    polled_since: &str,
) -> Result<Option<(i64, KnownBy)>, StoreError> {
    let session: Option<i64> = conn
        .prepare_cached(
            "SELECT customer_id FROM radius_sessions WHERE framed_ip = ?1 AND stopped_at IS NULL \
             AND customer_id IS NOT NULL AND updated_at >= ?2 \
             ORDER BY started_at DESC, id DESC LIMIT 1",
        )?
        .query_row(params![address, polled_since], |r| r.get(0))
        .optional()?;
    if let Some(id) = session {
        return Ok(Some((id, KnownBy::RadiusSession)));
    }
    let polled: Option<i64> = conn
        .prepare_cached(
            "SELECT customer_id FROM usage_samples WHERE address = ?1 AND online = 1 \
             AND sampled_at >= ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![address, polled_since], |r| r.get(0))
        .optional()?;
    if let Some(id) = polled {
        return Ok(Some((id, KnownBy::RouterActive)));
    }
    let fixed: Option<i64> = conn
        .prepare_cached("SELECT id FROM customers WHERE static_ip = ?1 LIMIT 1")?
        .query_row([address], |r| r.get(0))
        .optional()?;
    Ok(fixed.map(|id| (id, KnownBy::StaticIp)))
}

/// Why the billing run suspended the customer, while it stands.
pub fn suspension_reason(
    conn: &Connection,
    customer_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT reason FROM auto_suspension_log WHERE customer_id = ?1 \
             AND reactivated_at IS NULL ORDER BY id DESC LIMIT 1",
        )?
        .query_row([customer_id], |r| r.get(0))
        .optional()?)
}
