//! Steward: a self-hosted instance admin panel. One binary serves the Leptos
//! console (server-rendered, hydrated) and the JSON admin API over one storage
//! layer. The `ssr` feature builds the server; `hydrate` builds the browser side.

#![recursion_limit = "256"]

pub mod app;
pub mod auth;
pub mod domain;
pub mod error;
pub mod features;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod webhooks;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
