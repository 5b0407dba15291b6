//! Single sign-on for the console: OpenID Connect's authorization code flow
//! with PKCE against the provider in the instance config's `sso` block
//! (docs/sso.md). `/auth/sso/start` sends the browser to the provider,
//! `/auth/sso/callback` verifies what comes back and signs the account in.

#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod oidc;
#[cfg(feature = "ssr")]
pub mod routes;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod settings;
