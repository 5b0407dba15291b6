//! CORS for the routes browser-based tools call (admin-fe served from
//! another origin, browser extensions, Capacitor apps): the API, nodeinfo
//! and the Mastodon account routes. Allowed: the configured origins
//! (`STEWARD_CORS_ORIGINS`) and the instance settings' `allowed_origins`,
//! never with cookies (the API takes tokens only). Preflights are answered
//! here, before authentication.
//!
//! `allowed_origins` lives in the settings store, so every process reads it
//! from the database; each process keeps what it read for [`CACHE_TTL`], so
//! a change applies everywhere within that time, without a restart.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::domain::settings::InstanceSettings;
use crate::server::settings;
use crate::server::storage::Db;

/// How long a process trusts the `allowed_origins` it last read.
pub const CACHE_TTL: Duration = Duration::from_secs(2);

/// The stored origins and when they were read.
type Cache = Arc<Mutex<Option<(Instant, Arc<Vec<String>>)>>>;

/// The configured origins and the stored ones, read at most once per TTL.
#[derive(Clone)]
struct Origins {
    fixed: Arc<Vec<String>>,
    db: Db,
    cache: Cache,
}

impl Origins {
    async fn stored(&self) -> Arc<Vec<String>> {
        if let Ok(guard) = self.cache.lock()
            && let Some((at, list)) = guard.as_ref()
            && at.elapsed() < CACHE_TTL
        {
            return list.clone();
        }
        let list = match settings::get::<InstanceSettings>(&self.db).await {
            Ok(v) => Arc::new(v.doc.allowed_origins),
            Err(e) => {
                // Fail closed for the stored origins; the configured ones still work.
                tracing::warn!(error = %e, "could not read allowed_origins; using the configured origins only");
                return Arc::new(Vec::new());
            }
        };
        if let Ok(mut guard) = self.cache.lock() {
            *guard = Some((Instant::now(), list.clone()));
        }
        list
    }

    async fn allows(&self, origin: &HeaderValue) -> bool {
        let Ok(o) = origin.to_str() else { return false };
        self.fixed.iter().any(|f| f == o) || self.stored().await.iter().any(|s| s == o)
    }
}

pub fn layer(origins: &[String], db: Db) -> CorsLayer {
    let origins = Origins { fixed: Arc::new(origins.to_vec()), db, cache: Arc::new(Mutex::new(None)) };
    CorsLayer::new()
        .allow_origin(AllowOrigin::async_predicate(move |origin: HeaderValue, _parts| {
            let origins = origins.clone();
            async move { origins.allows(&origin).await }
        }))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([AUTHORIZATION, CONTENT_TYPE, ACCEPT])
        .max_age(Duration::from_secs(3600))
}
