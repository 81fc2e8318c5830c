//! Customers: connection types, statuses, and the rules for phone numbers and
//! ONU MAC addresses.

/// How the customer connects.
pub const CONNECTION_TYPES: [&str; 5] = ["pppoe", "hotspot", "static", "fiber", "wireless"];

/// A customer's state.
pub const STATUSES: [&str; 4] = ["active", "suspended", "inactive", "expired"];

/// Connection types that log in with a username on a router.
pub fn needs_login(connection_type: &str) -> bool {
    matches!(connection_type, "pppoe" | "hotspot")
}

/// Normalises a mobile number: Bangladesh numbers to the local form
/// `01[3-9]XXXXXXXX` (from `01...`, `8801...` or `+8801...`, with spaces or
/// dashes), other E.164 numbers to `+<digits>`. `None` when it is neither.
pub fn normalise_phone(input: &str) -> Option<String> {
    let compact: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let (plus, digits) = match compact.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, compact.as_str()),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let local = if let Some(rest) = digits.strip_prefix("880") {
        Some(format!("0{rest}"))
    } else if !plus && digits.starts_with("01") {
        Some(digits.to_string())
    } else {
        None
    };
    if let Some(local) = local {
        let b = local.as_bytes();
        let bangladesh =
            b.len() == 11 && b[0] == b'0' && b[1] == b'1' && (b'3'..=b'9').contains(&b[2]);
        return bangladesh.then_some(local);
    }
    // Other countries: E.164, a `+`, 8 to 15 digits, not starting with 0.
    let e164 = plus && (8..=15).contains(&digits.len()) && !digits.starts_with('0');
    e164.then(|| format!("+{digits}"))
}

/// Normalises a MAC address to `AA:BB:CC:DD:EE:FF` (accepts `:`, `-`, `.` or no
/// separators, any case).
pub fn normalise_mac(input: &str) -> Option<String> {
    let hex: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect();
    if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let upper = hex.to_ascii_uppercase();
    let pairs: Vec<&str> = (0..6).map(|i| &upper[i * 2..i * 2 + 2]).collect();
    Some(pairs.join(":"))
}

/// A router login name: 1 to 64 of letters, digits and `._-@`.
pub fn valid_username(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bangladesh_numbers_are_stored_in_local_form() {
        for input in [
            "01712345678",
            "+8801712345678",
            "8801712345678",
            "017-1234-5678",
            " 01712 345678 ",
        ] {
            assert_eq!(
                normalise_phone(input).as_deref(),
                Some("01712345678"),
                "{input}"
            );
        }
        for bad in [
            "01212345678",
            "0171234567",
            "017123456789",
            "abc",
            "",
            "+880121234567",
        ] {
            assert_eq!(normalise_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn other_countries_need_e164() {
        assert_eq!(
            normalise_phone("+44 20 7946 0958").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(normalise_phone("+1234567"), None, "too short");
        assert_eq!(normalise_phone("442079460958"), None, "no plus");
    }

    #[test]
    fn macs() {
        for input in [
            "aa:bb:cc:dd:ee:ff",
            "AA-BB-CC-DD-EE-FF",
            "aabb.ccdd.eeff",
            "AABBCCDDEEFF",
        ] {
            assert_eq!(normalise_mac(input).as_deref(), Some("AA:BB:CC:DD:EE:FF"));
        }
        for bad in ["AA:BB:CC:DD:EE", "GG:BB:CC:DD:EE:FF", ""] {
            assert_eq!(normalise_mac(bad), None);
        }
    }

    #[test]
    fn usernames() {
        assert!(valid_username("rafiq.ahmed@dhanmondi"));
        assert!(!valid_username("has space"));
        assert!(!valid_username(""));
    }
}
