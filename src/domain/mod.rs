//! Domain values with their rules and no I/O. Raw input becomes one of these
//! once, at the edge; inner code never re-checks.

pub mod config;
mod credentials;
pub mod email_rules;
pub mod moderation;
pub mod query;
mod role;
pub mod scopes;
pub mod settings;
mod staff;

pub use credentials::{Email, Nickname, Password};
pub use moderation::{ReportState, Visibility};
pub use role::Role;
pub use staff::Staff;
