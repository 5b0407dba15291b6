//! Users: the queries the foundation needs (sign-in, staff lookup, creation,
//! password change). The user list and bulk actions live beside these.

use super::{ConnRef, now, on};
use crate::domain::Staff;
use crate::domain::{Email, Nickname, Role};
use crate::error::AppError;

/// What sign-in needs to decide, fetched by nickname.
#[derive(Debug, sqlx::FromRow)]
pub struct LoginRow {
    pub id: i64,
    pub nickname: String,
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub is_moderator: bool,
    pub is_active: bool,
    /// Sessions signed in under another epoch have ended.
    pub session_epoch: i64,
    /// An admin requires a new password before this account may sign in.
    pub password_reset_pending: bool,
}

impl LoginRow {
    /// The staff identity this row may sign in as, if any.
    pub fn staff(&self) -> Option<Staff> {
        let role = Role::from_flags(self.is_admin, self.is_moderator)?;
        self.is_active.then(|| Staff { id: self.id, nickname: self.nickname.clone(), role })
    }
}

pub async fn find_for_login(c: ConnRef<'_>, nickname: &str) -> Result<Option<LoginRow>, AppError> {
    const SQL: &str = "SELECT id, nickname, password_hash, is_admin, is_moderator, is_active, \
                       session_epoch, password_reset_pending \
                       FROM users WHERE lower(nickname) = lower($1) AND local";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(nickname).fetch_optional(&mut *c).await)?)
}

pub async fn find_login_by_id(c: ConnRef<'_>, id: i64) -> Result<Option<LoginRow>, AppError> {
    const SQL: &str = "SELECT id, nickname, password_hash, is_admin, is_moderator, is_active, \
                       session_epoch, password_reset_pending \
                       FROM users WHERE id = $1";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await)?)
}

/// The staff member behind a session signed in at `epoch`, or `None` if they
/// were since deactivated, demoted or deleted, or their sessions were ended
/// (any of which ends the session).
pub async fn find_staff(c: ConnRef<'_>, id: i64, epoch: i64) -> Result<Option<Staff>, AppError> {
    Ok(find_login_by_id(c, id).await?.filter(|row| row.session_epoch == epoch).and_then(|row| row.staff()))
}

pub async fn admin_exists(c: ConnRef<'_>) -> Result<bool, AppError> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM users WHERE is_admin AND is_active)";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).fetch_one(&mut *c).await)?)
}

/// A local account to create; the password is already hashed.
pub struct NewUser<'a> {
    pub nickname: &'a Nickname,
    pub email: &'a Email,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Option<Role>,
}

pub async fn insert(c: ConnRef<'_>, u: &NewUser<'_>) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO users (nickname, email, display_name, password_hash, \
                       is_admin, is_moderator, created_at, updated_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
    let t = now();
    let is_admin = u.role == Some(Role::Admin);
    let is_moderator = u.role == Some(Role::Moderator);
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(u.nickname.as_str())
        .bind(u.email.as_str())
        .bind(u.display_name)
        .bind(u.password_hash)
        .bind(is_admin)
        .bind(is_moderator)
        .bind(t)
        .fetch_one(&mut *c)
        .await)?)
}

/// Sets a new password, which ends every session of the account (a session
/// that should go on stores the returned epoch).
pub async fn set_password_hash(c: ConnRef<'_>, id: i64, hash: &str) -> Result<i64, AppError> {
    const SQL: &str = "UPDATE users SET password_hash = $2, password_reset_pending = FALSE, \
                       session_epoch = session_epoch + 1, updated_at = $3 WHERE id = $1 RETURNING session_epoch";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(id).bind(hash).bind(now()).fetch_one(&mut *c).await)?)
}

pub async fn touch_last_active(c: ConnRef<'_>, id: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE users SET last_active_at = $2 WHERE id = $1";
    on!(c, |c| sqlx::query(SQL).bind(id).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The editable account fields (Pleroma's "credentials").
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub nickname: String,
    pub email: Option<String>,
    pub display_name: String,
    pub bio: String,
    pub avatar: String,
    pub actor_type: String,
    pub locked: bool,
    pub discoverable: bool,
    pub local: bool,
    pub password_reset_pending: bool,
}

pub async fn credentials(c: ConnRef<'_>, id: i64) -> Result<Option<Credentials>, AppError> {
    const SQL: &str = "SELECT id, nickname, email, display_name, bio, avatar, actor_type, locked, discoverable, \
                       local, password_reset_pending FROM users WHERE id = $1";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await)?)
}

/// Fields to change; `None` keeps the stored value. Already validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CredentialsChange {
    pub email: Option<Email>,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub avatar: Option<String>,
    pub actor_type: Option<String>,
    pub locked: Option<bool>,
    pub discoverable: Option<bool>,
    pub password_hash: Option<String>,
}

/// Applies a change in one statement. A new password also clears a forced
/// reset (the caller ends the account's sessions and tokens).
pub async fn update_credentials(c: ConnRef<'_>, id: i64, ch: &CredentialsChange) -> Result<u64, AppError> {
    const SQL: &str = "UPDATE users SET email = COALESCE($2, email), display_name = COALESCE($3, display_name), \
        bio = COALESCE($4, bio), avatar = COALESCE($5, avatar), actor_type = COALESCE($6, actor_type), \
        locked = COALESCE($7, locked), discoverable = COALESCE($8, discoverable), \
        password_hash = COALESCE($9, password_hash), \
        password_reset_pending = CASE WHEN $10 THEN FALSE ELSE password_reset_pending END, updated_at = $11 \
        WHERE id = $1";
    Ok(on!(c, |c| sqlx::query(SQL)
        .bind(id)
        .bind(ch.email.as_ref().map(Email::as_str))
        .bind(ch.display_name.as_deref())
        .bind(ch.bio.as_deref())
        .bind(ch.avatar.as_deref())
        .bind(ch.actor_type.as_deref())
        .bind(ch.locked)
        .bind(ch.discoverable)
        .bind(ch.password_hash.as_deref())
        .bind(ch.password_hash.is_some())
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?)
}

pub async fn nickname_taken(c: ConnRef<'_>, nickname: &str) -> Result<bool, AppError> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM users WHERE lower(nickname) = lower($1))";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(nickname).fetch_one(&mut *c).await)?)
}

pub async fn email_taken(c: ConnRef<'_>, email: &str) -> Result<bool, AppError> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(email).fetch_one(&mut *c).await)?)
}
