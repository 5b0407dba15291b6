//! Who is calling and what they may do. A [`crate::domain::Staff`] is a
//! signed-in admin or moderator; [`ModeratorCtx`] and [`AdminCtx`] are proofs of a passed check
//! that only this module can produce, required by everything that needs them.

/// What a refused sign-in says: the same for a wrong password, an unknown
/// nickname and an account that may not sign in (no account enumeration).
pub const SIGN_IN_WRONG: &str = "That nickname and password do not match an active admin or moderator account.";

/// What a throttled sign-in says.
pub fn sign_in_throttled(minutes: i64) -> String {
    format!("Too many failed sign-in attempts. Wait {minutes} minutes and try again.")
}

#[cfg(feature = "ssr")]
pub mod csrf;
#[cfg(feature = "ssr")]
mod ctx;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod sign_in;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod tokens;

#[cfg(feature = "ssr")]
pub use ctx::{AdminCtx, Godmode, IntakeCtx, ModeratorCtx, admin, moderator};
