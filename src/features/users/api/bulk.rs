//! Pleroma's user mutations: activate/deactivate, tags, permission groups,
//! confirmations, approval, forced password reset and deletion. Each is one
//! call of [`crate::features::users::service::bulk::apply`]: one transaction, one log entry.

use crate::server::rejections::{ApiHtmlQuery, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiUser, to_api_all};
use crate::api::docs::PermissionGroup;
use crate::api::extract::ApiJson;
use crate::auth::{AdminCtx, ModeratorCtx};
use crate::error::AppError;
use crate::features::users::service::bulk::{self, BulkAction, Group, Selection};
use crate::server::state::AppState;
use crate::server::storage::users_bulk::Target;
use crate::server::storage::users_list;

#[derive(Debug, Deserialize, ToSchema)]
pub struct Nicknames {
    #[schema(min_items = 1, max_items = 1000)]
    nicknames: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NicknamesAndTags {
    #[schema(min_items = 1, max_items = 1000)]
    nicknames: Vec<String>,
    /// Each at most 64 characters; commas separate tags too.
    #[schema(min_items = 1)]
    tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Users {
    pub(super) users: Vec<ApiUser>,
}

async fn run(
    state: &AppState,
    ctx: &ModeratorCtx,
    action: BulkAction,
    nicknames: &[String],
) -> Result<Vec<Target>, AppError> {
    bulk::apply(&state.db, ctx, &action, Selection::Nicknames(nicknames)).await
}

/// Runs `action` and answers the touched users as they are now (Pleroma's `{users:[…]}`).
pub(super) async fn run_and_show(
    s: &AppState,
    ctx: &ModeratorCtx,
    action: BulkAction,
    who: Selection<'_>,
) -> Result<Users, AppError> {
    let (rows, tags) = bulk::apply_and_read(&s.db, ctx, &action, who).await?;
    Ok(Users { users: to_api_all(rows, tags, &s.config.base_url()) })
}

fn names(targets: &[Target]) -> Vec<String> {
    targets.iter().map(|t| t.nickname.clone()).collect()
}

/// Activates users (moderators may).
#[utoipa::path(patch, path = "/users/activate", request_body = Nicknames,
    responses((status = 200, body = Users), (status = 403, description = "Moderators may not act on staff accounts."),
        (status = 422, description = "No or unknown nicknames.")),
    tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, users = b.nicknames.len()), err(level = "info"))]
pub async fn activate(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiJson(b): ApiJson<Nicknames>,
) -> Result<Json<Users>, AppError> {
    Ok(Json(run_and_show(&s, &ctx, BulkAction::Activate, Selection::Nicknames(&b.nicknames)).await?))
}

/// Deactivates users (moderators may; not yourself).
#[utoipa::path(patch, path = "/users/deactivate", request_body = Nicknames,
    responses((status = 200, body = Users), (status = 403, description = "Moderators may not act on staff accounts."),
        (status = 422, description = "No or unknown nicknames, or your own.")), tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, users = b.nicknames.len()), err(level = "info"))]
pub async fn deactivate(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiJson(b): ApiJson<Nicknames>,
) -> Result<Json<Users>, AppError> {
    Ok(Json(run_and_show(&s, &ctx, BulkAction::Deactivate, Selection::Nicknames(&b.nicknames)).await?))
}

/// Flips one user's activation.
#[utoipa::path(patch, path = "/users/{nickname}/toggle_activation", params(("nickname" = String, Path)),
    responses((status = 200, body = ApiUser), (status = 403, description = "Moderators may not act on staff accounts."),
        (status = 404),
        (status = 422, description = "You cannot deactivate yourself.")), tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = %nickname), err(level = "info"))]
pub async fn toggle_activation(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath(nickname): ApiPath<String>,
) -> Result<Json<ApiUser>, AppError> {
    let mut conn = s.db.conn().await?;
    let row = users_list::find(conn.as_ref(), &nickname).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let action = if row.is_active { BulkAction::Deactivate } else { BulkAction::Activate };
    let shown = run_and_show(&s, &ctx, action, Selection::Ids(&[row.id])).await?;
    shown.users.into_iter().next().map(Json).ok_or(AppError::NotFound)
}

/// `nicknames[]=…&tags[]=…` in the query, as Pleroma clients send them
/// (unencoded); the JSON body is read only when the query names nobody.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NicknamesAndTagsQuery {
    #[serde(rename = "nicknames[]", alias = "nicknames")]
    nicknames: Vec<String>,
    #[serde(rename = "tags[]", alias = "tags")]
    tags: Vec<String>,
}

