//! Instance settings (§8): Fluxer's instance config (manual-review window,
//! alert webhooks, SSO), Clerk's instance settings, restrictions,
//! organization settings and allowlist/blocklist identifiers — the JSON API
//! (`api`), the console pages `/settings/registration` and
//! `/settings/instance` (`pages`, `server`, `forms`). Every edit goes through
//! the settings store (`server::settings`): versioned, logged, 409 when stale.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod body;
#[cfg(feature = "ssr")]
pub mod edits;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod identifiers;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod validate;
