//! Pleroma's invite tokens: `max_use`, `expires_at` (a date), uses so far,
//! and `used` once spent or revoked. The token is kept as issued: Pleroma's
//! API lists it so staff can share the link again.

use super::{ConnRef, now, on};
use crate::error::AppError;

/// One invite with the number of accounts registered with it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteRow {
    pub id: i64,
    pub token: String,
    pub max_use: Option<i64>,
    pub uses: i64,
    /// `YYYY-MM-DD` (UTC); the invite works through that day.
    pub expires_at: Option<String>,
    /// Spent (one-time or all uses taken) or revoked.
    pub used: bool,
    pub email: Option<String>,
    pub name: Option<String>,
    pub created_at: i64,
    /// Accounts whose `users.invite_id` names this invite.
    pub accounts: i64,
}

/// What a new invite holds.
pub struct NewInvite<'a> {
    pub token: &'a str,
    pub max_use: Option<i64>,
    pub expires_at: Option<&'a str>,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub created_by: i64,
}

const COLUMNS: &str = "i.id, i.token, i.max_use, i.uses, i.expires_at, i.used, i.email, i.name, i.created_at, \
                       (SELECT COUNT(*) FROM users u WHERE u.invite_id = i.id) AS accounts";

pub async fn insert(c: ConnRef<'_>, n: &NewInvite<'_>) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO invites (token, max_use, expires_at, email, name, created_by, created_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(n.token)
        .bind(n.max_use)
        .bind(n.expires_at)
        .bind(n.email)
        .bind(n.name)
        .bind(n.created_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await)?)
}

/// Every invite, newest first, with its account counts in the same query.
pub async fn list(c: ConnRef<'_>) -> Result<Vec<InviteRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM invites i ORDER BY i.id DESC");
    Ok(on!(c, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?)
}

pub async fn find_by_token(c: ConnRef<'_>, token: &str) -> Result<Option<InviteRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM invites i WHERE i.token = $1");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(token).fetch_optional(&mut *c).await)?)
}

pub async fn find(c: ConnRef<'_>, id: i64) -> Result<Option<InviteRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM invites i WHERE i.id = $1");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)?)
}

/// Marks the invite used so it admits nobody more; `true` if it was still
/// live. Revoking a spent or revoked invite changes nothing (idempotent).
pub async fn revoke(c: ConnRef<'_>, id: i64) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE invites SET used = TRUE WHERE id = $1 AND NOT used RETURNING id";
    let hit: Option<i64> = on!(c, |c| sqlx::query_scalar(SQL).bind(id).fetch_optional(&mut *c).await)?;
    Ok(hit.is_some())
}

/// Spends one use of a valid invite and returns its id; `None` if the token
/// is unknown, spent, revoked or past its date. One statement, so a crowd
/// registering with the last use of an invite cannot overspend it.
/// `today` is the UTC date, `YYYY-MM-DD`.
///
/// As Pleroma's `update_usage!`: a one-time invite (no `max_use`, no date) is
/// spent by its first use, one with `max_use` by its last; a date-limited one
/// without `max_use` admits anyone until its date passes.
pub async fn claim(c: ConnRef<'_>, token: &str, today: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "UPDATE invites SET uses = uses + 1, \
                         used = CASE WHEN max_use IS NULL THEN expires_at IS NULL \
                                     ELSE uses + 1 >= max_use END \
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
