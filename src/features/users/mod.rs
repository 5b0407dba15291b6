//! `/users`: the user list, bulk actions, saved views, `/users/new` and
//! `/users/{id}`: pages (`pages.rs`, `detail.rs`), server functions
//! (`server/`), console form handlers (`forms.rs`), the JSON API (`api/`) and
//! the rules of every change to accounts (`service/`).

#[cfg(feature = "ssr")]
pub mod api;
pub mod detail;
#[cfg(feature = "ssr")]
pub mod export;
pub mod filters;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod saved_views;
pub mod server;
pub mod service;
pub mod shortcuts;
