//! Who may see whose customers: the reseller boundary.

use super::staff::Role;

/// Whose customers the caller may see: all, or one operator's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Visibility {
    pub operator_id: Option<i64>,
}

impl Visibility {
    pub const ALL: Visibility = Visibility { operator_id: None };

    /// One operator's customers only.
    pub fn operator(operator_id: i64) -> Self {
        Visibility {
            operator_id: Some(operator_id),
        }
    }

    /// Whose customers a staff role may see: a reseller's staff only their
    /// operator's (none at all if bound to no operator), everyone else all.
    pub fn of_role(role: Option<Role>, operator_id: Option<i64>) -> Self {
        match role {
            Some(Role::OperatorStaff) => Visibility {
                operator_id: Some(operator_id.unwrap_or(-1)),
            },
            _ => Visibility::ALL,
        }
    }

    /// True when a customer of `owner` (None: the ISP's own) is visible.
    pub fn sees(&self, owner: Option<i64>) -> bool {
        match self.operator_id {
            None => true,
            Some(op) => owner == Some(op),
        }
    }
}
