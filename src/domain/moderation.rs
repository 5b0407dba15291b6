//! The values content moderation speaks in: who may see a status, and where a
//! report stands. Both parse from the exact lowercase words Pleroma uses.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
}

impl Visibility {
    pub const ALL: [Visibility; 4] =
        [Visibility::Public, Visibility::Unlisted, Visibility::Private, Visibility::Direct];

    pub fn parse(s: &str) -> Option<Visibility> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }

    /// Followers-only and direct statuses: hidden from staff unless an admin
    /// switches on godmode.
    pub fn is_private(self) -> bool {
        matches!(self, Visibility::Private | Visibility::Direct)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportState {
    Open,
    Resolved,
    Closed,
}

impl ReportState {
    pub const ALL: [ReportState; 3] = [ReportState::Open, ReportState::Resolved, ReportState::Closed];

    pub fn parse(s: &str) -> Option<ReportState> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Open => "open",
            ReportState::Resolved => "resolved",
            ReportState::Closed => "closed",
        }
    }

    /// The verb for a change into this state: "resolved", "closed", "reopened".
    pub fn verb(self) -> &'static str {
        match self {
            ReportState::Open => "reopened",
            ReportState::Resolved => "resolved",
            ReportState::Closed => "closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_nothing_else_parses() {
        for v in Visibility::ALL {
            assert_eq!(Visibility::parse(v.as_str()), Some(v));
        }
        for s in ReportState::ALL {
            assert_eq!(ReportState::parse(s.as_str()), Some(s));
        }
        assert_eq!(Visibility::parse("Public"), None);
        assert_eq!(ReportState::parse("done"), None);
        assert_eq!(serde_json::to_string(&ReportState::Resolved).unwrap(), "\"resolved\"");
    }
}
