//! CORS for the routes browser-based tools call (admin-fe served from
//! another origin, browser extensions, Capacitor apps): the API, nodeinfo
//! and the Mastodon account routes. Allowed: the registry's
//! `cors.allowed_origins` (the instance settings' `allowed_origins`, or
//! `STEWARD_CORS_ORIGINS` when given), never with cookies (the API takes
//! tokens only). Preflights are answered here, before authentication.
//!
//! The origins are read from the live settings per request, so a change made
//! in any process applies here within `live::WATCH_EVERY`, without a restart.

use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::server::live::Live;

pub fn layer(live: Live) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _parts| {
            let Ok(o) = origin.to_str() else { return false };
            live.current().cors_origins.iter().any(|allowed| allowed == o)
        }))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([AUTHORIZATION, CONTENT_TYPE, ACCEPT])
        .max_age(Duration::from_secs(3600))
}
