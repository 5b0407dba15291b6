//! `/reports` (the inbox) and `/reports/{id}` (one report and its actions).

pub mod data;
pub mod detail;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
