//! Signing clients in with OAuth, the way Pleroma's admin-fe and Mastodon
//! apps do: client registration, the password, authorization-code (PKCE) and
//! refresh grants, revocation, and the consent page.

mod consent;
pub mod routes;
pub mod service;
