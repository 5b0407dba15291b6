//! The moderation log: `/moderation-log` and the query it runs.

#[cfg(feature = "ssr")]
pub mod api;
pub mod lines;
pub mod pages;
pub mod server;
