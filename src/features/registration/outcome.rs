//! Where a new account stands after registering: shared by the service,
//! the API's answer and the page the form's redirect leads to.

use serde::{Deserialize, Serialize};

/// Where the new account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub approval_pending: bool,
    pub confirmation_pending: bool,
}

impl Outcome {
    /// What to tell the person who registered.
    pub fn message(self) -> &'static str {
        match (self.confirmation_pending, self.approval_pending) {
            (true, true) => {
                "Check your mail to confirm your address. A moderator will review your registration; you will get a mail when they have."
            }
            (true, false) => "Check your mail and follow the link to confirm your address.",
            (false, true) => "A moderator will review your registration; you will get a mail when they have.",
            (false, false) => "Your account is ready.",
        }
    }

    pub fn as_param(self) -> &'static str {
        match (self.confirmation_pending, self.approval_pending) {
            (true, true) => "confirm_and_review",
            (true, false) => "confirm",
            (false, true) => "review",
            (false, false) => "ready",
        }
    }

    pub fn from_param(p: &str) -> Option<Outcome> {
        let o = |c, a| Outcome { confirmation_pending: c, approval_pending: a };
        match p {
            "confirm_and_review" => Some(o(true, true)),
            "confirm" => Some(o(true, false)),
            "review" => Some(o(false, true)),
            "ready" => Some(o(false, false)),
            _ => None,
        }
    }
}
