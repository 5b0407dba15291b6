//! `AppError`: the one error type of the HTTP layer. It carries the HTTP status,
//! renders as the §5 JSON body for the API, and crosses the wire as a server
//! function error for pages (so it must also compile for the browser).

use std::fmt;
use std::sync::Arc;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("Sign in to continue.")]
    Unauthorized,
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// 403 with the rule that refused it.
    #[error("{0}")]
    Denied(String),
    #[error("Not found.")]
    NotFound,
    #[error("Method not allowed.")]
    MethodNotAllowed,
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("{message}")]
    Conflict { param: String, message: String },
    /// 409: the edit was made on an older version of a settings document
    /// than the one stored now; nothing was applied.
    #[error(
        "Someone else changed these settings since you opened them (now version {current}). Review the current values and apply your change again."
    )]
    Stale { current: i64 },
    /// 409 from a unique index that no field of the request names.
    #[error("That conflicts with something already stored.")]
    Duplicate,
    #[error("{message}")]
    Validation { param: String, message: String },
    /// Several items of one request are wrong; nothing was applied.
    #[error("{}", .0.first().map_or("Some items are invalid.", |e| e.message.as_str()))]
    Items(Vec<ItemError>),
    #[error("{0}")]
    TooManyRequests(String),
    /// Busy right now (no database connection or sign-in slot came free in
    /// time); answered 503 with `Retry-After`. Nothing was applied.
    #[error("{0}")]
    Unavailable(String),
    /// Lost to another transaction (deadlock, serialization failure, busy
    /// database); `Db::retrying` runs the transaction again. 503 if it persists.
    #[error("Steward is busy right now. Try again in a moment.")]
    Contended,
    /// The detail is logged on the server and never sent to clients.
    #[error("Something went wrong on our side.")]
    Internal(String),
    /// A failure below the HTTP layer (the database, the session store),
    /// kept whole as the source: logged with its causes where it happened,
    /// answered like [`AppError::Internal`].
    #[error("Something went wrong on our side.")]
    Fault(#[source] Cause),
}

/// The error under an [`AppError::Fault`]: it reads as the error it holds,
/// and its sources are that error's. It stays on the server: it crosses the
/// wire as `null` and arrives empty.
#[derive(Clone, Default)]
pub struct Cause(Option<Arc<dyn std::error::Error + Send + Sync>>);

impl Cause {
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause(Some(Arc::new(e)))
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(e) => fmt::Display::fmt(e, f),
            None => f.write_str("(the detail stayed on the server)"),
        }
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(e) => fmt::Debug::fmt(e, f),
            None => f.write_str("Cause"),
        }
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.as_ref()?.source()
    }
}

/// Two causes are equal when they say the same.
impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Cause {}

impl Serialize for Cause {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for Cause {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <()>::deserialize(d).map(|()| Cause(None))
    }
}

/// What is wrong with one item of a batch, by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemError {
    pub id: String,
    pub message: String,
}

impl AppError {
    pub fn validation(param: &str, message: impl Into<String>) -> Self {
        AppError::Validation { param: param.into(), message: message.into() }
    }

