//! Product areas, one folder each: pages (`pages.rs`), server functions,
//! console form handlers (`forms.rs`), JSON API handlers (`api.rs`) and the
//! rules and log entries of their changes (`service.rs`).

pub mod account;
pub mod audit;
pub mod auth;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod instance;
#[cfg(feature = "ssr")]
pub mod intake;
#[cfg(feature = "ssr")]
pub mod oauth;
pub mod reports;
pub mod statuses;
pub mod users;
