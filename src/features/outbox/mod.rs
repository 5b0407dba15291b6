//! `/outbox`: the mail Steward queued, sent, gave up on or held (test mode),
//! for admins only (bodies hold one-time links).

#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