    pub fn conflict(param: &str, message: impl Into<String>) -> Self {
        AppError::Conflict { param: param.into(), message: message.into() }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden | AppError::Denied(_) => 403,
            AppError::NotFound => 404,
            AppError::MethodNotAllowed => 405,
            AppError::Conflict { .. } | AppError::Stale { .. } | AppError::Duplicate => 409,
            AppError::PayloadTooLarge => 413,
            AppError::Validation { .. } | AppError::Items(_) => 422,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal(_) | AppError::Fault(_) => 500,
            AppError::Unavailable(_) | AppError::Contended => 503,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden | AppError::Denied(_) => "forbidden",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Conflict { .. } | AppError::Duplicate => "conflict",
            AppError::Stale { .. } => "stale_version",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Validation { .. } | AppError::Items(_) => "validation_failed",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Internal(_) | AppError::Fault(_) => "internal_error",
            AppError::Unavailable(_) | AppError::Contended => "unavailable",
        }
    }

    /// The field this error is about, for form messages and `meta.param`.
    pub fn param(&self) -> Option<&str> {
        match self {
            AppError::Conflict { param, .. } | AppError::Validation { param, .. } => Some(param),
            AppError::Stale { .. } => Some("version"),
            _ => None,
        }
    }

    /// The §5 error body: `{"errors":[{code,message,long_message,meta}],"error":…}`.
    pub fn to_json(&self) -> serde_json::Value {
        let message = self.to_string();
        if let AppError::Items(items) = self {
            let errors: Vec<serde_json::Value> = items
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "code": self.code(),
                        "message": e.message,
                        "long_message": e.message,
                        "meta": { "id": e.id },
                    })
                })
                .collect();
            return serde_json::json!({ "errors": errors, "error": message });
        }
        let meta = match (self, self.param()) {
            (AppError::Stale { current }, Some(p)) => serde_json::json!({ "param": p, "current_version": current }),
            (_, Some(p)) => serde_json::json!({ "param": p }),
            (_, None) => serde_json::json!({}),
        };
        serde_json::json!({
            "errors": [{
                "code": self.code(),
                "message": message,
                "long_message": self.long_message(),
                "meta": meta,
            }],
            "error": message,
        })
    }

    fn long_message(&self) -> String {
        match self {
            AppError::Unauthorized => {
                "Send `Authorization: Bearer <token>` with an API token created in Account settings or with `steward create-token`.".into()
            }
            AppError::Forbidden => "This operation needs a role your account does not have.".into(),
            AppError::NotFound => "No resource exists at this address.".into(),
            AppError::MethodNotAllowed => "This address does not accept that HTTP method.".into(),
            AppError::PayloadTooLarge => "Send a smaller request body.".into(),
            other => other.to_string(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => AppError::BadRequest(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{RETRY_AFTER_SECS, is_contention};

#[cfg(feature = "ssr")]
mod unique;

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    /// Seconds a client should wait after a 503.
    pub const RETRY_AFTER_SECS: u64 = 2;

    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> Self {
            if let sqlx::Error::Database(db) = &e {
                if db.is_unique_violation() {
                    return unique_violation(db.as_ref());
                }
                if is_contention(db.as_ref()) {
                    tracing::warn!(error = %db, "transaction lost to contention");
                    return AppError::Contended;
                }
                // PostgreSQL refuses NUL in text (22021) and values out of a
                // column's range (22003); both are the client's input.
                match db.code().as_deref() {
                    Some("22021") => return AppError::validation("body", "Text must not contain NUL characters."),
                    Some("22003") => return AppError::validation("body", "A number is out of range."),
                    _ => {}
                }
            }
            if matches!(e, sqlx::Error::PoolTimedOut) {
                tracing::warn!("no database connection came free in time");
                return busy();
            }
            AppError::fault(e)
        }
    }

    fn busy() -> AppError {
        AppError::Unavailable("Steward is busy right now. Try again in a moment.".into())
    }

    /// Errors that mean "another transaction got in the way", worth retrying:
    /// PostgreSQL deadlocks (40P01) and serialization failures (40001), and
    /// SQLite's busy or locked database (5, 6 and their extended codes).
    pub fn is_contention(db: &dyn sqlx::error::DatabaseError) -> bool {
        match db.code().as_deref() {
            Some("40P01" | "40001") => true,
            Some(code) => code.parse::<u32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6)),
            None => false,
        }
    }

    /// A 409 naming the field the client must change, looked up by the index
    /// that refused the row; generic for an index no field names.
    fn unique_violation(db: &dyn sqlx::error::DatabaseError) -> AppError {
        match super::unique::find(db.constraint(), db.message()) {
            Some(super::unique::Unique { param: Some(param), .. }) => {
                AppError::conflict(param, format!("{param} has already been taken"))
            }
            Some(_) => AppError::Duplicate,
            None => {
                // Not in the table: a primary key, or an index added without an entry.
                tracing::warn!(constraint = db.constraint(), error = %db, "unique violation of an unlisted index");
                AppError::Duplicate
            }
        }
    }

    impl From<tower_sessions::session::Error> for AppError {
        fn from(e: tower_sessions::session::Error) -> Self {
            AppError::fault(e)
        }
    }

    impl AppError {
        /// A [`AppError::Fault`] holding `e`, logged now: inside the span of
        /// the handler or service that hit it, naming `e` and its causes.
        pub fn fault(e: impl std::error::Error + Send + Sync + 'static) -> Self {
            let cause = super::Cause::new(e);
            tracing::error!(error = &cause as &(dyn std::error::Error + 'static), "internal error");
            AppError::Fault(cause)
        }

        /// Logs server-side faults; client errors are not worth a log line,
        /// and a [`AppError::Fault`] was logged when it was made.
        pub fn log(&self) {
            if let AppError::Internal(detail) = self {
                tracing::error!(%detail, "internal error");
            }
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            self.log();
            let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut res = (status, axum::Json(self.to_json())).into_response();
            if let AppError::Unavailable(_) | AppError::Contended = self {
                res.headers_mut().insert(http::header::RETRY_AFTER, RETRY_AFTER_SECS.into());
            }
            // Lets the console render the same error as a page for browsers.
            res.extensions_mut().insert(self);
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_body_repeats_first_message_for_pleroma_clients() {
        let body = AppError::validation("email", "email is invalid").to_json();
        assert_eq!(body["error"], "email is invalid");
        assert_eq!(body["errors"][0]["code"], "validation_failed");
        assert_eq!(body["errors"][0]["meta"]["param"], "email");
    }

    #[test]
    fn a_clash_no_field_names_is_a_409_without_a_param() {
        let body = AppError::Duplicate.to_json();
        assert_eq!(AppError::Duplicate.status(), 409);
        assert_eq!(
            (body["errors"][0]["code"].as_str(), &body["errors"][0]["meta"]),
            (Some("conflict"), &serde_json::json!({}))
        );
    }

    #[test]
    fn batch_errors_name_each_item() {
        let e = AppError::Items(vec![
            ItemError { id: "7".into(), message: "report 7 does not exist".into() },
            ItemError { id: "9".into(), message: "state must be open, resolved or closed".into() },
        ]);
        let body = e.to_json();
        assert_eq!(e.status(), 422);
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(body["errors"][1]["meta"]["id"], "9");
        assert_eq!(body["error"], "report 7 does not exist");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn an_exhausted_pool_is_a_503_with_retry_after() {
        use axum::response::IntoResponse;
        let e = AppError::from(sqlx::Error::PoolTimedOut);
        assert_eq!(e.status(), 503);
        let res = e.into_response();
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers()["retry-after"], RETRY_AFTER_SECS.to_string().as_str());
        let res = AppError::Contended.into_response();
        assert_eq!((res.status().as_u16(), res.headers().contains_key("retry-after")), (503, true));
    }

    #[test]
    fn internal_errors_never_leak_their_detail() {
        let body = AppError::Internal("password_hash column missing".into()).to_json();
        assert!(!body.to_string().contains("password_hash"));
        assert_eq!(AppError::Internal(String::new()).status(), 500);
    }

    #[test]
    fn a_fault_keeps_its_source_on_the_server_only() {
        let io = std::io::Error::other("disk on fire");
        let fault = AppError::Fault(Cause::new(io));
        let source = std::error::Error::source(&fault).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("disk on fire"));
        assert!(!fault.to_json().to_string().contains("disk"));
        let wire = serde_json::to_string(&fault).unwrap();
        assert!(!wire.contains("disk"), "{wire}");
        let back: AppError = serde_json::from_str(&wire).unwrap();
        assert_eq!((back.status(), back.to_string()), (500, fault.to_string()));
    }
}
