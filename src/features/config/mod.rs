//! The runtime config registry's console and API (SPEC §11): Pleroma's
//! `/config` family, the `/config` page generated from the descriptions,
//! the history with diffs and one-click revert. The declarations are in
//! `domain::config`; the effective values in `server::live`.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod check;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
