//! Product areas, one folder each: pages (`pages.rs`), server functions,
//! console form handlers (`forms.rs`), JSON API handlers (`api.rs`) and the
//! rules and log entries of their changes (`service.rs`).
//!
//! Handlers and server functions run in a `tracing` span naming the actor and
//! the ids they act on. A `#[server]` function keeps its work in a server-only
//! function that carries the span: on the `#[server]` function itself the
//! `instrument` attribute would be copied onto both functions the macro makes
//! (two spans) and into the browser's build.

pub mod account;
pub mod apps;
pub mod audit;
pub mod auth;
pub mod config;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod instance;
#[cfg(feature = "ssr")]
pub mod intake;
pub mod invites;
#[cfg(feature = "ssr")]
pub mod oauth;
pub mod oauth_apps;
pub mod organizations;
pub mod outbox;
pub mod registration;
pub mod reports;
pub mod settings;
pub mod sso;
pub mod statuses;
pub mod users;
pub mod webhooks;
