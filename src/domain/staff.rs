//! Staff users: the people who log in to the panel and the v1 API.

use std::{fmt, str::FromStr};

/// What a staff user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything.
    Admin,
    /// Staff of an operator (a reseller): only that operator's customers and
    /// their bills and payments. Named `operator_staff` (`operator` is still
    /// read as this role: its name before).
    OperatorStaff,
    /// Read access plus complaints.
    Support,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::OperatorStaff, Role::Support];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::OperatorStaff => "operator_staff",
            Role::Support => "support",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name `operator_staff` had before: still accepted as input.
pub const LEGACY_OPERATOR_STAFF: &str = "operator";

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == LEGACY_OPERATOR_STAFF {
            return Ok(Role::OperatorStaff);
        }
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role `{s}` (expected admin, operator_staff or support)")
            })
    }
}

/// Checks an email address the way the API does: one `@`, a non-empty local
/// part, a dotted domain, no spaces. Returns the trimmed, lower-cased address.
pub fn normalise_email(email: &str) -> Option<String> {
    let email = email.trim();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    valid.then(|| email.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
        assert_eq!("operator".parse::<Role>(), Ok(Role::OperatorStaff));
        assert_eq!(Role::OperatorStaff.to_string(), "operator_staff");
    }

    #[test]
    fn emails_are_checked_and_normalised() {
        assert_eq!(
            normalise_email(" Admin@Example.COM "),
            Some("admin@example.com".into())
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@b.com",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
            "a@b..com",
        ] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
    }
}
