//! `/organizations` and the organizations API (issue #15, SPEC §11): Clerk
//! organizations with members, roles and verified domains, bounded by the
//! Clerk organization settings; and each organization's Flashback settings
//! document, replaced whole through `POST /api/v1/settings/organization`
//! (a token bound to the organization) or by an admin, every version kept
//! and shown as a diff. Admins only.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod diff;
#[cfg(feature = "ssr")]
pub mod document;
#[cfg(feature = "ssr")]
pub mod document_api;
pub mod editor;
#[cfg(feature = "ssr")]
pub mod flashback;
#[cfg(feature = "ssr")]
pub mod forms;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
