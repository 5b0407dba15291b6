//! Every rejection in the §5 contract. Extractors whose failures become
//! [`AppError`]s (an unparsable path id is a 404, as Pleroma's clients
//! expect), and the outermost middleware that guarantees no response leaves
//! as plain text: request bodies are read once, within a size and time limit,
//! and refused with 422 when they carry NUL; rejections from axum and status
//! codes from server functions are turned into [`AppError`]s; browsers get
//! them as an HTML page, everyone else as JSON.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http::request::Parts;
use http::{HeaderMap, Method, StatusCode, header};
use serde::de::DeserializeOwned;

use super::startup::BODY_LIMIT;
use crate::error::AppError;

/// `Path<T>` whose failure is a 404: an id that cannot parse names nothing.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// `Query<T>` whose failure (a duplicate or malformed key) is a §5 400.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// `Form<T>` whose failure is a §5 400 (or 413).
#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct ApiForm<T>(pub T);

/// A query string read the way HTML forms and Pleroma's clients write it: a
/// repeated key (`tags[]=a&tags[]=b`) fills a `Vec` field (name it with
/// `#[serde(rename = "tags[]", alias = "tags")]`). Its failure (a malformed
/// or repeated single-valued key) is a §5 400, as [`ApiQuery`]'s.
pub struct ApiHtmlQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiHtmlQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        serde_html_form::from_str(parts.uri.query().unwrap_or_default())
            .map(ApiHtmlQuery)
            .map_err(|e| AppError::BadRequest(format!("The query string is malformed: {e}")))
    }
}

/// A form body read the same way: ticked checkboxes (`ids=1&ids=2`) fill a
/// `Vec` field. Its failure is a §5 400 (or 413), as [`ApiForm`]'s.
pub struct ApiHtmlForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiHtmlForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let body = Bytes::from_request(req, state).await.map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            _ => AppError::BadRequest(format!("The form is malformed: {}", e.body_text())),
        })?;
        serde_html_form::from_bytes(&body)
            .map(ApiHtmlForm)
            .map_err(|e| AppError::BadRequest(format!("The form is malformed: {e}")))
    }
}

/// For a form's `Vec<i64>` of ticked rows: a value that is not a whole number
/// names no row and is skipped, as it always was.
pub fn ids_skipping_others<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    Ok(<Vec<String> as serde::Deserialize>::deserialize(d)?.iter().filter_map(|v| v.parse().ok()).collect())
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound
    }
}

impl From<QueryRejection> for AppError {
    fn from(e: QueryRejection) -> Self {
        AppError::BadRequest(format!("The query string is malformed: {}", e.body_text()))
    }
}

impl From<FormRejection> for AppError {
    fn from(e: FormRejection) -> Self {
        match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            _ => AppError::BadRequest(format!("The form is malformed: {}", e.body_text())),
        }
    }
}

/// How long a client may take to send its request body.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(15);

