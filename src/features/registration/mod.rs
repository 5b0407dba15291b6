//! Public registration and the approval queue (§8): `/register`,
//! `/invite/{token}`, `/confirm/{token}`, `POST /api/v1/register`, and
//! `/registrations` for admins. The rules live in `service` (who may
//! register), `rules` (Clerk's restrictions), `hibp` (breached passwords)
//! `queue` (approve, reject) and `via_app` (an app's sign-up policy).

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod confirm;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod hibp;
pub mod outcome;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod rules;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod via_app;
