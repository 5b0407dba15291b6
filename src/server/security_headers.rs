//! Security headers on every response. Console pages get a Content-Security-
//! Policy whose script source is the per-response nonce Leptos puts on its
//! hydration script ([`page_policy`], set by the shell); everything else gets
//! a policy that allows nothing but this site's stylesheet.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};

/// The policy of a console page: scripts only from this site with the
/// response's nonce (and WebAssembly compilation), no plugins, no framing,
/// forms only back to this site. Inline `style=` attributes are allowed:
/// they cannot run code. Status media may come from other HTTPS hosts.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// For responses that are not console pages (JSON, files, error pages).
const DEFAULT_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn add(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(CONTENT_SECURITY_POLICY) {
        h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(DEFAULT_POLICY));
    }
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_policy_allows_only_nonced_scripts() {
        let p = page_policy("abc");
        assert!(p.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        let scripts = p.split("script-src").nth(1).unwrap().split(';').next().unwrap();
        assert!(!scripts.contains("unsafe-inline"));
        assert!(p.contains("frame-ancestors 'none'"));
    }
}
