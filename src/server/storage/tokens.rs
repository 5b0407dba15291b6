//! API tokens: only their SHA-256 is stored; the token itself is shown once.

use serde::{Deserialize, Serialize};

use super::{ConnRef, now, on};
use crate::domain::Role;
use crate::domain::Staff;
use crate::error::AppError;

/// What a token may do: act on the admin API as its owner, feed content in,
/// or replace one organization's settings document (Flashback's
/// `POST /settings/organization`; such a token names its organization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    Admin,
    Intake,
    Organization,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Admin => "admin",
            Scope::Intake => "intake",
            Scope::Organization => "organization",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "admin" => Some(Scope::Admin),
            "intake" => Some(Scope::Intake),
            "organization" => Some(Scope::Organization),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub scope: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn insert(c: ConnRef<'_>, user_id: i64, label: &str, scope: Scope, hash: &str) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO api_tokens (user_id, label, scope, token_hash, created_at) \
                       VALUES ($1, $2, $3, $4, $5) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(label)
        .bind(scope.as_str())
        .bind(hash)
        .bind(now())
        .fetch_one(&mut *c)
        .await)?)
}

/// A token bound to `organization_id` (scope `organization`), made by `user_id`.
pub async fn insert_for_organization(
    c: ConnRef<'_>,
    user_id: i64,
    organization_id: i64,
    label: &str,
    hash: &str,
) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO api_tokens (user_id, organization_id, label, scope, token_hash, created_at) \
                       VALUES ($1, $2, $3, 'organization', $4, $5) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(organization_id)
        .bind(label)
        .bind(hash)
        .bind(now())
        .fetch_one(&mut *c)
        .await)?)
}

/// Every token of one user, newest first (a user holds a handful).
pub async fn list_for_user(c: ConnRef<'_>, user_id: i64) -> Result<Vec<TokenRow>, AppError> {
    const SQL: &str = "SELECT id, label, scope, created_at, last_used_at, revoked_at \
                       FROM api_tokens WHERE user_id = $1 ORDER BY id DESC";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(user_id).fetch_all(&mut *c).await)?)
}

/// Revokes one of `user_id`'s live tokens; returns its label if there was one.
pub async fn revoke(c: ConnRef<'_>, user_id: i64, id: i64) -> Result<Option<String>, AppError> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $3 \
                       WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING label";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(id).bind(user_id).bind(now()).fetch_optional(&mut *c).await)?)
}

#[derive(sqlx::FromRow)]
struct HolderRow {
    token_id: i64,
    scope: String,
    last_used_at: Option<i64>,
    oauth_scopes: Option<String>,
    user_id: i64,
    nickname: String,
    is_admin: bool,
    is_moderator: bool,
    organization_id: Option<i64>,
}

/// A live token and who holds it.
#[derive(Debug)]
pub struct Holder {
    pub token_id: i64,
    pub scope: Scope,
    pub staff: Staff,
    pub last_used_at: Option<i64>,
    /// What an OAuth client was granted (`None`: a token made in the console
    /// or CLI, which may do all its owner's role allows).
    pub oauth_scopes: Option<String>,
    /// The organization an `organization`-scoped token acts for.
    pub organization_id: Option<i64>,
}

/// A live token's owner, if the token exists, is not revoked, and its owner is
/// still active staff (tokens carry their owner's current role).
pub async fn find_holder(c: ConnRef<'_>, hash: &str) -> Result<Option<Holder>, AppError> {
    const SQL: &str = "SELECT t.id AS token_id, t.scope, t.last_used_at, t.oauth_scopes, u.id AS user_id, \
                       u.nickname, u.is_admin, u.is_moderator, t.organization_id \
                       FROM api_tokens t JOIN users u ON u.id = t.user_id \
                       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.is_active";
    let row: Option<HolderRow> = on!(c, |c| sqlx::query_as(SQL).bind(hash).fetch_optional(&mut *c).await)?;
    Ok(row.and_then(|h| {
        let scope = Scope::parse(&h.scope)?;
        let role = match scope {
            Scope::Admin => Role::from_flags(h.is_admin, h.is_moderator)?,
            // Intake tokens act for a service, not a person; they never reach the admin API.
            // Organization tokens act for their organization; their holder is
            // never staff on the admin API either.
            Scope::Intake | Scope::Organization => Role::Moderator,
        };
        let staff = Staff { id: h.user_id, nickname: h.nickname, role };
        Some(Holder {
            token_id: h.token_id,
            scope,
            staff,
            last_used_at: h.last_used_at,
            oauth_scopes: h.oauth_scopes,
            organization_id: h.organization_id,
        })
    }))
}

pub async fn touch(c: ConnRef<'_>, token_id: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1";
    on!(c, |c| sqlx::query(SQL).bind(token_id).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A token's label.
pub async fn label(c: ConnRef<'_>, token_id: i64) -> Result<Option<String>, AppError> {
    const SQL: &str = "SELECT label FROM api_tokens WHERE id = $1";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(token_id).fetch_optional(&mut *c).await)?)
}
