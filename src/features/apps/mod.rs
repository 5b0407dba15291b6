//! Apps' registration policy (§10, rw3iss `UpdateAppRequest`): the admin API
//! `GET|POST /apps`, `GET|PATCH /apps/{id}`, and the console pages `/apps`
//! and `/apps/{id}`, whose forms edit each field in three states (keep, set,
//! clear) and ask again before changing `frontend_url`. Admins only.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
