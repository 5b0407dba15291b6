//! OAuth clients, authorization codes, and the API tokens they obtain. Every
//! secret (client secret, code, access and refresh token) is stored as its
//! SHA-256 only.

use super::{ConnRef, now, on};
use crate::error::AppError;

/// The columns of [`App`], for `concat!`.
macro_rules! app_cols {
    () => {
        "id, client_id, secret_hash, name, redirect_uris, scopes, website, trusted, trusted_by"
    };
}

/// How long an authorization code may wait to be exchanged.
pub const CODE_TTL_SECS: i64 = 600;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct App {
    pub id: i64,
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    pub redirect_uris: String,
    pub scopes: String,
    pub website: Option<String>,
    pub trusted: bool,
    pub trusted_by: Option<i64>,
}

impl App {
    pub fn allows_redirect(&self, uri: &str) -> bool {
        self.redirect_uris.lines().any(|u| u == uri)
    }
}

pub struct NewApp<'a> {
    pub client_id: &'a str,
    pub secret_hash: &'a str,
    pub name: &'a str,
    pub redirect_uris: &'a str,
    pub scopes: &'a str,
    pub website: Option<&'a str>,
}

pub async fn insert_app(c: ConnRef<'_>, a: &NewApp<'_>) -> Result<App, AppError> {
    const SQL: &str = concat!(
        "INSERT INTO oauth_apps (client_id, secret_hash, name, redirect_uris, scopes, website, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
        app_cols!()
    );
    Ok(on!(c, |x| sqlx::query_as(SQL)
        .bind(a.client_id)
        .bind(a.secret_hash)
        .bind(a.name)
        .bind(a.redirect_uris)
        .bind(a.scopes)
        .bind(a.website)
        .bind(now())
        .fetch_one(&mut *x)
        .await)?)
}

pub async fn app_by_client_id(c: ConnRef<'_>, client_id: &str) -> Result<Option<App>, AppError> {
    const SQL: &str = concat!("SELECT ", app_cols!(), " FROM oauth_apps WHERE client_id = $1");
    Ok(on!(c, |x| sqlx::query_as(SQL).bind(client_id).fetch_optional(&mut *x).await)?)
}

/// An authorization code as granted on the consent page.
pub struct NewCode<'a> {
    pub code_hash: &'a str,
    pub app_id: i64,
    pub user_id: i64,
    pub redirect_uri: &'a str,
    pub scopes: &'a str,
    pub challenge: Option<&'a str>,
    pub challenge_method: Option<&'a str>,
}

