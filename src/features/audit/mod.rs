//! The moderation log: `/moderation-log` and the query it runs.

pub mod pages;
pub mod server;
