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

/// What the console's sidebar shows on every page: the number of open reports
/// and the owner's views, in one statement (every statement is a round trip,
/// or on SQLite a hand-off to the connection's thread and back).
pub async fn sidebar(c: ConnRef<'_>, owner_id: i64) -> Result<(i64, Vec<SavedView>), AppError> {
    const SQL: &str = "SELECT (SELECT COALESCE(MAX(n), 0) FROM report_counts WHERE account_id = 0 AND state = 'open'), \
                       v.id, v.name, v.query FROM (SELECT 1) AS one LEFT JOIN saved_views v ON v.owner_id = $1 \
                       ORDER BY lower(v.name), v.id";
    type Row = (i64, Option<i64>, Option<String>, Option<String>);
    let rows: Vec<Row> = on!(c, |c| sqlx::query_as(SQL).bind(owner_id).fetch_all(&mut *c).await)?;
    let open = rows.first().map_or(0, |r| r.0);
    let views = rows
        .into_iter()
        .filter_map(|(_, id, name, query)| Some(SavedView { id: id?, name: name?, query: query? }))
        .collect();
    Ok((open, views))
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
