//! `/oauth-apps` and Pleroma's admin `oauth_app` API (issue #15): admins list,
//! register, edit, re-key and delete the OAuth clients, and mark the ones
//! they trust (no consent page for staff; client_credentials grant for the
//! intake API). Admins only.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
