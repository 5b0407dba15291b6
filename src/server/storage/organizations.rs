//! Organizations (Clerk), their members and verified domains, and the
//! Flashback settings document each one carries with its versions.

use super::sql::contains_pattern;
use super::{ConnRef, now, on};
use crate::error::AppError;

/// One organization with its member and domain counts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub settings_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub members: i64,
    pub domains: i64,
}

const COLUMNS: &str = "o.id, o.name, o.slug, o.settings_version, o.created_at, o.updated_at, \
    (SELECT COUNT(*) FROM organization_members m WHERE m.organization_id = o.id) AS members, \
    (SELECT COUNT(*) FROM organization_domains d WHERE d.organization_id = o.id) AS domains";

/// One page of organizations, by name, whose name or slug contains `query`,
/// and how many match in all.
pub async fn list(
    c: ConnRef<'_>,
    query: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OrgRow>, i64), AppError> {
    let pattern = query.map(contains_pattern);
    const WHERE: &str =
        "WHERE ($1 IS NULL OR lower(o.name) LIKE lower($1) ESCAPE '\\' OR o.slug LIKE lower($1) ESCAPE '\\')";
    let rows_sql =
        format!("SELECT {COLUMNS} FROM organizations o {WHERE} ORDER BY lower(o.name), o.id LIMIT $2 OFFSET $3");
    let count_sql = format!("SELECT COUNT(*) FROM organizations o {WHERE}");
    on!(c, |c| {
        let rows = sqlx::query_as(&rows_sql).bind(&pattern).bind(limit).bind(offset).fetch_all(&mut *c).await?;
        let total: i64 = sqlx::query_scalar(&count_sql).bind(&pattern).fetch_one(&mut *c).await?;
        Ok((rows, total))
    })
}

pub async fn find(c: ConnRef<'_>, id: i64) -> Result<Option<OrgRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM organizations o WHERE o.id = $1");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)?)
}

/// Locks the organization's row for the rest of the transaction; `false` if
/// there is none. On PostgreSQL `FOR UPDATE` makes member counts and
/// settings versions read under it exact; SQLite's write transaction
/// already excludes every other writer.
pub async fn lock(c: ConnRef<'_>, id: i64) -> Result<bool, AppError> {
    let found: Option<i64> = match c {
        ConnRef::Postgres(x) => {
            sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *x)
                .await?
        }
        ConnRef::Sqlite(x) => {
            sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1").bind(id).fetch_optional(&mut *x).await?
        }
    };
    Ok(found.is_some())
}

pub async fn insert(c: ConnRef<'_>, name: &str, slug: &str, created_by: i64) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO organizations (name, slug, created_by, created_at, updated_at) \
                       VALUES ($1, $2, $3, $4, $4) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(name).bind(slug).bind(created_by).bind(now()).fetch_one(&mut *c).await)?)
}

/// Renames (and re-slugs) an organization; `false` if there is none.
pub async fn rename(c: ConnRef<'_>, id: i64, name: &str, slug: &str) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE organizations SET name = $2, slug = $3, updated_at = $4 WHERE id = $1 RETURNING id";
    let hit: Option<i64> =
        on!(c, |c| sqlx::query_scalar(SQL).bind(id).bind(name).bind(slug).bind(now()).fetch_optional(&mut *c).await)?;
    Ok(hit.is_some())
}

/// Deletes an organization with its members, domains, versions and tokens.
pub async fn delete(c: ConnRef<'_>, id: i64) -> Result<bool, AppError> {
    const SQL: &str = "DELETE FROM organizations WHERE id = $1 RETURNING id";
    let hit: Option<i64> = on!(c, |c| sqlx::query_scalar(SQL).bind(id).fetch_optional(&mut *c).await)?;
    Ok(hit.is_some())
}

// ── The settings document ────────────────────────────────────────────────

/// The stored document (compact JSON) and its version.
pub async fn settings(c: ConnRef<'_>, id: i64) -> Result<Option<(String, i64)>, AppError> {
    const SQL: &str = "SELECT settings, settings_version FROM organizations WHERE id = $1";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(id).fetch_optional(&mut *c).await)?)
}

