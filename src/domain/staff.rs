//! The signed-in admin or moderator, as sessions and tokens resolve them.

use serde::{Deserialize, Serialize};

use super::Role;

/// A signed-in panel user (from a session or an API token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub id: i64,
    pub nickname: String,
    pub role: Role,
}

impl Staff {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Where sign-in leads: the dashboard, for either role.
    pub fn home(&self) -> &'static str {
        "/"
    }
}
