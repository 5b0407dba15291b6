//! One-time password-reset links: only the token's SHA-256 is stored.

use super::{ConnRef, now, on};
use crate::error::AppError;

/// How long a reset link works.
pub const VALID_FOR_SECS: i64 = 24 * 3600;

pub async fn insert(c: ConnRef<'_>, user_id: i64, token_hash: &str, created_by: i64) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO password_resets (user_id, token_hash, created_by, created_at, expires_at) \
                       VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let t = now();
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(token_hash)
        .bind(created_by)
        .bind(t)
        .bind(t + VALID_FOR_SECS)
        .fetch_one(&mut *c)
        .await)?)
}

/// The user a valid (unused, unexpired) link belongs to.
pub async fn peek(c: ConnRef<'_>, token_hash: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "SELECT user_id FROM password_resets \
                       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(token_hash).bind(now()).fetch_optional(&mut *c).await)?)
}

/// Marks a valid link used and returns its user; `None` if it was not valid.
/// One statement, so two submits of the same link cannot both succeed.
pub async fn consume(c: ConnRef<'_>, token_hash: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "UPDATE password_resets SET used_at = $2 \
                       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(token_hash).bind(now()).fetch_optional(&mut *c).await)?)
}
