//! Clerk's allowlist and blocklist identifiers: email addresses and domains.
//! Identifiers are stored lower case; a domain is stored without `@`.

use super::sql::Sql;
use super::{ConnRef, on};
use crate::error::AppError;

pub const ALLOWLIST: &str = "allowlist";
pub const BLOCKLIST: &str = "blocklist";

/// The lists (`allowlist`, `blocklist`) holding any of `candidates` (the
/// forms of one address the caller derived: the address, its canonical
/// form, its domain and parent domains).
pub async fn lists_holding(c: ConnRef<'_>, candidates: &[String]) -> Result<Vec<String>, AppError> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(c, |c| {
        let mut q = Sql::new("SELECT DISTINCT list FROM restriction_identifiers");
        q.and().push_in("identifier", candidates);
        q.build_query_scalar().fetch_all(&mut *c).await
    })?)
}

/// One identifier on a list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub list: String,
    pub identifier: String,
    /// `email_address` or `domain`.
    pub identifier_type: String,
    pub created_at: i64,
}

/// The most identifiers one list may hold, so the page and the API stay bounded.
pub const MAX_PER_LIST: i64 = 5000;

/// The identifiers of `list`, alphabetically.
pub async fn list(c: ConnRef<'_>, list: &str) -> Result<Vec<Row>, AppError> {
    const SQL: &str = "SELECT id, list, identifier, identifier_type, created_at FROM restriction_identifiers \
                       WHERE list = $1 ORDER BY identifier LIMIT $2";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(list).bind(MAX_PER_LIST).fetch_all(&mut *c).await)?)
}

pub async fn count(c: ConnRef<'_>, list: &str) -> Result<i64, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM restriction_identifiers WHERE list = $1";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(list).fetch_one(&mut *c).await)?)
}

/// Adds `identifier` to `list`; `None` when the list already holds it.
pub async fn insert(
    c: ConnRef<'_>,
    list: &str,
    identifier: &str,
    identifier_type: &str,
    created_by: i64,
) -> Result<Option<Row>, AppError> {
    const SQL: &str = "INSERT INTO restriction_identifiers (list, identifier, identifier_type, created_by, created_at) \
                       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (list, identifier) DO NOTHING \
                       RETURNING id, list, identifier, identifier_type, created_at";
    Ok(on!(c, |c| sqlx::query_as(SQL)
        .bind(list)
        .bind(identifier)
        .bind(identifier_type)
        .bind(created_by)
        .bind(super::now())
        .fetch_optional(&mut *c)
        .await)?)
}

/// Removes identifier `id` from `list`; `None` when it is not there.
pub async fn delete(c: ConnRef<'_>, list: &str, id: i64) -> Result<Option<Row>, AppError> {
    const SQL: &str = "DELETE FROM restriction_identifiers WHERE list = $1 AND id = $2 \
                       RETURNING id, list, identifier, identifier_type, created_at";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(list).bind(id).fetch_optional(&mut *c).await)?)
}
