//! Two-factor login for staff: time-based one-time passwords (TOTP, RFC 6238:
//! HMAC-SHA-1, 30-second steps, 6 digits, as authenticator apps expect), the
//! QR code and manual key that enrol an app, and one-time recovery codes.
//! The code arithmetic is the `totp-rs` crate's; this module adds the step a
//! code belongs to (so each code is accepted once), and the recovery codes.

use qrcode::{render::svg, EcLevel, QrCode};
use totp_rs::{Algorithm, TOTP};

use super::secrets::{constant_time_eq, sha256_hex};

/// Seconds per step.
pub const STEP_SECS: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// Steps either side of now that are still accepted (clock drift, typing).
pub const SKEW_STEPS: u64 = 1;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// The purpose a TOTP secret is sealed under.
pub const SEAL_PURPOSE: &str = "staff-totp";

/// A new random secret.
pub fn new_secret() -> Result<Vec<u8>, getrandom::Error> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// The TOTP of a secret; `issuer` and `account` only label it in the app
/// (a `:` would split the label, so it becomes a space).
fn totp(secret: &[u8], issuer: &str, account: &str) -> TOTP {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        SKEW_STEPS as u8,
        STEP_SECS,
        secret.to_vec(),
        Some(issuer.replace(':', " ")),
        account.replace(':', " "),
    )
}

/// The secret in base32 without padding, for typing into an app.
pub fn manual_key(secret: &[u8]) -> String {
    totp(secret, "", "").get_secret_base32()
}

/// The `otpauth://totp/...` address an app reads from the QR code.
pub fn otpauth_url(secret: &[u8], issuer: &str, account: &str) -> String {
    totp(secret, issuer, account).get_url()
}

/// The code of the step holding `unix_secs`.
pub fn code_at(secret: &[u8], unix_secs: u64) -> String {
    totp(secret, "", "").generate(unix_secs)
}

/// The step (unix seconds / 30) whose code `code` is, within [`SKEW_STEPS`]
/// of `unix_secs`; `None` when it is none of them. Spaces in the code are
/// ignored.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret, "", "");
    let now = unix_secs / STEP_SECS;
    let mut found = None;
    // Every candidate is compared, so the time taken does not tell which.
    for step in now.saturating_sub(SKEW_STEPS)..=now + SKEW_STEPS {
        if constant_time_eq(t.generate(step * STEP_SECS).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

/// The QR code of `text` as an SVG image (drawn here: no outside service).
pub fn qr_svg(text: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| e.to_string())?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// New recovery codes: 16 characters (about 79 bits) as `xxxx-xxxx-xxxx-xxxx`,
/// from letters and digits that cannot be mistaken for each other.
pub fn new_recovery_codes() -> Result<Vec<String>, getrandom::Error> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut raw = [0u8; 16];
        getrandom::fill(&mut raw)?;
        let mut code = String::with_capacity(19);
        for (i, b) in raw.iter().enumerate() {
            if i > 0 && i % 4 == 0 {
                code.push('-');
            }
            // 256 % 31 leaves a bias of under 1 %: a code's strength stays
            // near 79 bits.
            code.push(RECOVERY_ALPHABET[*b as usize % RECOVERY_ALPHABET.len()] as char);
        }
        codes.push(code);
    }
    Ok(codes)
}

/// A recovery code as typed, reduced to its characters (case, dashes and
/// spaces do not matter); `None` when it cannot be one.
pub fn normalize_recovery(code: &str) -> Option<String> {
    let plain: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (plain.len() == 16 && plain.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))).then_some(plain)
}

/// The stored form of a user's recovery code.
pub fn recovery_hash(user_id: i64, normalized: &str) -> String {
    sha256_hex(&format!("staff-recovery:{user_id}:{normalized}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 key, with the 6 low digits of each 8-digit value.
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59u64, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(code_at(secret, time), eight[2..], "time {time}");
        }
    }

    #[test]
    fn a_code_names_its_step_within_one_step_either_side() {
        let secret = b"12345678901234567890";
        let code = code_at(secret, 1111111109);
        let step = 1111111109 / 30;
        assert_eq!(matching_step(secret, &code, 1111111109), Some(step));
        assert_eq!(matching_step(secret, &code, 1111111109 + 30), Some(step));
        assert_eq!(matching_step(secret, &code, 1111111109 - 30), Some(step));
        assert_eq!(matching_step(secret, &code, 1111111109 + 90), None);
        assert_eq!(matching_step(secret, "12345", 1111111109), None);
        assert_eq!(matching_step(secret, "abcdef", 1111111109), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(secret, &spaced, 1111111109), Some(step));
    }

    #[test]
    fn the_enrolment_address_and_key_are_what_apps_read() {
        let secret = b"12345678901234567890";
        assert_eq!(manual_key(secret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let url = otpauth_url(secret, "Net: One", "a@b.c");
        assert!(
            url.starts_with("otpauth://totp/Net%20%20One:a%40b.c?"),
            "{url}"
        );
        assert!(
            url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{url}"
        );
        let svg = qr_svg(&url).unwrap();
        assert!(svg.contains("<svg") && svg.contains("#000000"), "{svg}");
    }

    #[test]
    fn recovery_codes_are_distinct_and_read_back_however_typed() {
        let codes = new_recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert_eq!(code.len(), 19);
        let plain = normalize_recovery(code).unwrap();
        assert_eq!(
            normalize_recovery(&code.to_uppercase()),
            Some(plain.clone())
        );
        assert_eq!(normalize_recovery(&plain), Some(plain.clone()));
        assert_eq!(normalize_recovery("0000-0000-0000-0000"), None);
        assert_ne!(recovery_hash(1, &plain), recovery_hash(2, &plain));
    }
}
