//! Server-only infrastructure: configuration, state, storage, telemetry, startup.

pub mod admission;
pub mod assets;
pub mod config;
pub mod cors;
pub mod live;
pub mod rejections;
pub mod security_headers;
pub mod settings;
pub mod startup;
pub mod state;
pub mod storage;
pub mod tasks;
pub mod telemetry;
