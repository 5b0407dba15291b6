//! `/reports` (the inbox) and `/reports/{id}` (one report and its actions).

#[cfg(feature = "ssr")]
pub mod api;
pub mod detail;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
