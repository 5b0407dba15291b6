//! `/users`: the user list, bulk actions, `/users/new` and `/users/{id}`.

pub mod bulk;
pub mod detail;
pub mod detail_data;
#[cfg(feature = "ssr")]
pub mod export;
pub mod filters;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod manage;
pub mod pages;
pub mod server;
pub mod shortcuts;
#[cfg(feature = "ssr")]
pub mod views;
