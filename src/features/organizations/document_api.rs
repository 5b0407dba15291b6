//! `/api/v1/admin/organizations/{id}/settings…` and `…/tokens`, admins only:
//! an organization's Flashback settings document (replaced whole, at most
//! 64 KiB, every version kept with a diff) and the tokens bound to the
//! organization that may replace it through `POST /api/v1/settings/organization`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::api::list_of;
use super::api::{object, org_or_404, text};
use super::document::{self, Replacer};
use super::rules::{DocError, parse_settings_body, pretty};
use crate::api::extract::ApiJson;
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::rejections::ApiPath;
use crate::server::state::AppState;
use crate::server::storage::organizations as rows;

list_of!(VersionList, SettingsVersion);
list_of!(TokenList, OrgToken);

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
    let doc = parse_settings_body(&body).map_err(DocError::into_api)?;
    let expected = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("expected_version").cloned())
        .filter(|v| !v.is_null())
        .map(|v| {
            v.as_i64()
                .ok_or_else(|| AppError::validation("expected_version", "expected_version must be a whole number."))
        })
        .transpose()?;
    document::replace_settings(&state.db, Replacer::Admin(&ctx), id, &doc, expected).await?;
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
            diff: super::diff::unified(&pretty(&v.before), &pretty(&v.after)),
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
    let (tid, secret) = document::issue_token(&state.db, &ctx, id, label).await?;
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
    document::revoke_token(&state.db, &ctx, id, token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
