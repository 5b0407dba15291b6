//! One-time email confirmation links: only the token's SHA-256 is stored.

use super::{ConnRef, now, on};
use crate::error::AppError;

/// How long a confirmation link works.
pub const VALID_FOR_SECS: i64 = 48 * 3600;

pub async fn insert(c: ConnRef<'_>, user_id: i64, token_hash: &str) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO email_confirmations (user_id, token_hash, created_at, expires_at) \
                       VALUES ($1, $2, $3, $4)";
    let t = now();
    on!(c, |c| sqlx::query(SQL)
        .bind(user_id)
        .bind(token_hash)
        .bind(t)
        .bind(t + VALID_FOR_SECS)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks a valid link used and returns its user; `None` if it was unknown,
/// used or expired. One statement, so a link works once however often it is
/// followed at the same time.
pub async fn consume(c: ConnRef<'_>, token_hash: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "UPDATE email_confirmations SET used_at = $2 \
                       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(token_hash).bind(now()).fetch_optional(&mut *c).await)?)
}