pub async fn put_settings(c: ConnRef<'_>, id: i64, doc: &str, version: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE organizations SET settings = $2, settings_version = $3, updated_at = $4 WHERE id = $1";
    on!(c, |c| sqlx::query(SQL)
        .bind(id)
        .bind(doc)
        .bind(version)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One replacement of a settings document.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub version: i64,
    pub before: String,
    pub after: String,
    pub actor_nickname: String,
    pub created_at: i64,
}

pub struct NewVersion<'a> {
    pub organization_id: i64,
    pub version: i64,
    pub before: &'a str,
    pub after: &'a str,
    pub actor_id: i64,
    pub actor_nickname: &'a str,
}

pub async fn record_version(c: ConnRef<'_>, v: NewVersion<'_>) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO organization_settings_versions \
                       (organization_id, version, before, after, actor_id, actor_nickname, created_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on!(c, |c| sqlx::query(SQL)
        .bind(v.organization_id)
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

/// The latest `limit` replacements, newest first.
pub async fn versions(c: ConnRef<'_>, id: i64, limit: i64) -> Result<Vec<VersionRow>, AppError> {
    const SQL: &str = "SELECT version, before, after, actor_nickname, created_at \
                       FROM organization_settings_versions WHERE organization_id = $1 \
                       ORDER BY version DESC LIMIT $2";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(id).bind(limit).fetch_all(&mut *c).await)?)
}

// ── Members ──────────────────────────────────────────────────────────────

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub nickname: String,
    pub role: String,
    pub created_at: i64,
}

pub async fn members(c: ConnRef<'_>, id: i64) -> Result<Vec<MemberRow>, AppError> {
    const SQL: &str = "SELECT m.user_id, u.nickname, m.role, m.created_at \
                       FROM organization_members m JOIN users u ON u.id = m.user_id \
                       WHERE m.organization_id = $1 ORDER BY lower(u.nickname), m.user_id";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(id).fetch_all(&mut *c).await)?)
}

pub async fn member(c: ConnRef<'_>, id: i64, user_id: i64) -> Result<Option<MemberRow>, AppError> {
    const SQL: &str = "SELECT m.user_id, u.nickname, m.role, m.created_at \
                       FROM organization_members m JOIN users u ON u.id = m.user_id \
                       WHERE m.organization_id = $1 AND m.user_id = $2";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(id).bind(user_id).fetch_optional(&mut *c).await)?)
}

pub async fn count_members(c: ConnRef<'_>, id: i64) -> Result<i64, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM organization_members WHERE organization_id = $1";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(id).fetch_one(&mut *c).await)?)
}

/// Adds a member; `false` if they already were one (nothing changes then).
pub async fn add_member(c: ConnRef<'_>, id: i64, user_id: i64, role: &str) -> Result<bool, AppError> {
    const SQL: &str = "INSERT INTO organization_members (organization_id, user_id, role, created_at) \
                       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    let n = on!(c, |c| sqlx::query(SQL)
        .bind(id)
        .bind(user_id)
        .bind(role)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Changes a member's role; the previous role, `None` if not a member.
pub async fn set_role(mut c: ConnRef<'_>, id: i64, user_id: i64, role: &str) -> Result<Option<String>, AppError> {
    let Some(m) = member(c.reborrow(), id, user_id).await? else { return Ok(None) };
    const SQL: &str = "UPDATE organization_members SET role = $3 WHERE organization_id = $1 AND user_id = $2";
    on!(c, |c| sqlx::query(SQL).bind(id).bind(user_id).bind(role).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(Some(m.role))
}

pub async fn remove_member(c: ConnRef<'_>, id: i64, user_id: i64) -> Result<bool, AppError> {
    const SQL: &str = "DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2";
    let n = on!(c, |c| sqlx::query(SQL).bind(id).bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ── Domains ──────────────────────────────────────────────────────────────

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DomainRow {
    pub id: i64,
    pub organization_id: i64,
    pub domain: String,
    pub enrollment_mode: String,
    pub verified_at: Option<i64>,
    pub created_at: i64,
}

const DOMAIN_COLUMNS: &str = "id, organization_id, domain, enrollment_mode, verified_at, created_at";

pub async fn domains(c: ConnRef<'_>, id: i64) -> Result<Vec<DomainRow>, AppError> {
    let sql = format!("SELECT {DOMAIN_COLUMNS} FROM organization_domains WHERE organization_id = $1 ORDER BY domain");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).fetch_all(&mut *c).await)?)
}

/// One domain of organization `id`.
pub async fn domain(c: ConnRef<'_>, id: i64, domain_id: i64) -> Result<Option<DomainRow>, AppError> {
    let sql = format!("SELECT {DOMAIN_COLUMNS} FROM organization_domains WHERE organization_id = $1 AND id = $2");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).bind(domain_id).fetch_optional(&mut *c).await)?)
}

