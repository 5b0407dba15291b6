//! Product areas, one folder each: pages, server functions and form handlers.

pub mod account;
pub mod audit;
pub mod auth;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod users;
