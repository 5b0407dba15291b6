//! `/api/v1/admin/organizations…`, admins only (organizations are instance
//! configuration, as the settings are): organizations, their members and
//! domains in Clerk's shapes (ids as strings; an id in a body may be a number
//! or a string). The limits are the Clerk organization settings (see
//! [`super::service`]). The settings document and its tokens:
//! [`super::document_api`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, DomainChange, UserRef};
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
pub(super) use list_of;
list_of!(MemberList, Membership);
list_of!(DomainList, Domain);
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

/// The body as an object (422 otherwise).
pub(super) fn object(body: Value) -> Result<Map<String, Value>, AppError> {
    match body {
        Value::Object(o) => Ok(o),
        _ => Err(AppError::validation("body", "Send the parameters as a JSON object.")),
    }
}

/// A text field: absent or null is `None`, another type a 422 naming it.
pub(super) fn text<'a>(o: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, AppError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AppError::validation(name, format!("{name} must be a string."))),
    }
}

pub(super) fn required<'a>(o: &'a Map<String, Value>, name: &str) -> Result<&'a str, AppError> {
    text(o, name)?.ok_or_else(|| AppError::validation(name, format!("{name} is required.")))
}

fn page_number(name: &str, raw: &Option<String>, default: i64, max: i64) -> Result<i64, AppError> {
    Ok(crate::api::extract::number(name, raw.as_deref(), 1..=max)?.unwrap_or(default))
}

pub(super) async fn org_or_404(state: &AppState, id: i64) -> Result<OrgRow, AppError> {
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
