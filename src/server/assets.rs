//! The compiled site's files (`/pkg/…`): cargo-leptos names them by content
//! hash (`hash-files`), so a hashed name can be cached for good; release
//! builds also write Brotli and gzip copies (`--precompress`), which the
//! static file handler sends to browsers that accept them.

use std::sync::OnceLock;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use http::header::CACHE_CONTROL;
use leptos::config::LeptosOptions;

/// The hash cargo-leptos gave each kind of file (`js`, `wasm`, `css`…), read
/// from the hash file it writes next to the server binary.
fn hashes(options: &LeptosOptions) -> Option<Vec<(String, String)>> {
    let path = std::env::current_exe().ok()?.parent()?.join(options.hash_file.as_ref());
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(kind, hash)| (kind.trim().to_owned(), hash.trim().to_owned()))
            .collect(),
    )
}

/// Checks the build at start: hashed names need the hash file (Leptos
/// panics rendering a page without it), so a build without one serves the
/// plain names instead, with a warning.
pub fn check(options: &mut LeptosOptions) {
    if options.hash_files && hashes(options).is_none() {
        tracing::warn!(
            hash_file = %options.hash_file,
            "hash-files is on but the hash file is not next to the binary: serving unhashed asset names \
             (build with `cargo leptos build`)"
        );
        options.hash_files = false;
    }
    let _ = CSS_HREF.set(css_href_for(options));
}

static CSS_HREF: OnceLock<String> = OnceLock::new();

fn css_href_for(options: &LeptosOptions) -> String {
    let name = &options.output_name;
    let hash = options
        .hash_files
        .then(|| hashes(options))
        .flatten()
        .and_then(|h| h.into_iter().find(|(kind, _)| kind == "css").map(|(_, hash)| hash));
    match hash {
        Some(h) => format!("/{}/{name}.{h}.css", options.site_pkg_dir),
        None => format!("/{}/{name}.css", options.site_pkg_dir),
    }
}

/// The stylesheet's address, for pages rendered outside Leptos.
pub fn css_href() -> &'static str {
    CSS_HREF.get().map_or("/pkg/steward.css", String::as_str)
}

/// A content-hashed file never changes under its name: cache it for a year
/// without revalidating. Anything else under `/pkg` is revalidated.
pub async fn cache_control(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let policy = if !path.starts_with("/pkg/") {
        None
    } else if is_hashed(path) {
        Some("public, max-age=31536000, immutable")
    } else {
        Some("no-cache")
    };
    let mut res = next.run(req).await;
    if let Some(p) = policy
        && res.status().is_success()
    {
        res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(p));
    }
    res
}

/// `name.<hash>.ext`, the hash being cargo-leptos' base64url MD5 (22 characters).
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    file.split('.').any(|part| {
        part.len() >= 16
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && part.bytes().any(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(is_hashed("/pkg/steward.Xp3gk2Jx0mHkTHXy5BqM6w.wasm"));
        assert!(is_hashed("/pkg/__wasm_split.AbCdEfGhIjKlMnOpQrStUv.js"));
        assert!(!is_hashed("/pkg/steward.css"));
        assert!(!is_hashed("/pkg/steward_bg.wasm"));
        assert!(!is_hashed("/pkg/__wasm_split.______________________.js"), "the unhashed placeholder");
    }
}
