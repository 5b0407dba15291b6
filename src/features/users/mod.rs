//! `/users`: the user list.

pub mod pages;
pub mod server;
