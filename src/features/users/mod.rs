//! `/users`: the user list and bulk actions.

pub mod bulk;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
