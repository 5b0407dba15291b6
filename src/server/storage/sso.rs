//! Single sign-on's rows: which provider identity (issuer, subject) signs in
//! as which account, and the sign-ins in flight between the redirect to the
//! provider and its return (single use, short-lived).

use super::{ConnRef, now, on};
use crate::error::AppError;

/// How long a sign-in may stay at the provider before its state expires.
pub const LOGIN_VALID_FOR_SECS: i64 = 600;

/// A sign-in in flight, as the callback takes it back.
#[derive(sqlx::FromRow)]
pub struct PendingLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub created_at: i64,
}

// Nonce and verifier are secrets of the flow: never in Debug output.
impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLogin").field("return_to", &self.return_to).finish_non_exhaustive()
    }
}

/// Stores a sign-in in flight, forgetting the ones that expired.
pub async fn insert_login(
    mut c: ConnRef<'_>,
    state: &str,
    nonce: &str,
    pkce_verifier: &str,
    return_to: &str,
) -> Result<(), AppError> {
    const PURGE: &str = "DELETE FROM sso_logins WHERE created_at < $1";
    const SQL: &str =
        "INSERT INTO sso_logins (state, nonce, pkce_verifier, return_to, created_at) VALUES ($1, $2, $3, $4, $5)";
    let t = now();
    on!(c.reborrow(), |c| sqlx::query(PURGE)
        .bind(t - LOGIN_VALID_FOR_SECS)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    on!(c, |c| sqlx::query(SQL)
        .bind(state)
        .bind(nonce)
        .bind(pkce_verifier)
        .bind(return_to)
        .bind(t)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes (deletes) the sign-in `state` names: `None` when unknown, already
/// taken or expired. One statement, so a state works once under any race.
pub async fn take_login(c: ConnRef<'_>, state: &str) -> Result<Option<PendingLogin>, AppError> {
    const SQL: &str = "DELETE FROM sso_logins WHERE state = $1 RETURNING nonce, pkce_verifier, return_to, created_at";
    let row: Option<PendingLogin> = on!(c, |c| sqlx::query_as(SQL).bind(state).fetch_optional(&mut *c).await)?;
    Ok(row.filter(|r| r.created_at > now() - LOGIN_VALID_FOR_SECS))
}

/// The account a provider identity is linked to.
pub async fn find_identity(c: ConnRef<'_>, issuer: &str, subject: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "SELECT user_id FROM sso_identities WHERE issuer = $1 AND subject = $2";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(issuer).bind(subject).fetch_optional(&mut *c).await)?)
}

/// Links a provider identity to an account.
pub async fn link(
    c: ConnRef<'_>,
    user_id: i64,
    issuer: &str,
    subject: &str,
    email: Option<&str>,
) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO sso_identities (user_id, issuer, subject, email, created_at) \
                       VALUES ($1, $2, $3, $4, $5)";
    on!(c, |c| sqlx::query(SQL)
        .bind(user_id)
        .bind(issuer)
        .bind(subject)
        .bind(email)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a sign-in through an identity (and the email the provider gave).
pub async fn touch_identity(c: ConnRef<'_>, issuer: &str, subject: &str, email: Option<&str>) -> Result<(), AppError> {
    const SQL: &str = "UPDATE sso_identities SET last_login_at = $3, email = COALESCE($4, email) \
                       WHERE issuer = $1 AND subject = $2";
    on!(c, |c| sqlx::query(SQL)
        .bind(issuer)
        .bind(subject)
        .bind(now())
        .bind(email)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The local account with this email (case-insensitive).
pub async fn find_user_by_email(c: ConnRef<'_>, email: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "SELECT id FROM users WHERE lower(email) = lower($1) AND local";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(email).fetch_optional(&mut *c).await)?)
}

/// Creates an account that signs in only through single sign-on (no
/// password). `role` is never admin: the caller cannot ask for it.
pub async fn insert_user(
    c: ConnRef<'_>,
    nickname: &str,
    email: Option<&str>,
    display_name: &str,
    moderator: bool,
) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO users (nickname, email, display_name, password_hash, \
                       is_admin, is_moderator, created_at, updated_at) \
                       VALUES ($1, $2, $3, NULL, FALSE, $4, $5, $5) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(nickname)
        .bind(email)
        .bind(display_name)
        .bind(moderator)
        .bind(now())
        .fetch_one(&mut *c)
        .await)?)
}

/// Whether an active admin has a linked identity (single sign-on would let
/// them in if passwords were turned off).
pub async fn active_admin_linked(c: ConnRef<'_>) -> Result<bool, AppError> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM sso_identities s JOIN users u ON u.id = s.user_id \
                       WHERE u.is_admin AND u.is_active)";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).fetch_one(&mut *c).await)?)
}

/// Whether the account signs in through single sign-on.
pub async fn user_linked(c: ConnRef<'_>, user_id: i64) -> Result<bool, AppError> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM sso_identities WHERE user_id = $1)";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(user_id).fetch_one(&mut *c).await)?)
}
