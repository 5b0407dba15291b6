//! Panel roles. Pleroma stores admin and moderator as two flags; the panel
//! only needs the strongest one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Moderator,
    Admin,
}

impl Role {
    /// The panel role of a user with these flags; `None` may not sign in.
    pub fn from_flags(is_admin: bool, is_moderator: bool) -> Option<Role> {
        match (is_admin, is_moderator) {
            (true, _) => Some(Role::Admin),
            (false, true) => Some(Role::Moderator),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Moderator => "moderator",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_flag_wins_and_plain_users_have_no_role() {
        assert_eq!(Role::from_flags(true, true), Some(Role::Admin));
        assert_eq!(Role::from_flags(false, true), Some(Role::Moderator));
        assert_eq!(Role::from_flags(false, false), None);
    }
}
