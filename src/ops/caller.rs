//! Who asks for an operation: an API token, a panel session, or the system
//! itself (the command line, background jobs).

use crate::{
    auth::{
        principal::Principal,
        scope::{Scope, ScopeSet},
        tokens::Subject,
    },
    domain::{staff::Role, visibility::Visibility},
};

/// Who acts, as written into events and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A staff user (v1 token or panel session).
    User(i64),
    /// An API client (v2 token).
    Client(i64),
    /// A customer on the portal or the customer API: their own records only.
    Customer(i64),
    /// The appliance itself: the command line on the server, a job.
    System,
}

impl Actor {
    /// `user:N`, `client:N` or `system`.
    pub fn label(&self) -> String {
        match self {
            Actor::User(id) => format!("user:{id}"),
            Actor::Client(id) => format!("client:{id}"),
            Actor::Customer(id) => format!("customer:{id}"),
            Actor::System => "system".to_string(),
        }
    }
}

/// The caller of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub actor: Actor,
    pub scopes: ScopeSet,
    /// For staff: their role.
    pub role: Option<Role>,
    /// Whose customers the caller may see and change.
    pub visibility: Visibility,
    /// The client's address, for a request that came over the network
    /// (written into the audit trail).
    pub source: Option<std::net::IpAddr>,
}

impl Caller {
    /// The appliance itself: every scope, every customer.
    pub fn system() -> Self {
        Self {
            actor: Actor::System,
            scopes: ScopeSet::all(),
            role: None,
            visibility: Visibility::ALL,
            source: None,
        }
    }

    /// A customer acting for themself: no staff scope, and operations are
    /// only ever called with their own id (`ops::portal`).
    pub fn customer(id: i64) -> Self {
        Self {
            actor: Actor::Customer(id),
            scopes: ScopeSet::default(),
            role: None,
            visibility: Visibility::ALL,
            source: None,
        }
    }

    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(scope)
    }

    pub fn label(&self) -> String {
        self.actor.label()
    }

    pub fn user_id(&self) -> Option<i64> {
        match self.actor {
            Actor::User(id) => Some(id),
            _ => None,
        }
    }

    pub fn client_id(&self) -> Option<i64> {
        match self.actor {
            Actor::Client(id) => Some(id),
            _ => None,
        }
    }

    /// Who this caller is in the audit trail.
    pub fn who(&self) -> crate::store::audit::Who {
        crate::store::audit::Who {
            actor: self.label(),
            source: self.source.map(|ip| ip.to_string()),
        }
    }

    /// Refuses a reseller's staff (403 with `message`): what only the ISP's
    /// own side may do.
    pub fn isp_side_only(&self, message: &str) -> Result<(), super::Error> {
        match self.visibility.operator_id {
            Some(_) => Err(super::Error::Forbidden(message.into())),
            None => Ok(()),
        }
    }

    /// The operator a reseller's staff is bound to (None for everyone else).
    pub fn operator_id(&self) -> Option<i64> {
        self.visibility.operator_id
    }
}

impl From<&Principal> for Caller {
    fn from(p: &Principal) -> Self {
        Self {
            actor: match p.subject {
                Subject::User(id) => Actor::User(id),
                Subject::Client(id) => Actor::Client(id),
            },
            scopes: p.scopes,
            role: p.role,
            visibility: p.visibility(),
            source: None,
        }
    }
}