/// The verified domain `name` (lower case), whichever organization holds it.
pub async fn verified_domain(c: ConnRef<'_>, name: &str) -> Result<Option<DomainRow>, AppError> {
    let sql =
        format!("SELECT {DOMAIN_COLUMNS} FROM organization_domains WHERE domain = $1 AND verified_at IS NOT NULL");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(name).fetch_optional(&mut *c).await)?)
}

pub async fn insert_domain(c: ConnRef<'_>, id: i64, name: &str, mode: &str) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO organization_domains (organization_id, domain, enrollment_mode, created_at) \
                       VALUES ($1, $2, $3, $4) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(id).bind(name).bind(mode).bind(now()).fetch_one(&mut *c).await)?)
}

pub async fn verify_domain(c: ConnRef<'_>, id: i64, domain_id: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE organization_domains SET verified_at = COALESCE(verified_at, $3) \
                       WHERE organization_id = $1 AND id = $2";
    on!(c, |c| sqlx::query(SQL)
        .bind(id)
        .bind(domain_id)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_mode(c: ConnRef<'_>, id: i64, domain_id: i64, mode: &str) -> Result<(), AppError> {
    const SQL: &str = "UPDATE organization_domains SET enrollment_mode = $3 WHERE organization_id = $1 AND id = $2";
    on!(c, |c| sqlx::query(SQL).bind(id).bind(domain_id).bind(mode).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_domain(c: ConnRef<'_>, id: i64, domain_id: i64) -> Result<bool, AppError> {
    const SQL: &str = "DELETE FROM organization_domains WHERE organization_id = $1 AND id = $2";
    let n = on!(c, |c| sqlx::query(SQL).bind(id).bind(domain_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

// ── Tokens bound to an organization ──────────────────────────────────────

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgTokenRow {
    pub id: i64,
    pub label: String,
    pub owner: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn tokens(c: ConnRef<'_>, id: i64) -> Result<Vec<OrgTokenRow>, AppError> {
    const SQL: &str = "SELECT t.id, t.label, u.nickname AS owner, t.created_at, t.last_used_at, t.revoked_at \
                       FROM api_tokens t JOIN users u ON u.id = t.user_id \
                       WHERE t.organization_id = $1 AND t.scope = 'organization' ORDER BY t.id DESC";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(id).fetch_all(&mut *c).await)?)
}

/// Revokes a live token of the organization; its label, `None` if none.
pub async fn revoke_token(c: ConnRef<'_>, id: i64, token_id: i64) -> Result<Option<String>, AppError> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $3 \
                       WHERE id = $2 AND organization_id = $1 AND scope = 'organization' AND revoked_at IS NULL \
                       RETURNING label";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(id).bind(token_id).bind(now()).fetch_optional(&mut *c).await)?)
}

/// A user's id and nickname by id or nickname (case-insensitive).
pub async fn find_user(
    c: ConnRef<'_>,
    id: Option<i64>,
    nickname: Option<&str>,
) -> Result<Option<(i64, String)>, AppError> {
    const SQL: &str = "SELECT id, nickname FROM users WHERE id = $1 OR lower(nickname) = lower($2) ORDER BY id LIMIT 1";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(id).bind(nickname).fetch_optional(&mut *c).await)?)
}
