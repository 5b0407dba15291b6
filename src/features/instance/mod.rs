//! The instance as a whole: nodeinfo, Mastodon's instance and peers, the
//! token holder's account.

pub mod discovery;