/// The outermost layer: bounded body reading, NUL refusal, and errors in the
/// contract's formats (see the module docs).
pub async fn contract(req: Request, next: Next) -> Response {
    let wants_html = wants_html(req.headers()) && !req.uri().path().starts_with("/api/");
    let result = match admit(req).await {
        Ok(req) => Ok(next.run(req).await),
        Err(e) => Err(e),
    };
    let res = match result {
        Ok(res) => normalize(res).await,
        Err(e) => e.into_response(),
    };
    match res.extensions().get::<AppError>().cloned() {
        Some(err) if wants_html => {
            let mut page = (res.status(), Html(crate::ui::html_errors::page(&err))).into_response();
            page.extensions_mut().insert(err);
            page
        }
        _ => res,
    }
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Refuses NUL in the query string and reads the body (when there is one)
/// within [`BODY_LIMIT`] and [`BODY_READ_TIMEOUT`], refusing NUL in it.
async fn admit(req: Request) -> Result<Request, AppError> {
    // A NUL in the path names nothing (and PostgreSQL refuses it in text).
    if has_nul(req.uri().path()) {
        return Err(AppError::NotFound);
    }
    if req.uri().query().is_some_and(has_nul) {
        return Err(nul_error());
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(req);
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = req.into_parts();
    let bytes = match tokio::time::timeout(BODY_READ_TIMEOUT, axum::body::to_bytes(body, BODY_LIMIT)).await {
        Err(_) => return Err(AppError::BadRequest("The request body arrived too slowly.".into())),
        Ok(Err(_)) => return Err(AppError::PayloadTooLarge),
        Ok(Ok(b)) => b,
    };
    if bytes.contains(&0) || if form { has_nul_bytes(&bytes) } else { json_has_nul(&bytes) } {
        return Err(nul_error());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn nul_error() -> AppError {
    AppError::validation("body", "Text must not contain NUL characters.")
}

/// `%00` in a query string.
fn has_nul(s: &str) -> bool {
    has_nul_bytes(s.as_bytes())
}

/// `%00` in URL-encoded text.
fn has_nul_bytes(b: &[u8]) -> bool {
    b.windows(3).any(|w| w == b"%00")
}

/// JSON's `\u0000` escape (an escaped backslash before `u0000` is text).
fn json_has_nul(b: &[u8]) -> bool {
    (0..b.len().saturating_sub(5)).any(|i| {
        b[i + 1..i + 6].eq_ignore_ascii_case(b"u0000")
            && b[i] == b'\\'
            && b[..i].iter().rev().take_while(|c| **c == b'\\').count() % 2 == 0
    })
}

/// Turns failures that are not yet [`AppError`]s into them: a server
/// function's error (answered 500 by Leptos whatever it was) gets its real
/// status, and plain-text rejections (axum's extractors, timeouts) become
/// §5 bodies.
async fn normalize(res: Response) -> Response {
    let status = res.status();
    if status.as_u16() < 400 || res.extensions().get::<AppError>().is_some() {
        return res;
    }
    if res.headers().contains_key("serverfnerror") {
        return server_fn_status(res).await;
    }
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
        return res;
    }
    let text = match axum::body::to_bytes(res.into_body(), 64 * 1024).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_owned(),
        Err(_) => String::new(),
    };
    from_status(status, text).into_response()
}

/// The [`AppError`] for a bare status and its plain-text reason.
fn from_status(status: StatusCode, text: String) -> AppError {
    match status {
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        StatusCode::FORBIDDEN => AppError::Forbidden,
        StatusCode::UNPROCESSABLE_ENTITY => AppError::validation("body", text),
        StatusCode::TOO_MANY_REQUESTS => AppError::TooManyRequests(text),
        StatusCode::SERVICE_UNAVAILABLE => {
            AppError::Unavailable("Steward is busy right now. Try again in a moment.".into())
        }
        s if s.is_client_error() => {
            AppError::BadRequest(if text.is_empty() { "The request is malformed.".into() } else { text })
        }
        _ => AppError::Internal(format!("{status}: {text}")),
    }
}

/// Leptos answers every server-function error with 500; the body is our
/// [`AppError`] as JSON, whose status the client should see.
async fn server_fn_status(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::Unavailable(_) | AppError::Contended = err {
            parts.headers.insert(header::RETRY_AFTER, crate::error::RETRY_AFTER_SECS.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A handler panicked: log it, answer the §5 500 without internals.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    AppError::Internal(format!("handler panicked: {detail}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_in_every_encoding() {
        assert!(has_nul("q=a%00b"));
        assert!(!has_nul("q=a%200"));
        assert!(json_has_nul(b"{\"bio\":\"x\\u0000\"}"));
        assert!(!json_has_nul(b"{\"bio\":\"x\\\\u0000\"}"), "an escaped backslash is text");
        assert!(!json_has_nul(b"{\"bio\":\"\\u00e9 %00\"}"));
    }

    #[derive(serde::Deserialize)]
    struct Listing {
        #[serde(default, rename = "tags[]", alias = "tags")]
        tags: Vec<String>,
        page: Option<String>,
    }

    async fn listing(uri: &str) -> Result<Listing, AppError> {
        let (mut parts, ()) = Request::get(uri).body(()).unwrap().into_parts();
        ApiHtmlQuery::<Listing>::from_request_parts(&mut parts, &()).await.map(|ApiHtmlQuery(l)| l)
    }

    #[tokio::test]
    async fn html_queries_fill_lists_and_refuse_a_repeated_single_value() {
        let l = listing("/users?tags[]=a&page=2&tags[]=b%20c").await.unwrap();
        assert_eq!((l.tags, l.page.as_deref()), (vec!["a".to_owned(), "b c".to_owned()], Some("2")));
        assert_eq!(listing("/users?tags=a").await.unwrap().tags, ["a"]);
        assert!(listing("/users").await.unwrap().tags.is_empty());
        let twice = listing("/users?page=1&page=2").await.err().unwrap();
        assert_eq!(twice.status(), 400, "{twice}");
    }

    #[test]
    fn bare_statuses_map_to_contract_errors() {
        assert_eq!(from_status(StatusCode::NOT_FOUND, String::new()), AppError::NotFound);
        assert_eq!(from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE, "x".into()).status(), 400);
        assert_eq!(from_status(StatusCode::REQUEST_TIMEOUT, String::new()).status(), 400);
        assert_eq!(from_status(StatusCode::BAD_GATEWAY, String::new()).status(), 500);
    }
}
