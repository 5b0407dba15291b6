//! `/statuses`: the latest statuses with filters and moderation actions;
//! private and direct ones only under an admin's logged godmode.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod item;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod sanitize;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
