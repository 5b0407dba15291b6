//! `/account`: change your own password; create, list and revoke your API tokens.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
