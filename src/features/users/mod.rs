//! `/users`: the user list, bulk actions, saved views, `/users/new` and
//! `/users/{id}`; the rules of every change to accounts (`bulk.rs`,
//! `manage.rs`) and the users' JSON API (`api/`).

#[cfg(feature = "ssr")]
pub mod api;
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
#[cfg(feature = "ssr")]
pub mod saved_views;
pub mod server;
pub mod shortcuts;
