//! Product areas, one folder each: pages, server functions and form handlers.

pub mod account;
pub mod audit;
pub mod auth;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod oauth;
pub mod reports;
pub mod statuses;
pub mod users;