pub async fn insert_code(c: ConnRef<'_>, k: &NewCode<'_>) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO oauth_codes (code_hash, app_id, user_id, redirect_uri, scopes, challenge, \
                       challenge_method, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on!(c, |x| sqlx::query(SQL)
        .bind(k.code_hash)
        .bind(k.app_id)
        .bind(k.user_id)
        .bind(k.redirect_uri)
        .bind(k.scopes)
        .bind(k.challenge)
        .bind(k.challenge_method)
        .bind(now() + CODE_TTL_SECS)
        .execute(&mut *x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Code {
    pub app_id: i64,
    pub user_id: i64,
    pub redirect_uri: String,
    pub scopes: String,
    pub challenge: Option<String>,
    pub challenge_method: Option<String>,
}

/// Uses a live code up and returns it; `None` if it is unknown, expired or
/// used (one statement, so a code is exchanged once however often it is sent).
pub async fn take_code(c: ConnRef<'_>, code_hash: &str) -> Result<Option<Code>, AppError> {
    const SQL: &str = "UPDATE oauth_codes SET used_at = $2 \
                       WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                       RETURNING app_id, user_id, redirect_uri, scopes, challenge, challenge_method";
    Ok(on!(c, |x| sqlx::query_as(SQL).bind(code_hash).bind(now()).fetch_optional(&mut *x).await)?)
}

/// An access token for `user_id` through `app`, with its refresh token.
pub struct NewToken<'a> {
    pub user_id: i64,
    pub app: &'a App,
    pub scopes: &'a str,
    pub token_hash: &'a str,
    pub refresh_hash: &'a str,
}

pub async fn insert_token(c: ConnRef<'_>, t: &NewToken<'_>) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO api_tokens (user_id, label, scope, token_hash, created_at, app_id, oauth_scopes, \
                       refresh_hash) VALUES ($1, $2, 'admin', $3, $4, $5, $6, $7) RETURNING id";
    Ok(on!(c, |x| sqlx::query_scalar(SQL)
        .bind(t.user_id)
        .bind(&t.app.name)
        .bind(t.token_hash)
        .bind(now())
        .bind(t.app.id)
        .bind(t.scopes)
        .bind(t.refresh_hash)
        .fetch_one(&mut *x)
        .await)?)
}

/// A live token of `app` with this refresh token, revoked in the same
/// statement (refreshing rotates both): `(user_id, scopes)`.
pub async fn take_refresh(c: ConnRef<'_>, app_id: i64, refresh_hash: &str) -> Result<Option<(i64, String)>, AppError> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $3, refresh_hash = NULL \
                       WHERE app_id = $1 AND refresh_hash = $2 AND revoked_at IS NULL \
                       RETURNING user_id, oauth_scopes";
    let row: Option<(i64, Option<String>)> =
        on!(c, |x| sqlx::query_as(SQL).bind(app_id).bind(refresh_hash).bind(now()).fetch_optional(&mut *x).await)?;
    Ok(row.map(|(user, scopes)| (user, scopes.unwrap_or_default())))
}

/// Revokes the token of `app` whose access or refresh token hashes to
/// `hash`; returns its owner if one was live.
pub async fn revoke(c: ConnRef<'_>, app_id: i64, hash: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $3, refresh_hash = NULL \
                       WHERE app_id = $1 AND (token_hash = $2 OR refresh_hash = $2) AND revoked_at IS NULL \
                       RETURNING user_id";
    Ok(on!(c, |x| sqlx::query_scalar(SQL).bind(app_id).bind(hash).bind(now()).fetch_optional(&mut *x).await)?)
}

// ── The admin API's view (Pleroma's `/oauth_app`) ─────────────────────────────

/// Filters of `GET /oauth_app`; `None` matches everything.
#[derive(Debug, Default, Clone)]
pub struct AppFilter {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    pub client_id: Option<String>,
    pub trusted: Option<bool>,
}

/// One page of apps (newest first) and how many match in all.
pub async fn list_apps(
    mut c: ConnRef<'_>,
    f: &AppFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<App>, i64), AppError> {
    // CASTs type the optional parameters for PostgreSQL; the same text works on SQLite.
    const WHERE: &str = " FROM oauth_apps \
        WHERE (CAST($1 AS TEXT) IS NULL OR lower(name) LIKE lower(CAST($1 AS TEXT)) ESCAPE '\\') \
        AND (CAST($2 AS TEXT) IS NULL OR client_id = CAST($2 AS TEXT)) \
        AND (CAST($3 AS INTEGER) IS NULL OR trusted = (CAST($3 AS INTEGER) = 1))";
    let pattern = f.name.as_deref().map(super::sql::contains_pattern);
    let trusted = f.trusted.map(i64::from);
    let count_sql = format!("SELECT COUNT(*){WHERE}");
    let count: i64 = on!(c.reborrow(), |x| sqlx::query_scalar(&count_sql)
        .bind(pattern.as_deref())
        .bind(f.client_id.as_deref())
        .bind(trusted)
        .fetch_one(&mut *x)
        .await)?;
    let page_sql = format!("SELECT {}{WHERE} ORDER BY id DESC LIMIT $4 OFFSET $5", app_cols!());
    let rows: Vec<App> = on!(c, |x| sqlx::query_as(&page_sql)
        .bind(pattern.as_deref())
        .bind(f.client_id.as_deref())
        .bind(trusted)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *x)
        .await)?;
    Ok((rows, count))
}

