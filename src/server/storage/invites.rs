//! Pleroma's invite tokens: `max_use`, `expires_at` (a date), uses so far,
//! and `used` once spent or revoked.

use super::{ConnRef, on};
use crate::error::AppError;

/// Spends one use of a valid invite and returns its id; `None` if the token
/// is unknown, spent, revoked or past its date. One statement, so a crowd
/// registering with the last use of an invite cannot overspend it.
/// `today` is the UTC date, `YYYY-MM-DD`.
pub async fn claim(c: ConnRef<'_>, token: &str, today: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "UPDATE invites SET uses = uses + 1, \
                         used = (max_use IS NULL OR uses + 1 >= max_use) \
                       WHERE token = $1 AND NOT used \
                         AND (expires_at IS NULL OR expires_at >= $2) \
                         AND (max_use IS NULL OR uses < max_use) \
                       RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(token).bind(today).fetch_optional(&mut *c).await)?)
}

/// Whether `token` would be accepted now (for the invite page).
pub async fn is_valid(c: ConnRef<'_>, token: &str, today: &str) -> Result<bool, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM invites WHERE token = $1 AND NOT used \
                         AND (expires_at IS NULL OR expires_at >= $2) \
                         AND (max_use IS NULL OR uses < max_use)";
    let n: i64 = on!(c, |c| sqlx::query_scalar(SQL).bind(token).bind(today).fetch_one(&mut *c).await)?;
    Ok(n > 0)
}
