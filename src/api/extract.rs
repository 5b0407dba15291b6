//! Extractors whose rejections use the §5 error body.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};

use crate::error::AppError;

/// `Json<T>` with 400 for malformed JSON, 422 naming the field for wrong
/// shapes, 413 for oversized bodies.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(match rejection {
                JsonRejection::JsonDataError(e) => {
                    let text = e.body_text();
                    let field = field_of(&text).unwrap_or("body").to_owned();
                    AppError::validation(&field, text)
                }
                JsonRejection::JsonSyntaxError(e) => AppError::BadRequest(format!("Malformed JSON: {}", e.body_text())),
                JsonRejection::MissingJsonContentType(_) => {
                    AppError::BadRequest("Send the body as JSON with `Content-Type: application/json`.".into())
                }
                other if other.status() == http::StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
                other => AppError::BadRequest(other.body_text()),
            }),
        }
    }
}

/// A whole-number query parameter within `range`, absent when empty; 422
/// naming it otherwise.
pub fn number(name: &str, v: Option<&str>, range: std::ops::RangeInclusive<i64>) -> Result<Option<i64>, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().ok().filter(|n| range.contains(n)).map(Some).ok_or_else(|| {
            AppError::validation(
                name,
                format!("{name} must be a whole number from {} to {}", range.start(), range.end()),
            )
        }),
    }
}

/// serde names the failing path first: "…: label: invalid type…" or "missing field `label`".
fn field_of(text: &str) -> Option<&str> {
    if let Some(rest) = text.split("missing field `").nth(1) {
        return rest.split('`').next();
    }
    let after = text.split(": ").nth(1)?;
    let name = after.split(':').next()?.trim();
    (!name.is_empty() && !name.contains(' ')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn finds_the_failing_field_in_serde_messages() {
        assert_eq!(
            field_of("Failed to deserialize the JSON body into the target type: missing field `label` at line 1"),
            Some("label")
        );
        assert_eq!(
            field_of("Failed to deserialize the JSON body into the target type: label: invalid type: integer `5`"),
            Some("label")
        );
    }
}
