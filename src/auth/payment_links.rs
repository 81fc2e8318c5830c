//! Payment links: `<customer>-<bill or 0>-<last valid day, YYYYMMDD>-<mac>`,
//! short enough for an SMS. The mac is the first 80 bits (hex) of an HMAC-SHA256,
//! keyed with the appliance's PIN key, over the rest; the link lets its
//! holder pay (a pay-only token) until the end of its last day, nothing
//! more. Nothing is stored: a link is checked by recomputing its mac.

use time::Date;

use super::secrets::{constant_time_eq, hmac_sha256_hex};

/// What a valid link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentLink {
    pub customer_id: i64,
    pub bill_id: Option<i64>,
    /// The last day it can be used (the ISP's local date).
    pub valid_until: Date,
}

fn mac(key: &[u8], body: &str) -> String {
    // 80 bits of the HMAC, in hex (no `-` in it: the code's separator).
    hmac_sha256_hex(key, &format!("payment-link:{body}"))[..20].to_string()
}

fn day_text(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The link's code.
pub fn sign(key: &[u8], link: &PaymentLink) -> String {
    let body = format!(
        "{}-{}-{}",
        link.customer_id,
        link.bill_id.unwrap_or(0),
        day_text(link.valid_until)
    );
    let m = mac(key, &body);
    format!("{body}-{m}")
}

/// What `code` is for, if it was made with `key` and its last day is not
/// before `today`.
pub fn verify(key: &[u8], code: &str, today: Date) -> Option<PaymentLink> {
    if code.len() > 80 {
        return None;
    }
    let (body, given) = code.rsplit_once('-')?;
    let mut parts = body.split('-');
    let customer_id: i64 = parts.next()?.parse().ok()?;
    let bill: i64 = parts.next()?.parse().ok()?;
    let day = parts.next()?;
    if parts.next().is_some() || day.len() != 8 || customer_id <= 0 || bill < 0 {
        return None;
    }
    if !constant_time_eq(mac(key, body).as_bytes(), given.as_bytes()) {
        return None;
    }
    let (y, m, d) = (
        day[..4].parse().ok()?,
        day[4..6].parse::<u8>().ok()?,
        day[6..].parse().ok()?,
    );
    let valid_until = Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    (valid_until >= today).then_some(PaymentLink {
        customer_id,
        bill_id: (bill > 0).then_some(bill),
        valid_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_link_is_good_until_its_last_day_and_only_as_signed() {
        let key = b"0123456789abcdef0123456789abcdef";
        let link = PaymentLink {
            customer_id: 12,
            bill_id: Some(345),
            valid_until: date!(2026 - 12 - 31),
        };
        let code = sign(key, &link);
        assert!(code.starts_with("12-345-20261231-"), "{code}");
        assert!(code.len() <= 40, "{code}");
        assert_eq!(verify(key, &code, date!(2026 - 12 - 31)), Some(link));
        assert_eq!(verify(key, &code, date!(2027 - 01 - 01)), None);
        assert_eq!(verify(b"another key", &code, date!(2026 - 12 - 01)), None);
        // Another customer, bill or day under the same mac: refused.
        let mac = code.rsplit_once('-').unwrap().1;
        for forged in [
            format!("13-345-20261231-{mac}"),
            format!("12-0-20261231-{mac}"),
            format!("12-345-20271231-{mac}"),
            "12-345-20261231".to_string(),
            "garbage".to_string(),
            String::new(),
        ] {
            assert_eq!(
                verify(key, &forged, date!(2026 - 12 - 01)),
                None,
                "{forged}"
            );
        }
        let no_bill = PaymentLink {
            bill_id: None,
            ..link
        };
        let code = sign(key, &no_bill);
        assert!(code.starts_with("12-0-"));
        assert_eq!(verify(key, &code, date!(2026 - 12 - 01)), Some(no_bill));
    }
}
