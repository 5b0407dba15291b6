//! Signing in and out, and first-run setup.

#[cfg(feature = "ssr")]
pub mod forgot;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