pub async fn app_by_id(c: ConnRef<'_>, id: i64) -> Result<Option<App>, AppError> {
    const SQL: &str = concat!("SELECT ", app_cols!(), " FROM oauth_apps WHERE id = $1");
    Ok(on!(c, |x| sqlx::query_as(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// Marks an app trusted (by `by`) or not.
pub async fn set_trusted(c: ConnRef<'_>, id: i64, trusted: bool, by: Option<i64>) -> Result<(), AppError> {
    const SQL: &str = "UPDATE oauth_apps SET trusted = $2, trusted_by = $3, updated_at = $4 WHERE id = $1";
    on!(c, |x| sqlx::query(SQL)
        .bind(id)
        .bind(trusted)
        .bind(by)
        .bind(now())
        .execute(&mut *x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The editable fields, all given (the caller merges a PATCH into the row).
pub struct AppEdit<'a> {
    pub name: &'a str,
    pub redirect_uris: &'a str,
    pub scopes: &'a str,
    pub website: Option<&'a str>,
}

pub async fn update_app(c: ConnRef<'_>, id: i64, e: &AppEdit<'_>) -> Result<(), AppError> {
    const SQL: &str = "UPDATE oauth_apps SET name = $2, redirect_uris = $3, scopes = $4, website = $5, \
                       updated_at = $6 WHERE id = $1";
    on!(c, |x| sqlx::query(SQL)
        .bind(id)
        .bind(e.name)
        .bind(e.redirect_uris)
        .bind(e.scopes)
        .bind(e.website)
        .bind(now())
        .execute(&mut *x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces the secret; the old one stops working at once.
pub async fn set_secret(c: ConnRef<'_>, id: i64, secret_hash: &str) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE oauth_apps SET secret_hash = $2, updated_at = $3 WHERE id = $1";
    let n = on!(c, |x| sqlx::query(SQL)
        .bind(id)
        .bind(secret_hash)
        .bind(now())
        .execute(&mut *x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Deletes an app with its codes and tokens (explicitly, not trusting the
/// foreign keys' cascade to be switched on); `false` if there was none.
pub async fn delete_app(mut c: ConnRef<'_>, id: i64) -> Result<bool, AppError> {
    for sql in ["DELETE FROM oauth_codes WHERE app_id = $1", "DELETE FROM api_tokens WHERE app_id = $1"] {
        on!(c.reborrow(), |x| sqlx::query(sql).bind(id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    }
    let n = on!(c, |x| sqlx::query("DELETE FROM oauth_apps WHERE id = $1")
        .bind(id)
        .execute(&mut *x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// An intake-scoped token for a trusted app's client_credentials grant,
/// owned by `user_id` (the admin who marked the app trusted).
pub async fn insert_intake_token(c: ConnRef<'_>, user_id: i64, app: &App, token_hash: &str) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO api_tokens (user_id, label, scope, token_hash, created_at, app_id, oauth_scopes) \
                       VALUES ($1, $2, 'intake', $3, $4, $5, 'intake') RETURNING id";
    Ok(on!(c, |x| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(&app.name)
        .bind(token_hash)
        .bind(now())
        .bind(app.id)
        .fetch_one(&mut *x)
        .await)?)
}

/// [`app_by_id`], locking the row until the transaction ends (SQLite's write
/// transaction already holds the database).
pub async fn lock_app(c: ConnRef<'_>, id: i64) -> Result<Option<App>, AppError> {
    const SQL: &str = concat!("SELECT ", app_cols!(), " FROM oauth_apps WHERE id = $1");
    Ok(match c {
        ConnRef::Sqlite(c) => sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await?,
        ConnRef::Postgres(c) => sqlx::query_as(&format!("{SQL} FOR UPDATE")).bind(id).fetch_optional(&mut *c).await?,
    })
}

/// Revokes the intake tokens of an app that is no longer trusted.
pub async fn revoke_intake_tokens(c: ConnRef<'_>, app_id: i64) -> Result<u64, AppError> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $2 \
                       WHERE app_id = $1 AND scope = 'intake' AND revoked_at IS NULL";
    Ok(on!(c, |x| sqlx::query(SQL).bind(app_id).bind(now()).execute(&mut *x).await.map(|r| r.rows_affected()))?)
}
