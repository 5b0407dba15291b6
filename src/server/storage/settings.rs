//! The settings store's rows: one JSON document per key with its version,
//! and every version kept (who, when, before/after). The typed layer above
//! is `server::settings`.

use super::{ConnRef, now, on};
use crate::error::AppError;

/// A stored document: its JSON and version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub value: String,
    pub version: i64,
}

pub async fn get(c: ConnRef<'_>, key: &str) -> Result<Option<Row>, AppError> {
    const SQL: &str = "SELECT value, version FROM settings WHERE key = $1";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(key).fetch_optional(&mut *c).await)?)
}

/// The document, locked for the rest of the transaction on PostgreSQL (a
/// SQLite write transaction already excludes other writers). A document
/// never stored yet is created at version 0 with `default`, so there is a
/// row to lock even for the first change.
pub async fn lock(mut c: ConnRef<'_>, key: &str, default: &str) -> Result<Row, AppError> {
    const CREATE: &str = "INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 0, $3) \
                          ON CONFLICT (key) DO NOTHING";
    const SELECT: &str = "SELECT value, version FROM settings WHERE key = $1";
    const SELECT_LOCKED: &str = "SELECT value, version FROM settings WHERE key = $1 FOR UPDATE";
    on!(c.reborrow(), |c| sqlx::query(CREATE)
        .bind(key)
        .bind(default)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(match c {
        ConnRef::Sqlite(c) => sqlx::query_as(SELECT).bind(key).fetch_one(&mut *c).await?,
        ConnRef::Postgres(c) => sqlx::query_as(SELECT_LOCKED).bind(key).fetch_one(&mut *c).await?,
    })
}

/// Stores `value` as version `version` (the locked row's version plus one).
pub async fn put(c: ConnRef<'_>, key: &str, value: &str, version: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE settings SET value = $2, version = $3, updated_at = $4 WHERE key = $1";
    on!(c, |c| sqlx::query(SQL)
        .bind(key)
        .bind(value)
        .bind(version)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct NewVersion<'a> {
    pub key: &'a str,
    pub version: i64,
    pub before: Option<&'a str>,
    pub after: &'a str,
    pub actor_id: i64,
    pub actor_nickname: &'a str,
}

pub async fn record_version(c: ConnRef<'_>, v: NewVersion<'_>) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO settings_versions \
                       (key, version, before, after, actor_id, actor_nickname, created_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on!(c, |c| sqlx::query(SQL)
        .bind(v.key)
        .bind(v.version)
        .bind(v.before)
        .bind(v.after)
        .bind(v.actor_id)
        .bind(v.actor_nickname)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One kept version of any document, with its row id (what a revert names).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub id: i64,
    pub key: String,
    pub version: i64,
    pub before: Option<String>,
    pub after: String,
    pub actor_id: Option<i64>,
    pub actor_nickname: String,
    pub created_at: i64,
}

const HISTORY_COLUMNS: &str = "id, key, version, before, after, actor_id, actor_nickname, created_at";

/// The versions of the documents in `keys`, newest first, older than the row
/// `before_id` when given (keyset pages).
pub async fn history(
    c: ConnRef<'_>,
    keys: &[&str],
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<HistoryRow>, AppError> {
    let placeholders: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT {HISTORY_COLUMNS} FROM settings_versions WHERE id < $1 AND key IN ({}) ORDER BY id DESC LIMIT $2",
        placeholders.join(", ")
    );
    let before = before_id.unwrap_or(i64::MAX);
    Ok(on!(c, |c| {
        let mut q = sqlx::query_as(&sql).bind(before).bind(limit);
        for k in keys {
            q = q.bind(*k);
        }
        q.fetch_all(&mut *c).await
    })?)
}

/// One kept version by its row id.
pub async fn history_entry(c: ConnRef<'_>, id: i64) -> Result<Option<HistoryRow>, AppError> {
    let sql = format!("SELECT {HISTORY_COLUMNS} FROM settings_versions WHERE id = $1");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)?)
}
