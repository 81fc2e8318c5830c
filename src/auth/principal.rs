//! Who is calling: the authenticated side of a request, with its scopes and
//! rate tier.

use super::{
    scope::{Scope, ScopeSet},
    tokens::{ApiVersion, Subject},
};
use crate::domain::{staff::Role, visibility::Visibility};

/// Rate tier of an API client (staff tokens are `Standard`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    Standard,
    HighVolume,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::HighVolume => "high-volume",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "standard" => Some(Tier::Standard),
            "high-volume" => Some(Tier::HighVolume),
            _ => None,
        }
    }
}

/// The scopes a staff role brings to its v1 tokens.
pub fn role_scopes(role: Role) -> ScopeSet {
    use Scope::*;
    match role {
        Role::Admin => ScopeSet::all(),
        Role::Support => [
            DashboardRead,
            CustomersRead,
            BillingRead,
            NetworkRead,
            MonitoringRead,
            SmsRead,
            OperatorsRead,
            VpnRead,
            LogsRead,
        ]
        .into_iter()
        .collect(),
        Role::OperatorStaff => [
            DashboardRead,
            CustomersRead,
            CustomersWrite,
            BillingRead,
            BillingWrite,
            SmsRead,
            SmsSend,
            // Its own operator record (balance, status); lists show only that one.
            OperatorsRead,
            // Its customers' VPN accounts and their configs.
            VpnRead,
        ]
        .into_iter()
        .collect(),
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: Subject,
    pub api: ApiVersion,
    pub scopes: ScopeSet,
    pub tier: Tier,
    /// For staff tokens: the user's role.
    pub role: Option<Role>,
    /// For a reseller's staff: the operator whose customers they may see.
    pub operator_id: Option<i64>,
    /// The access token's id and expiry (for revocation).
    pub jti: String,
    pub expires_at: i64,
}

impl Principal {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(scope)
    }

    /// A label for the caller: `client:N` or `user:N`.
    pub fn label(&self) -> String {
        match self.subject {
            Subject::User(id) => format!("user:{id}"),
            Subject::Client(id) => format!("client:{id}"),
        }
    }

    /// Whose customers this caller may see and change: a reseller's staff only
    /// their operator's (none at all if the user is bound to no operator).
    pub fn visibility(&self) -> Visibility {
        Visibility::of_role(self.role, self.operator_id)
    }

    pub fn client_id(&self) -> Option<i64> {
        match self.subject {
            Subject::Client(id) => Some(id),
            Subject::User(_) => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self.subject {
            Subject::User(id) => Some(id),
            Subject::Client(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_parse() {
        assert_eq!(Tier::parse("high-volume"), Some(Tier::HighVolume));
        assert_eq!(Tier::parse("gold"), None);
    }

    #[test]
    fn support_reads_and_operators_do_not_manage_webhooks() {
        assert!(role_scopes(Role::Support).contains(Scope::CustomersRead));
        assert!(!role_scopes(Role::Support).contains(Scope::CustomersWrite));
        assert!(!role_scopes(Role::OperatorStaff).contains(Scope::WebhooksManage));
        assert_eq!(role_scopes(Role::Admin), ScopeSet::all());
    }
}
