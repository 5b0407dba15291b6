//! Domain values with their rules and no I/O. Raw input becomes one of these
//! once, at the edge; inner code never re-checks.

mod credentials;
pub mod query;
mod role;

pub use credentials::{Email, Nickname, Password};
pub use role::Role;
