//! The rules of every change to accounts, shared by the console forms and the
//! JSON API: each checks the actor's role and input whole, then applies the
//! change in one transaction with its moderation-log entry.

pub mod bulk;
#[cfg(feature = "ssr")]
pub mod manage;
