//! `/api/v1/admin/organizations…`, admins only (organizations are instance
//! configuration, as the settings are): organizations, their members and
//! domains in Clerk's shapes (ids as strings; an id in a body may be a number
//! or a string), organization-bound tokens, and the Flashback settings
//! document with its versions. The limits are the Clerk organization
//! settings (see [`super::service`]).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, DomainChange, Replacer, UserRef};
use crate::api::extract::ApiJson;
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::rejections::{ApiPath, ApiQuery};
use crate::server::state::AppState;
use crate::server::storage::organizations::{self as rows, DomainRow, MemberRow, OrgRow};

/// An organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    /// `organization`.
    object: &'static str,
    id: String,
    name: String,
    slug: String,
    members_count: i64,
    domains_count: i64,
    /// The settings document's version (0: never replaced).
    settings_version: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<OrgRow> for Organization {
    fn from(r: OrgRow) -> Self {
        Organization {
            object: "organization",
            id: r.id.to_string(),
            name: r.name,
            slug: r.slug,
            members_count: r.members,
            domains_count: r.domains,
            settings_version: r.settings_version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationList {
    data: Vec<Organization>,
    total_count: i64,
    page: i64,
    page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Part of the name or slug, case-insensitive.
    query: Option<String>,
    /// Page number (default 1).
    #[param(value_type = Option<i64>, minimum = 1)]
    page: Option<String>,
    /// Organizations per page (default 50, at most 500).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    page_size: Option<String>,
}

/// A membership.
#[derive(Debug, Serialize, ToSchema)]
pub struct Membership {
    /// `organization_membership`.
    object: &'static str,
    organization_id: String,
    user_id: String,
    nickname: String,
    /// `org:admin` or `org:member`.
    role: String,
    created_at: i64,
}

fn membership(org: i64, m: MemberRow) -> Membership {
    Membership {
        object: "organization_membership",
        organization_id: org.to_string(),
        user_id: m.user_id.to_string(),
        nickname: m.nickname,
        role: m.role,
        created_at: m.created_at,
    }
}

/// A domain.
#[derive(Debug, Serialize, ToSchema)]
pub struct Domain {
    /// `organization_domain`.
    object: &'static str,
    id: String,
    organization_id: String,
    name: String,
    /// `manual_invitation`, `automatic_invitation` or `automatic_suggestion`.
    enrollment_mode: String,
    verified: bool,
    verified_at: Option<i64>,
    created_at: i64,
}

impl From<DomainRow> for Domain {
    fn from(d: DomainRow) -> Self {
        Domain {
            object: "organization_domain",
            id: d.id.to_string(),
            organization_id: d.organization_id.to_string(),
            name: d.domain,
            enrollment_mode: d.enrollment_mode,
            verified: d.verified_at.is_some(),
            verified_at: d.verified_at,
            created_at: d.created_at,
        }
    }
}

macro_rules! list_of {
    ($name:ident, $item:ty) => {
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            data: Vec<$item>,
            total_count: usize,
        }
    };
}
list_of!(MemberList, Membership);
list_of!(DomainList, Domain);
list_of!(VersionList, SettingsVersion);
list_of!(TokenList, OrgToken);

/// For the document: handlers read these fields themselves so that every
/// wrong value is a 422 naming it.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOrganization {
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// Lower-case letters, digits and hyphens; made from the name when absent.
    #[schema(max_length = 64)]
    slug: Option<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMember {
    /// A user id (number or string); or give `nickname`.
    #[schema(value_type = Option<String>)]
    user_id: Option<Value>,
    nickname: Option<String>,
    /// `org:admin` or `org:member` (default).
    role: Option<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleChange {
    /// `org:admin` or `org:member`.
    role: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDomain {
    name: String,
    /// One of the organization settings' `domains_enrollment_modes`.
    enrollment_mode: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct DomainUpdate {
    enrollment_mode: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct SettingsReplacement {
    /// The whole new document: a JSON object.
    #[schema(value_type = Object)]
    settings: Value,
    /// The version this replacement was based on; a stale one is a 409.
    expected_version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsDocument {
    organization_id: String,
    version: i64,
    #[schema(value_type = Object)]
    settings: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsVersion {
    version: i64,
    #[schema(value_type = Object)]
    before: Value,
    #[schema(value_type = Object)]
    after: Value,
    actor: String,
    created_at: i64,
    /// A unified line diff of the pretty-printed documents.
    diff: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgToken {
    id: String,
    label: String,
    /// `organization`.
    scope: &'static str,
    organization_id: String,
    created_by: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked: bool,
    /// Only in the answer that created it: shown once, never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOrgToken {
    #[schema(min_length = 1, max_length = 100)]
    label: String,
}

/// The body as an object (422 otherwise).
fn object(body: Value) -> Result<Map<String, Value>, AppError> {
    match body {
        Value::Object(o) => Ok(o),
        _ => Err(AppError::validation("body", "Send the parameters as a JSON object.")),
    }
}

/// A text field: absent or null is `None`, another type a 422 naming it.
fn text<'a>(o: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, AppError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AppError::validation(name, format!("{name} must be a string."))),
    }
}

fn required<'a>(o: &'a Map<String, Value>, name: &str) -> Result<&'a str, AppError> {
    text(o, name)?.ok_or_else(|| AppError::validation(name, format!("{name} is required.")))
}

fn page_number(name: &str, raw: &Option<String>, default: i64, max: i64) -> Result<i64, AppError> {
    Ok(crate::api::extract::number(name, raw.as_deref(), 1..=max)?.unwrap_or(default))
}

async fn org_or_404(state: &AppState, id: i64) -> Result<OrgRow, AppError> {
    let mut conn = state.db.conn().await?;
    rows::find(conn.as_ref(), id).await?.ok_or(AppError::NotFound)
}

/// Organizations by name, filtered by `query`.
#[utoipa::path(get, path = "/organizations", params(ListParams),
    responses((status = 200, body = OrganizationList), (status = 403, description = "Admins only."),
        (status = 422, description = "`page` or `page_size` is out of range.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<OrganizationList>, AppError> {
    let page = page_number("page", &p.page, 1, 1_000_000)?;
    let page_size = page_number("page_size", &p.page_size, 50, 500)?;
    let query = p.query.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let mut conn = state.db.conn().await?;
    let (found, total) = rows::list(conn.as_ref(), query, page_size, (page - 1) * page_size).await?;
    Ok(Json(OrganizationList {
        data: found.into_iter().map(Into::into).collect(),
        total_count: total,
        page,
        page_size,
    }))
}

/// Creates an organization; the calling admin joins it with `creator_role`.
#[utoipa::path(post, path = "/organizations", request_body = NewOrganization,
    responses((status = 201, body = Organization),
        (status = 403, description = "Admins only, or organizations are turned off (`enabled: false`)."),
        (status = 409, description = "The slug is taken."),
        (status = 422, description = "`name` or `slug` is invalid.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn create(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<Organization>), AppError> {
    let o = object(body)?;
    let name = required(&o, "name")?;
    let org = service::create(&state.db, &ctx, name, text(&o, "slug")?).await?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

/// One organization.
#[utoipa::path(get, path = "/organizations/{id}", params(("id" = String, Path)),
    responses((status = 200, body = Organization), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn show(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Organization>, AppError> {
    Ok(Json(org_or_404(&state, id).await?.into()))
}

/// Renames an organization (`name`, and `slug` if given).
#[utoipa::path(patch, path = "/organizations/{id}", params(("id" = String, Path)), request_body = NewOrganization,
    responses((status = 200, body = Organization), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization."), (status = 409, description = "The slug is taken."),
        (status = 422, description = "`name` or `slug` is invalid.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn rename(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Organization>, AppError> {
    let o = object(body)?;
    let name = required(&o, "name")?;
    Ok(Json(service::rename(&state.db, &ctx, id, name, text(&o, "slug")?).await?.into()))
}

/// Deletes an organization with its members, domains, settings and tokens.
#[utoipa::path(delete, path = "/organizations/{id}", params(("id" = String, Path)),
    responses((status = 200, body = Organization),
        (status = 403, description = "Admins only, or deleting is turned off (`admin_delete_enabled: false`)."),
        (status = 404, description = "No such organization.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn delete(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Organization>, AppError> {
    Ok(Json(service::delete(&state.db, &ctx, id).await?.into()))
}

/// The members, by nickname.
#[utoipa::path(get, path = "/organizations/{id}/members", params(("id" = String, Path)),
    responses((status = 200, body = MemberList), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn members(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MemberList>, AppError> {
    org_or_404(&state, id).await?;
    let mut conn = state.db.conn().await?;
    let data: Vec<Membership> =
        rows::members(conn.as_ref(), id).await?.into_iter().map(|m| membership(id, m)).collect();
    Ok(Json(MemberList { total_count: data.len(), data }))
}

/// Adds a member by `user_id` or `nickname`, within `max_allowed_memberships`.
#[utoipa::path(post, path = "/organizations/{id}/members", params(("id" = String, Path)), request_body = NewMember,
    responses((status = 201, body = Membership), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization."),
        (status = 409, description = "Already a member, or the organization is full (`max_allowed_memberships`)."),
        (status = 422, description = "No such user, or `role` is not `org:admin`/`org:member`.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn add_member(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<Membership>), AppError> {
    let o = object(body)?;
    let who = match (o.get("user_id"), text(&o, "nickname")?) {
        (Some(Value::Number(n)), _) => UserRef::Id(n.as_i64().ok_or_else(bad_user)?),
        (Some(Value::String(s)), _) if !s.trim().is_empty() => UserRef::Id(s.trim().parse().map_err(|_| bad_user())?),
        (None | Some(Value::Null), Some(n)) if !n.trim().is_empty() => UserRef::Nickname(n.trim().to_owned()),
        (None | Some(Value::Null), _) => return Err(AppError::validation("user_id", "Give user_id or nickname.")),
        _ => return Err(bad_user()),
    };
    let role = text(&o, "role")?.unwrap_or("org:member");
    let m = service::add_member(&state.db, &ctx, id, &who, role).await?;
    Ok((StatusCode::CREATED, Json(membership(id, m))))
}

fn bad_user() -> AppError {
    AppError::validation("user_id", "user_id must be a user's id.")
}

/// Changes a member's role.
#[utoipa::path(patch, path = "/organizations/{id}/members/{user_id}",
    params(("id" = String, Path), ("user_id" = String, Path)), request_body = RoleChange,
    responses((status = 200, body = Membership), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization or member."),
        (status = 422, description = "`role` is not `org:admin`/`org:member`.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn change_member(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath((id, user_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Membership>, AppError> {
    let o = object(body)?;
    let role = required(&o, "role")?;
    Ok(Json(membership(id, service::set_member_role(&state.db, &ctx, id, user_id, role).await?)))
}

/// Removes a member.
#[utoipa::path(delete, path = "/organizations/{id}/members/{user_id}",
    params(("id" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = Membership), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization or member.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn remove_member(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath((id, user_id)): ApiPath<(i64, i64)>,
) -> Result<Json<Membership>, AppError> {
    Ok(Json(membership(id, service::remove_member(&state.db, &ctx, id, user_id).await?)))
}

/// The domains.
#[utoipa::path(get, path = "/organizations/{id}/domains", params(("id" = String, Path)),
    responses((status = 200, body = DomainList), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn domains(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DomainList>, AppError> {
    org_or_404(&state, id).await?;
    let mut conn = state.db.conn().await?;
    let data: Vec<Domain> = rows::domains(conn.as_ref(), id).await?.into_iter().map(Into::into).collect();
    Ok(Json(DomainList { total_count: data.len(), data }))
}

/// Adds a domain (unverified). Needs `domains_enabled` and an allowed mode.
#[utoipa::path(post, path = "/organizations/{id}/domains", params(("id" = String, Path)), request_body = NewDomain,
    responses((status = 201, body = Domain),
        (status = 403, description = "Admins only, or domains are turned off (`domains_enabled: false`)."),
        (status = 404, description = "No such organization."),
        (status = 409, description = "The domain belongs to an organization already."),
        (status = 422, description = "`name` is not a domain, or `enrollment_mode` is not allowed.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn add_domain(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<Domain>), AppError> {
    let o = object(body)?;
    let name =
        text(&o, "name")?.or(text(&o, "domain")?).ok_or_else(|| AppError::validation("domain", "name is required."))?;
    let mode = required(&o, "enrollment_mode")?;
    let d = service::add_domain(&state.db, &ctx, id, name, mode).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// Changes a domain's enrollment mode.
#[utoipa::path(patch, path = "/organizations/{id}/domains/{domain_id}",
    params(("id" = String, Path), ("domain_id" = String, Path)), request_body = DomainUpdate,
    responses((status = 200, body = Domain),
        (status = 403, description = "Admins only, or domains are turned off."),
        (status = 404, description = "No such organization or domain."),
        (status = 422, description = "`enrollment_mode` is not allowed.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn change_domain(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath((id, domain_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Domain>, AppError> {
    let o = object(body)?;
    let mode = required(&o, "enrollment_mode")?;
    Ok(Json(service::change_domain(&state.db, &ctx, id, domain_id, DomainChange::Mode(mode)).await?.into()))
}

/// Marks a domain verified (the admin vouches for it; no DNS check).
#[utoipa::path(post, path = "/organizations/{id}/domains/{domain_id}/verify",
    params(("id" = String, Path), ("domain_id" = String, Path)),
    responses((status = 200, body = Domain),
        (status = 403, description = "Admins only, or domains are turned off."),
        (status = 404, description = "No such organization or domain.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn verify_domain(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath((id, domain_id)): ApiPath<(i64, i64)>,
) -> Result<Json<Domain>, AppError> {
    Ok(Json(service::change_domain(&state.db, &ctx, id, domain_id, DomainChange::Verify).await?.into()))
}

/// Removes a domain.
#[utoipa::path(delete, path = "/organizations/{id}/domains/{domain_id}",
    params(("id" = String, Path), ("domain_id" = String, Path)),
    responses((status = 200, body = Domain), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization or domain.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn delete_domain(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath((id, domain_id)): ApiPath<(i64, i64)>,
) -> Result<Json<Domain>, AppError> {
    Ok(Json(service::delete_domain(&state.db, &ctx, id, domain_id).await?.into()))
}

/// The organization's settings document (Flashback) and its version.
#[utoipa::path(get, path = "/organizations/{id}/settings", params(("id" = String, Path)),
    responses((status = 200, body = SettingsDocument), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn settings(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SettingsDocument>, AppError> {
    document(&state, id).await.map(Json)
}

/// The stored document of organization `id`.
pub async fn document(state: &AppState, id: i64) -> Result<SettingsDocument, AppError> {
    let mut conn = state.db.conn().await?;
    let (doc, version) = rows::settings(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    let settings = serde_json::from_str(&doc).map_err(AppError::fault)?;
    Ok(SettingsDocument { organization_id: id.to_string(), version, settings })
}

/// Replaces the whole settings document (`{"settings": {…}}`, at most 64 KiB);
/// the previous one is kept as a version.
#[utoipa::path(post, path = "/organizations/{id}/settings", params(("id" = String, Path)),
    request_body = SettingsReplacement,
    responses((status = 200, body = SettingsDocument), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization."),
        (status = 409, description = "`expected_version` is stale; `meta.current_version` is the stored one."),
        (status = 413, description = "The document is over 64 KiB."),
        (status = 400, description = "The body is not a JSON object with a `settings` object."),
        (status = 422, description = "`expected_version` is not a whole number.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn replace_settings(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Result<Json<SettingsDocument>, AppError> {
    let doc = service::parse_settings_body(&body).map_err(service::DocError::into_api)?;
    let expected = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("expected_version").cloned())
        .filter(|v| !v.is_null())
        .map(|v| {
            v.as_i64()
                .ok_or_else(|| AppError::validation("expected_version", "expected_version must be a whole number."))
        })
        .transpose()?;
    service::replace_settings(&state.db, Replacer::Admin(&ctx), id, &doc, expected).await?;
    document(&state, id).await.map(Json)
}

/// Every replacement of the settings document, newest first, each with a diff.
#[utoipa::path(get, path = "/organizations/{id}/settings/versions", params(("id" = String, Path)),
    responses((status = 200, body = VersionList), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn versions(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<VersionList>, AppError> {
    org_or_404(&state, id).await?;
    let mut conn = state.db.conn().await?;
    let data: Vec<SettingsVersion> = rows::versions(conn.as_ref(), id, 1000)
        .await?
        .into_iter()
        .map(|v| SettingsVersion {
            diff: super::diff::unified(&service::pretty(&v.before), &service::pretty(&v.after)),
            version: v.version,
            before: serde_json::from_str(&v.before).unwrap_or(Value::Null),
            after: serde_json::from_str(&v.after).unwrap_or(Value::Null),
            actor: v.actor_nickname,
            created_at: v.created_at,
        })
        .collect();
    Ok(Json(VersionList { total_count: data.len(), data }))
}

fn org_token(org: i64, t: rows::OrgTokenRow) -> OrgToken {
    OrgToken {
        id: t.id.to_string(),
        label: t.label,
        scope: "organization",
        organization_id: org.to_string(),
        created_by: t.owner,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        revoked: t.revoked_at.is_some(),
        secret: None,
    }
}

/// The tokens bound to the organization.
#[utoipa::path(get, path = "/organizations/{id}/tokens", params(("id" = String, Path)),
    responses((status = 200, body = TokenList), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn tokens(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TokenList>, AppError> {
    org_or_404(&state, id).await?;
    let mut conn = state.db.conn().await?;
    let data: Vec<OrgToken> = rows::tokens(conn.as_ref(), id).await?.into_iter().map(|t| org_token(id, t)).collect();
    Ok(Json(TokenList { total_count: data.len(), data }))
}

/// Creates a token bound to the organization, for `POST /api/v1/settings/organization`.
/// The secret is in this answer only.
#[utoipa::path(post, path = "/organizations/{id}/tokens", params(("id" = String, Path)), request_body = NewOrgToken,
    responses((status = 201, body = OrgToken), (status = 403, description = "Admins only."),
        (status = 404, description = "No such organization."),
        (status = 422, description = "`label` is missing or too long.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn create_token(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<OrgToken>), AppError> {
    let o = object(body)?;
    let label = text(&o, "label")?.unwrap_or_default();
    let (tid, secret) = service::issue_token(&state.db, &ctx, id, label).await?;
    let mut conn = state.db.conn().await?;
    let row = rows::tokens(conn.as_ref(), id).await?.into_iter().find(|t| t.id == tid).ok_or(AppError::NotFound)?;
    let mut t = org_token(id, row);
    t.secret = Some(secret);
    Ok((StatusCode::CREATED, Json(t)))
}

/// Revokes a token of the organization.
#[utoipa::path(delete, path = "/organizations/{id}/tokens/{token_id}",
    params(("id" = String, Path), ("token_id" = String, Path)),
    responses((status = 204), (status = 403, description = "Admins only."),
        (status = 404, description = "No live token with this id in this organization.")),
    tag = "organizations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath((id, token_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    service::revoke_token(&state.db, &ctx, id, token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
