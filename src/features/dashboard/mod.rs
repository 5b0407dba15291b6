//! `/`: the dashboard.

pub mod chart;
pub mod pages;
pub mod server;
