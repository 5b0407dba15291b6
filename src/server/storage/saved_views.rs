//! Saved user-list views: a name and a query string, per staff member.

use serde::{Deserialize, Serialize};

use super::{ConnRef, now, on};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    /// Query string of `/users`, without the page position.
    pub query: String,
}

/// A person keeps a handful; the sidebar shows all of them.
pub const MAX_PER_OWNER: i64 = 50;

pub async fn list(c: ConnRef<'_>, owner_id: i64) -> Result<Vec<SavedView>, AppError> {
    const SQL: &str = "SELECT id, name, query FROM saved_views WHERE owner_id = $1 ORDER BY lower(name), id";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(owner_id).fetch_all(&mut *c).await)?)
}

pub async fn count(c: ConnRef<'_>, owner_id: i64) -> Result<i64, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM saved_views WHERE owner_id = $1";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(owner_id).fetch_one(&mut *c).await)?)
}

/// Fails with a conflict on `name` if the owner already has a view so named.
pub async fn insert(c: ConnRef<'_>, owner_id: i64, name: &str, query: &str) -> Result<i64, AppError> {
    const SQL: &str =
        "INSERT INTO saved_views (owner_id, name, query, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(owner_id).bind(name).bind(query).bind(now()).fetch_one(&mut *c).await)?)
}

/// Deletes one of the owner's views; returns its name if it existed.
pub async fn delete(c: ConnRef<'_>, owner_id: i64, id: i64) -> Result<Option<String>, AppError> {
    const SQL: &str = "DELETE FROM saved_views WHERE id = $1 AND owner_id = $2 RETURNING name";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(id).bind(owner_id).fetch_optional(&mut *c).await)?)
}
