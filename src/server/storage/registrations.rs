//! Accounts made by public registration, and the approval queue (local
//! accounts not yet approved, oldest first).

use super::{ConnRef, now, on};
use crate::error::AppError;

/// A new account from the public form or API; the password is hashed.
pub struct Applicant<'a> {
    pub nickname: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub reason: Option<&'a str>,
    pub invite_id: Option<i64>,
    pub approved: bool,
    pub confirmed: bool,
}

pub async fn insert(c: ConnRef<'_>, a: &Applicant<'_>) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO users (nickname, email, password_hash, registration_reason, invite_id, \
                       is_approved, is_confirmed, created_at, updated_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(a.nickname)
        .bind(a.email)
        .bind(a.password_hash)
        .bind(a.reason)
        .bind(a.invite_id)
        .bind(a.approved)
        .bind(a.confirmed)
        .bind(now())
        .fetch_one(&mut *c)
        .await)?)
}

/// Whether an account already uses `email`; with `gmail_dots` compared in
/// canonical form (`canonical` is `email_rules::canonical(email)`).
pub async fn email_in_use(c: ConnRef<'_>, email: &str, canonical: Option<&str>) -> Result<bool, AppError> {
    const EXACT: &str = "SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))";
    const CANONICAL: &str = "SELECT EXISTS (SELECT 1 FROM users WHERE email_canonical = $1 AND email IS NOT NULL)";
    Ok(match canonical {
        Some(k) => on!(c, |c| sqlx::query_scalar(CANONICAL).bind(k).fetch_one(&mut *c).await)?,
        None => on!(c, |c| sqlx::query_scalar(EXACT).bind(email).fetch_one(&mut *c).await)?,
    })
}

/// An account waiting for approval.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Pending {
    pub id: i64,
    pub nickname: String,
    pub email: Option<String>,
    pub registration_reason: Option<String>,
    pub is_confirmed: bool,
    pub invite_id: Option<i64>,
    pub created_at: i64,
}

const PENDING: &str = "SELECT id, nickname, email, registration_reason, is_confirmed, invite_id, created_at \
                       FROM users WHERE NOT is_approved AND local";

/// The oldest `limit` waiting accounts after the cursor `(created_at, id)`.
pub async fn pending(c: ConnRef<'_>, after: Option<(i64, i64)>, limit: i64) -> Result<Vec<Pending>, AppError> {
    let (t, id) = after.unwrap_or((i64::MIN, i64::MIN));
    let sql = format!("{PENDING} AND (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT $3");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(t).bind(id).bind(limit).fetch_all(&mut *c).await)?)
}

pub async fn pending_count(c: ConnRef<'_>) -> Result<i64, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM users WHERE NOT is_approved AND local";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).fetch_one(&mut *c).await)?)
}

pub async fn pending_by_id(c: ConnRef<'_>, id: i64) -> Result<Option<Pending>, AppError> {
    let sql = format!("{PENDING} AND id = $1");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)?)
}

/// Marks the address of `user_id` confirmed; returns the nickname.
pub async fn confirm(c: ConnRef<'_>, user_id: i64) -> Result<Option<String>, AppError> {
    const SQL: &str = "UPDATE users SET is_confirmed = TRUE, updated_at = $2 WHERE id = $1 RETURNING nickname";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(user_id).bind(now()).fetch_optional(&mut *c).await)?)
}
