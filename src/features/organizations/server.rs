//! `/organizations` and `/organizations/{id}` data, admins only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Organizations per list page.
pub const PAGE_SIZE: i64 = 50;

/// The list's URL query, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgListQuery {
    pub query: Option<String>,
    pub page: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgSummary {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub members: i64,
    pub domains: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgListData {
    pub items: Vec<OrgSummary>,
    pub total: i64,
    pub page: i64,
    pub has_next: bool,
    /// Organizations may be created (`enabled` in the organization settings).
    pub enabled: bool,
    pub notices: Vec<String>,
}

/// What the Clerk organization settings allow, for the page to say so.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    pub enabled: bool,
    pub admin_delete_enabled: bool,
    pub domains_enabled: bool,
    pub modes: Vec<String>,
    /// 0: no cap.
    pub max_members: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub nickname: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DomainView {
    pub id: i64,
    pub domain: String,
    pub mode: String,
    pub verified_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub label: String,
    pub owner: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

/// One line of a diff: `' '` kept, `'-'` removed, `'+'` added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub sign: char,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionView {
    pub version: i64,
    pub actor: String,
    pub created_at: i64,
    pub diff: Vec<DiffLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgDetail {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub created_at: i64,
    pub members: Vec<MemberView>,
    pub domains: Vec<DomainView>,
    pub tokens: Vec<TokenView>,
    /// The settings document, pretty-printed for the editor.
    pub settings_text: String,
    pub settings_version: i64,
    pub versions: Vec<VersionView>,
    pub limits: Limits,
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn organizations_page(query: OrgListQuery) -> Result<OrgListData, AppError> {
    list(&crate::auth::admin()?, query).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn organization_page(id: i64) -> Result<OrgDetail, AppError> {
    one(&crate::auth::admin()?, id).await
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn list(ctx: &crate::auth::AdminCtx, q: OrgListQuery) -> Result<OrgListData, AppError> {
    use crate::domain::query::nonempty;
    use crate::domain::settings::OrganizationSettings;
    use crate::server::state::AppState;
    use crate::server::storage::organizations as rows;

    let _ = ctx;
    let mut notices = Vec::new();
    let page = match nonempty(&q.page) {
        None => 1,
        Some(p) => p.parse::<i64>().ok().filter(|n| (1..=100_000).contains(n)).unwrap_or_else(|| {
            notices.push(format!("Ignored page={p:?}: not a page number. Showing the first page."));
            1
        }),
    };
    let query = nonempty(&q.query).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let enabled = crate::server::settings::load::<OrganizationSettings>(conn.as_ref()).await?.doc.enabled;
    let (found, total) = rows::list(conn.as_ref(), query.as_deref(), PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let items = found
        .into_iter()
        .map(|r| OrgSummary {
            id: r.id,
            name: r.name,
            slug: r.slug,
            members: r.members,
            domains: r.domains,
            created_at: r.created_at,
        })
        .collect();
    Ok(OrgListData { items, total, page, has_next: page * PAGE_SIZE < total, enabled, notices })
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
async fn one(ctx: &crate::auth::AdminCtx, id: i64) -> Result<OrgDetail, AppError> {
    use super::rules::{VERSIONS_SHOWN, pretty};
    use crate::domain::settings::OrganizationSettings;
    use crate::server::state::AppState;
    use crate::server::storage::organizations as rows;

    let _ = ctx;
    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let org = rows::find(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    let s = crate::server::settings::load::<OrganizationSettings>(conn.as_ref()).await?.doc;
    let members = rows::members(conn.as_ref(), id)
        .await?
        .into_iter()
        .map(|m| MemberView { user_id: m.user_id, nickname: m.nickname, role: m.role })
        .collect();
    let domains = rows::domains(conn.as_ref(), id)
        .await?
        .into_iter()
        .map(|d| DomainView { id: d.id, domain: d.domain, mode: d.enrollment_mode, verified_at: d.verified_at })
        .collect();
    let tokens = rows::tokens(conn.as_ref(), id)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            label: t.label,
            owner: t.owner,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let (doc, settings_version) = rows::settings(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    let versions = rows::versions(conn.as_ref(), id, VERSIONS_SHOWN)
        .await?
        .into_iter()
        .map(|v| VersionView {
            diff: super::diff::lines(&pretty(&v.before), &pretty(&v.after)),
            version: v.version,
            actor: v.actor_nickname,
            created_at: v.created_at,
        })
        .collect();
    Ok(OrgDetail {
        id,
        name: org.name,
        slug: org.slug,
        created_at: org.created_at,
        members,
        domains,
        tokens,
        settings_text: pretty(&doc),
        settings_version,
        versions,
        limits: Limits {
            enabled: s.enabled,
            admin_delete_enabled: s.admin_delete_enabled,
            domains_enabled: s.domains_enabled,
            modes: s.domains_enrollment_modes,
            max_members: s.max_allowed_memberships,
        },
    })
}
