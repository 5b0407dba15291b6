//! Product areas, one folder each: pages, server functions and form handlers.

pub mod account;
pub mod audit;
pub mod auth;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod reports;
pub mod statuses;
pub mod users;
