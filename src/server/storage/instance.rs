//! Instance-wide key/value state (the one-time setup token's hash).

use super::{ConnRef, on};
use crate::error::AppError;

pub const SETUP_TOKEN_HASH: &str = "setup_token_hash";

pub async fn get(c: ConnRef<'_>, key: &str) -> Result<Option<String>, AppError> {
    const SQL: &str = "SELECT value FROM instance_state WHERE key = $1";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(key).fetch_optional(&mut *c).await)?)
}

pub async fn set(c: ConnRef<'_>, key: &str, value: &str) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO instance_state (key, value) VALUES ($1, $2) \
                       ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    on!(c, |c| sqlx::query(SQL).bind(key).bind(value).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes `key` if it still holds `value`; returns whether it did (so two
/// concurrent uses of a one-time value cannot both succeed).
pub async fn take(c: ConnRef<'_>, key: &str, value: &str) -> Result<bool, AppError> {
    const SQL: &str = "DELETE FROM instance_state WHERE key = $1 AND value = $2";
    Ok(on!(c, |c| sqlx::query(SQL).bind(key).bind(value).execute(&mut *c).await.map(|r| r.rows_affected()))? == 1)
}
