//! `/invites` and Pleroma's invite API (§8, issue #14): create invites
//! limited by uses and date, list them with their usage, revoke them, and
//! mail an invite link. Admins only.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
