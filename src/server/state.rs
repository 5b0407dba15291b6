//! State shared by every handler, server function and page.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::config::Config;
use super::live::Live;
use super::startup::Reloader;
use super::storage::Db;
use super::storage::stats::{DailyCache, PeersCache, UsageCache};
use super::tasks::Tasks;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    /// The dashboard's per-day series (see [`DailyCache`]).
    pub daily: Arc<DailyCache>,
    /// Nodeinfo's totals (see [`UsageCache`]).
    pub usage: Arc<UsageCache>,
    /// Hosts of remote accounts (see [`PeersCache`]).
    pub peers: Arc<PeersCache>,
    /// The registry settings as this process sees them.
    pub live: Live,
    /// Reassembles the app from the current settings (`/restart`).
    pub reloader: Reloader,
    /// Background tasks; they end when the last clone of the state goes.
    pub tasks: Arc<Tasks>,
}

impl AppState {
    /// The state inside a server function or page loader.
    pub fn get() -> Result<AppState, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>()
            .ok_or_else(|| crate::error::AppError::Internal("AppState missing from context".into()))
    }
}
