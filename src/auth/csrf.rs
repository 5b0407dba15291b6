//! CSRF protection for cookie-authenticated requests: besides SameSite=Lax
//! cookies, every state-changing request must come from our own origin, as
//! told by `Origin` (or, failing that, `Referer`). Token-authenticated API
//! routes are exempt: they never read cookies.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::Method;

use crate::error::AppError;
use crate::server::state::AppState;

pub async fn same_origin_only(State(state): State<AppState>, req: Request, next: Next) -> Result<Response, AppError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.run(req).await);
    }
    let headers = req.headers();
    let claimed = headers
        .get(http::header::ORIGIN)
        .or_else(|| headers.get(http::header::REFERER))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok());
    let expected = state
        .config
        .public_url
        .as_ref()
        .map(authority)
        .or_else(|| headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned));
    match (claimed, expected) {
        (Some(origin), Some(expected)) if authority(&origin) == expected => Ok(next.run(req).await),
        // A forged cross-site post: refuse it without touching anything.
        _ => Err(AppError::Forbidden),
    }
}

/// `host[:port]` as a browser writes it in `Host`.
fn authority(u: &url::Url) -> String {
    match (u.host_str(), u.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    }
}