/// Nicknames and tags from the query, else from a JSON body.
fn nicknames_and_tags(query: NicknamesAndTagsQuery, body: &[u8]) -> Result<NicknamesAndTags, AppError> {
    if !query.nicknames.is_empty() {
        return Ok(NicknamesAndTags { nicknames: query.nicknames, tags: query.tags });
    }
    serde_json::from_slice(body).map_err(|e| AppError::validation("nicknames", format!("send nicknames and tags: {e}")))
}

/// Applies a tag change built from the request's tags.
async fn change_tags(
    s: &AppState,
    ctx: &ModeratorCtx,
    query: NicknamesAndTagsQuery,
    body: &[u8],
    action: fn(Vec<String>) -> BulkAction,
) -> Result<StatusCode, AppError> {
    let b = nicknames_and_tags(query, body)?;
    run(s, ctx, action(bulk::parse_tags(&b.tags)?), &b.nicknames).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds tags to users (admin). JSON body or query arrays.
#[utoipa::path(put, path = "/users/tag", request_body = NicknamesAndTags,
    responses((status = 204), (status = 403, description = "Admins only."),
        (status = 422, description = "No or unknown nicknames, or an invalid tag.")),
    tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn tag(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiHtmlQuery(q): ApiHtmlQuery<NicknamesAndTagsQuery>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    change_tags(&s, &ctx.as_moderator(), q, &body, BulkAction::Tag).await
}

/// Removes tags from users (admin). JSON body or query arrays.
#[utoipa::path(delete, path = "/users/tag", request_body = NicknamesAndTags,
    responses((status = 204), (status = 403, description = "Admins only."),
        (status = 422, description = "No or unknown nicknames, or an invalid tag.")),
    tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn untag(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiHtmlQuery(q): ApiHtmlQuery<NicknamesAndTagsQuery>,
    body: axum::body::Bytes,
) -> Result<StatusCode, AppError> {
    change_tags(&s, &ctx.as_moderator(), q, &body, BulkAction::Untag).await
}

pub(super) fn group(raw: &str) -> Result<Group, AppError> {
    Group::parse(raw).ok_or(AppError::NotFound)
}

/// Pleroma's answer: `{"is_admin": …}` or `{"is_moderator": …}`, the group changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupFlag {
    #[serde(skip_serializing_if = "Option::is_none")]
    is_admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_moderator: Option<bool>,
}

impl GroupFlag {
    fn of(g: Group, value: bool) -> Self {
        let admin = g == Group::Admin;
        GroupFlag { is_admin: admin.then_some(value), is_moderator: (!admin).then_some(value) }
    }
}

/// Adds users to `admin` or `moderator` (admin).
#[utoipa::path(post, path = "/users/permission_group/{group}", params(("group" = PermissionGroup, Path)),
    request_body = Nicknames,
    responses((status = 200, body = GroupFlag), (status = 403, description = "Admins only."),
        (status = 404, description = "No such group."),
        (status = 422, description = "No or unknown nicknames.")), tag = "users")]
#[tracing::instrument(
    skip_all,
    fields(actor = %ctx.staff().nickname, group = %g, users = b.nicknames.len()),
    err(level = "info")
)]
pub async fn grant(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiPath(g): ApiPath<String>,
    ApiJson(b): ApiJson<Nicknames>,
) -> Result<Json<GroupFlag>, AppError> {
    let g = group(&g)?;
    run(&s, &ctx.as_moderator(), BulkAction::Grant(g), &b.nicknames).await?;
    Ok(Json(GroupFlag::of(g, true)))
}

/// Removes users from `admin` or `moderator` (admin; never your own admin role).
#[utoipa::path(delete, path = "/users/permission_group/{group}", params(("group" = PermissionGroup, Path)),
    request_body = Nicknames,
    responses((status = 200, body = GroupFlag),
        (status = 403, description = "Admins only, and never your own admin role."),
        (status = 404, description = "No such group."), (status = 422, description = "No or unknown nicknames.")),
    tag = "users")]
#[tracing::instrument(
    skip_all,
    fields(actor = %ctx.staff().nickname, group = %g, users = b.nicknames.len()),
    err(level = "info")
)]
pub async fn revoke(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiPath(g): ApiPath<String>,
    ApiJson(b): ApiJson<Nicknames>,
) -> Result<Json<GroupFlag>, AppError> {
    let g = group(&g)?;
    run(&s, &ctx.as_moderator(), BulkAction::Revoke(g), &b.nicknames).await?;
    Ok(Json(GroupFlag::of(g, false)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionGroups {
    is_admin: bool,
    is_moderator: bool,
}

/// A user's permission groups.
#[utoipa::path(get, path = "/users/{nickname}/permission_group", params(("nickname" = String, Path)),
    responses((status = 200, body = PermissionGroups), (status = 404)), tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = %nickname), err(level = "info"))]
