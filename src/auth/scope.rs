//! Scopes of API clients (API.md): what a token may do. A valid token without the
//! scope an operation needs gets 403. Operations declare their scopes in the
//! OpenAPI document, and the API gate enforces exactly what the document says.

use std::fmt;

use poem_openapi::OAuthScopes;

/// One permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, OAuthScopes)]
pub enum Scope {
    /// Read the dashboards.
    #[oai(rename = "dashboard:read")]
    DashboardRead,
    /// Read customers and their subscriptions and usage.
    #[oai(rename = "customers:read")]
    CustomersRead,
    /// Create, change, suspend and delete customers.
    #[oai(rename = "customers:write")]
    CustomersWrite,
    /// Read bills, invoices, payments and subscriptions.
    #[oai(rename = "billing:read")]
    BillingRead,
    /// Create bills and record payments.
    #[oai(rename = "billing:write")]
    BillingWrite,
    /// Read routers, OLTs, ONUs and IP pools.
    #[oai(rename = "network:read")]
    NetworkRead,
    /// Change network inventory.
    #[oai(rename = "network:write")]
    NetworkWrite,
    /// Read monitoring data.
    #[oai(rename = "monitoring:read")]
    MonitoringRead,
    /// Read SMS history and balance.
    #[oai(rename = "sms:read")]
    SmsRead,
    /// Send SMS.
    #[oai(rename = "sms:send")]
    SmsSend,
    /// Read operators (resellers).
    #[oai(rename = "operators:read")]
    OperatorsRead,
    /// Change and fund operators.
    #[oai(rename = "operators:write")]
    OperatorsWrite,
    /// Read VPN accounts and download their configs.
    #[oai(rename = "vpn:read")]
    VpnRead,
    /// Read logs, including the API request log.
    #[oai(rename = "logs:read")]
    LogsRead,
    /// Manage webhooks.
    #[oai(rename = "webhooks:manage")]
    WebhooksManage,
    /// Create, change and delete packages (the ISP's catalogue).
    #[oai(rename = "packages:write")]
    PackagesWrite,
    /// Generate recharge cards and assign batches to operators (the ISP only).
    #[oai(rename = "cards:write")]
    CardsWrite,
    /// Scrape `/metrics` (Prometheus).
    #[oai(rename = "metrics:read")]
    MetricsRead,
    /// Manage staff users (create, change role, disable, set password). Only
    /// administrators' panel sessions use it; API clients are refused.
    #[oai(rename = "staff:manage")]
    StaffManage,
}

impl Scope {
    pub const ALL: [Scope; 19] = [
        Scope::DashboardRead,
        Scope::CustomersRead,
        Scope::CustomersWrite,
        Scope::BillingRead,
        Scope::BillingWrite,
        Scope::NetworkRead,
        Scope::NetworkWrite,
        Scope::MonitoringRead,
        Scope::SmsRead,
        Scope::SmsSend,
        Scope::OperatorsRead,
        Scope::OperatorsWrite,
        Scope::VpnRead,
        Scope::LogsRead,
        Scope::WebhooksManage,
        Scope::PackagesWrite,
        Scope::CardsWrite,
        Scope::MetricsRead,
        Scope::StaffManage,
    ];

    pub fn as_str(self) -> &'static str {
        OAuthScopes::name(&self)
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|sc| sc.as_str() == s)
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScopeSet(u32);

impl ScopeSet {
    pub fn all() -> Self {
        Self::from_iter(Scope::ALL)
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn insert(&mut self, scope: Scope) {
        self.0 |= scope.bit();
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// Names, in the canonical order.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Scope::as_str).collect()
    }

    /// Parses names separated by spaces or commas; the unknown ones are returned
    /// as the error.
    pub fn parse(text: &str) -> Result<Self, Vec<String>> {
        let mut set = ScopeSet::default();
        let mut unknown = Vec::new();
        for name in text.split([' ', ',']).filter(|s| !s.is_empty()) {
            match Scope::parse(name) {
                Some(s) => set.insert(s),
                None => unknown.push(name.to_string()),
            }
        }
        if unknown.is_empty() {
            Ok(set)
        } else {
            Err(unknown)
        }
    }

    /// Space-separated names (how the database keeps them).
    pub fn to_text(self) -> String {
        self.names().join(" ")
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<T: IntoIterator<Item = Scope>>(iter: T) -> Self {
        let mut set = ScopeSet::default();
        for s in iter {
            set.insert(s);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_reported() {
        let set = ScopeSet::parse("customers:read,billing:write sms:send").unwrap();
        assert_eq!(set.names(), ["customers:read", "billing:write", "sms:send"]);
        assert_eq!(ScopeSet::parse(&set.to_text()), Ok(set));
        assert_eq!(
            ScopeSet::parse("customers:read nope:x"),
            Err(vec!["nope:x".to_string()])
        );
        assert_eq!(ScopeSet::all().names().len(), Scope::ALL.len());
        assert!(!ScopeSet::default().contains(Scope::LogsRead));
    }
}
