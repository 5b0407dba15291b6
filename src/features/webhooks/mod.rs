//! `/webhooks` (admins only): the endpoints (alert and app), their delivery
//! log with every attempt, secret rotation and "redeliver"; the same through
//! the admin API. Delivery itself is `crate::webhooks`.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