pub async fn groups(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath(nickname): ApiPath<String>,
) -> Result<Json<PermissionGroups>, AppError> {
    let mut conn = s.db.conn().await?;
    let row = users_list::find(conn.as_ref(), &nickname).await?.ok_or(AppError::NotFound)?;
    Ok(Json(PermissionGroups { is_admin: row.is_admin, is_moderator: row.is_moderator }))
}

/// Marks users' emails confirmed (admin); answers their nicknames.
#[utoipa::path(patch, path = "/users/confirm_email", request_body = Nicknames,
    responses((status = 200, body = [String]), (status = 403, description = "Admins only."),
        (status = 422, description = "No or unknown nicknames.")),
    tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, users = b.nicknames.len()), err(level = "info"))]
pub async fn confirm_email(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiJson(b): ApiJson<Nicknames>,
) -> Result<Json<Vec<String>>, AppError> {
    Ok(Json(names(&run(&s, &ctx.as_moderator(), BulkAction::ConfirmEmail, &b.nicknames).await?)))
}

/// Sends the confirmation email again (admin); answers the nicknames.
#[utoipa::path(patch, path = "/users/resend_confirmation_email", request_body = Nicknames,
    responses((status = 200, body = [String]), (status = 403, description = "Admins only."),
        (status = 422, description = "No or unknown nicknames.")),
    tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, users = b.nicknames.len()), err(level = "info"))]
pub async fn resend_confirmation(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiJson(b): ApiJson<Nicknames>,
) -> Result<Json<Vec<String>>, AppError> {
    Ok(Json(names(
        &run(&s, &ctx.as_moderator(), BulkAction::ResendConfirmation { base_url: s.config.base_url() }, &b.nicknames)
            .await?,
    )))
}

/// Approves pending registrations (admin).
#[utoipa::path(patch, path = "/users/approve", request_body = Nicknames,
    responses((status = 200, body = Users), (status = 403, description = "Admins only."),
        (status = 422, description = "No or unknown nicknames.")),
    tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, users = b.nicknames.len()), err(level = "info"))]
pub async fn approve(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiJson(b): ApiJson<Nicknames>,
) -> Result<Json<Users>, AppError> {
    Ok(Json(run_and_show(&s, &ctx.as_moderator(), BulkAction::Approve, Selection::Nicknames(&b.nicknames)).await?))
}

/// Requires users to choose a new password at next sign-in (admin).
#[utoipa::path(patch, path = "/users/force_password_reset", request_body = Nicknames,
    responses((status = 204), (status = 403, description = "Admins only."),
        (status = 422, description = "No or unknown nicknames.")), tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, users = b.nicknames.len()), err(level = "info"))]
pub async fn force_password_reset(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiJson(b): ApiJson<Nicknames>,
) -> Result<StatusCode, AppError> {
    run(&s, &ctx.as_moderator(), BulkAction::ForcePasswordReset, &b.nicknames).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pleroma's older query form of a deletion: `nickname=…` or `nicknames[]=…`, repeatable.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteQuery {
    nickname: Vec<String>,
    #[serde(rename = "nicknames[]")]
    nicknames: Vec<String>,
}

/// Deletes users (admin; not yourself): `{nicknames}` as JSON or `?nickname=`.
/// Answers the deleted nicknames.
#[utoipa::path(delete, path = "/users", request_body = Nicknames,
    params(("nickname" = Option<String>, Query, description = "Pleroma's older single-user form")),
    responses((status = 200, body = [String]), (status = 403, description = "Admins only."),
        (status = 422, description = "No or unknown nicknames, or your own.")), tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn delete(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiHtmlQuery(q): ApiHtmlQuery<DeleteQuery>,
    body: axum::body::Bytes,
) -> Result<Json<Vec<String>>, AppError> {
    let mut nicknames = q.nickname;
    nicknames.extend(q.nicknames);
    if nicknames.is_empty() {
        let b: Nicknames =
            serde_json::from_slice(&body).map_err(|e| AppError::validation("nicknames", e.to_string()))?;
        nicknames = b.nicknames;
    }
    Ok(Json(names(&run(&s, &ctx.as_moderator(), BulkAction::Delete, &nicknames).await?)))
}
