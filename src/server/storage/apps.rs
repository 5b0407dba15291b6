//! Apps' registration policy (rw3iss `UpdateAppRequest`) and their webhook
//! endpoints (`webhook_endpoints` rows with `kind = 'app'`). Lists are stored
//! as JSON arrays of strings; the service reads and writes them whole.

use super::{ConnRef, now, on};
use crate::error::AppError;

/// One app as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AppRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub status: String,
    pub allowed_redirect_urls: String,
    pub service_codes: String,
    pub auto_grant_on_signup: bool,
    pub frontend_url: Option<String>,
    pub allowed_email_domains: String,
    pub allowed_auth_methods: String,
    pub default_organization_id: Option<i64>,
    pub registration_namespace: Option<String>,
    pub registration_namespaces: String,
    pub read_namespaces: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One of an app's webhook endpoints. The secret stays in storage.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppWebhookRow {
    pub id: i64,
    pub app_id: i64,
    pub url: String,
    /// A JSON array of event names; `[]` is every event.
    pub events: String,
    pub enabled: bool,
    pub secret: String,
}

const COLUMNS: &str = "id, name, description, status, allowed_redirect_urls, service_codes, auto_grant_on_signup, \
                       frontend_url, allowed_email_domains, allowed_auth_methods, default_organization_id, \
                       registration_namespace, registration_namespaces, read_namespaces, created_at, updated_at";

/// Inserts `a` (its `id` and times are ignored) and returns the new id.
pub async fn insert(c: ConnRef<'_>, a: &AppRow) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO apps (name, description, status, allowed_redirect_urls, service_codes, \
                       auto_grant_on_signup, frontend_url, allowed_email_domains, allowed_auth_methods, \
                       default_organization_id, registration_namespace, registration_namespaces, read_namespaces, \
                       created_at, updated_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(&a.name)
        .bind(&a.description)
        .bind(&a.status)
        .bind(&a.allowed_redirect_urls)
        .bind(&a.service_codes)
        .bind(a.auto_grant_on_signup)
        .bind(&a.frontend_url)
        .bind(&a.allowed_email_domains)
        .bind(&a.allowed_auth_methods)
        .bind(a.default_organization_id)
        .bind(&a.registration_namespace)
        .bind(&a.registration_namespaces)
        .bind(&a.read_namespaces)
        .bind(now())
        .fetch_one(&mut *c)
        .await)?)
}

/// Writes every policy column of `a` and bumps `updated_at`.
pub async fn update(c: ConnRef<'_>, a: &AppRow) -> Result<(), AppError> {
    const SQL: &str = "UPDATE apps SET name = $2, description = $3, status = $4, allowed_redirect_urls = $5, \
                       service_codes = $6, auto_grant_on_signup = $7, frontend_url = $8, \
                       allowed_email_domains = $9, allowed_auth_methods = $10, default_organization_id = $11, \
                       registration_namespace = $12, registration_namespaces = $13, read_namespaces = $14, \
                       updated_at = $15 WHERE id = $1";
    on!(c, |c| sqlx::query(SQL)
        .bind(a.id)
        .bind(&a.name)
        .bind(&a.description)
        .bind(&a.status)
        .bind(&a.allowed_redirect_urls)
        .bind(&a.service_codes)
        .bind(a.auto_grant_on_signup)
        .bind(&a.frontend_url)
        .bind(&a.allowed_email_domains)
        .bind(&a.allowed_auth_methods)
        .bind(a.default_organization_id)
        .bind(&a.registration_namespace)
        .bind(&a.registration_namespaces)
        .bind(&a.read_namespaces)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every app, oldest first.
pub async fn list(c: ConnRef<'_>) -> Result<Vec<AppRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM apps ORDER BY id");
    Ok(on!(c, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?)
}

pub async fn find(c: ConnRef<'_>, id: i64) -> Result<Option<AppRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM apps WHERE id = $1");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)?)
}

/// The app, locked for the rest of the transaction on PostgreSQL (a SQLite
/// write transaction already excludes other writers), so concurrent edits of
/// different fields each see the other's result.
pub async fn lock(c: ConnRef<'_>, id: i64) -> Result<Option<AppRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM apps WHERE id = $1");
    Ok(match c {
        ConnRef::Sqlite(c) => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await?,
        ConnRef::Postgres(c) => sqlx::query_as(&format!("{sql} FOR UPDATE")).bind(id).fetch_optional(&mut *c).await?,
    })
}

/// Whether organization `id` exists (a default organization must).
pub async fn organization_exists(c: ConnRef<'_>, id: i64) -> Result<bool, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM organizations WHERE id = $1";
    let n: i64 = on!(c, |c| sqlx::query_scalar(SQL).bind(id).fetch_one(&mut *c).await)?;
    Ok(n > 0)
}

const HOOK_COLUMNS: &str = "id, app_id, url, events, enabled, secret";

/// The webhooks of the apps in `ids`, by app then id.
pub async fn webhooks(c: ConnRef<'_>, ids: &[i64]) -> Result<Vec<AppWebhookRow>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {HOOK_COLUMNS} FROM webhook_endpoints WHERE kind = 'app' AND app_id IN ({list}) ORDER BY app_id, id"
    );
    Ok(on!(c, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?)
}

pub async fn insert_webhook(
    c: ConnRef<'_>,
    app_id: i64,
    url: &str,
    events: &str,
    enabled: bool,
    secret: &str,
) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO webhook_endpoints (kind, app_id, url, events, enabled, secret, created_at, updated_at) \
                       VALUES ('app', $1, $2, $3, $4, $5, $6, $6) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(app_id)
        .bind(url)
        .bind(events)
        .bind(enabled)
        .bind(secret)
        .bind(now())
        .fetch_one(&mut *c)
        .await)?)
}

/// Updates an endpoint's events and switch; a new `secret` replaces the key
/// at once (no grace period: the caller chose it).
pub async fn update_webhook(
    c: ConnRef<'_>,
    id: i64,
    events: &str,
    enabled: bool,
    secret: Option<&str>,
) -> Result<(), AppError> {
    const SQL: &str = "UPDATE webhook_endpoints SET events = $2, enabled = $3, secret = COALESCE($4, secret), \
                       previous_secret = CASE WHEN $4 IS NULL THEN previous_secret END, \
                       previous_secret_until = CASE WHEN $4 IS NULL THEN previous_secret_until END, \
                       updated_at = $5 WHERE id = $1 AND kind = 'app'";
    on!(c, |c| sqlx::query(SQL)
        .bind(id)
        .bind(events)
        .bind(enabled)
        .bind(secret)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_webhook(c: ConnRef<'_>, id: i64) -> Result<(), AppError> {
    const SQL: &str = "DELETE FROM webhook_endpoints WHERE id = $1 AND kind = 'app'";
    on!(c, |c| sqlx::query(SQL).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
