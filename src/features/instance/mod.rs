//! The instance as a whole: nodeinfo, Mastodon's instance and peers, the
//! token holder's account, and whether a restart is pending.

pub mod api;
pub mod discovery;
