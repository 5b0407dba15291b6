//! `GET|POST /tokens`, `DELETE /tokens/{id}`: the caller's own API tokens.

use crate::server::rejections::ApiPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::extract::ApiJson;
use crate::auth::{ModeratorCtx, tokens as codec};
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::tokens;

#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    id: String,
    label: String,
    /// `admin` or `intake`.
    scope: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    token: Token,
    /// The token itself: shown once, never again.
    secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    #[schema(min_length = 1, max_length = 100)]
    label: String,
}

/// Your API tokens, newest first.
#[utoipa::path(get, path = "/tokens", responses((status = 200, body = [Token])), tag = "tokens")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(State(state): State<AppState>, ctx: ModeratorCtx) -> Result<Json<Vec<Token>>, AppError> {
    let mut conn = state.db.conn().await?;
    let rows = tokens::list_for_user(conn.as_ref(), ctx.staff().id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| Token {
                id: r.id.to_string(),
                label: r.label,
                scope: r.scope,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                revoked: r.revoked_at.is_some(),
            })
            .collect(),
    ))
}

/// Creates a token acting as you; the response holds the secret once.
#[utoipa::path(post, path = "/tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken),
        (status = 422, description = "The label is empty or over 100 characters.")),
    tag = "tokens")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn create(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let label = codec::parse_label(&body.label).map_err(|e| AppError::validation("label", e.to_string()))?;
    let (id, secret) = codec::issue(&state.db, ctx.staff(), label, tokens::Scope::Admin).await?;
    let token = Token {
        id: id.to_string(),
        label: label.to_owned(),
        scope: tokens::Scope::Admin.as_str().to_owned(),
        created_at: crate::server::storage::now(),
        last_used_at: None,
        revoked: false,
    };
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
}

/// Revokes one of your tokens (it stops working at once).
#[utoipa::path(delete, path = "/tokens/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, description = "You have no live token with this id.")), tag = "tokens")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, token = %id), err(level = "info"))]
pub async fn revoke(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    codec::revoke(&state.db, ctx.staff(), id).await?.ok_or(AppError::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}
