//! `/`: the dashboard.

pub mod chart;
pub mod data;
pub mod pages;
