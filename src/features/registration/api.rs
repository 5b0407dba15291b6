//! `POST /api/v1/register` (public) and the approval queue under the admin
//! API: `GET /registrations`, `POST /registrations/{id}/approve|reject`.

use std::net::SocketAddr;

use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, Application, Outcome};
use super::{queue, server};
use crate::api::extract::ApiJson;
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::rejections::{ApiPath, ApiQuery};
use crate::server::state::AppState;

/// The public route, merged beside the other token-free API routes.
pub fn public_router() -> Router<AppState> {
    Router::new().route("/api/v1/register", post(register))
}

#[derive(Debug, Serialize)]
pub struct Registered {
    approval_pending: bool,
    confirmation_pending: bool,
    message: &'static str,
}

impl From<Outcome> for Registered {
    fn from(o: Outcome) -> Self {
        Registered {
            approval_pending: o.approval_pending,
            confirmation_pending: o.confirmation_pending,
            message: o.message(),
        }
    }
}

/// `POST /api/v1/register` with `{nickname, email, password, reason?, invite?}`:
/// 201 when accepted (an address already in use gets the same answer; see
/// `service`), 403 when the mode refuses, 409 for a taken nickname, 422 for
/// invalid input, 429 when the IP registered too often.
#[tracing::instrument(skip_all)]
pub async fn register(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(a): ApiJson<Application>,
) -> Result<(StatusCode, Json<Registered>), AppError> {
    let outcome = service::register(&state, &a, &peer.ip().to_string()).await?;
    Ok((StatusCode::CREATED, Json(outcome.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiApplicant {
    id: i64,
    nickname: String,
    email: Option<String>,
    registration_reason: Option<String>,
    confirmed: bool,
    invite_id: Option<i64>,
    /// Unix seconds.
    created_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Queue {
    /// How many accounts wait in all.
    count: i64,
    users: Vec<ApiApplicant>,
    /// Pass as `after` for the next page; absent on the last.
    next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueQuery {
    /// The `next` cursor of the previous page.
    after: Option<String>,
}

/// Accounts waiting for approval, oldest first, 25 a page.
#[utoipa::path(get, path = "/registrations", params(QueueQuery),
    responses((status = 200, body = Queue), (status = 403)), tag = "registrations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Queue>, AppError> {
    let page = server::queue_page(&s.db, &ctx, q.after).await?;
    Ok(Json(Queue {
        count: page.total,
        next: page.next,
        users: page
            .items
            .into_iter()
            .map(|a| ApiApplicant {
                id: a.id,
                nickname: a.nickname,
                email: a.email,
                registration_reason: a.reason,
                confirmed: a.confirmed,
                invite_id: a.invite_id,
                created_at: a.registered_at,
            })
            .collect(),
    }))
}

/// Approves a waiting account and mails the applicant.
#[utoipa::path(post, path = "/registrations/{id}/approve", params(("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404, description = "Unknown, or already decided.")),
    tag = "registrations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = id), err(level = "info"))]
pub async fn approve(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    queue::approve(&s.db, &ctx, id, &s.config.base_url()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Rejection {
    /// Sent to the applicant and kept in the moderation log.
    reason: String,
}

/// Rejects a waiting account: it is deleted and the applicant gets the reason.
#[utoipa::path(post, path = "/registrations/{id}/reject", params(("id" = i64, Path)), request_body = Rejection,
    responses((status = 204), (status = 403), (status = 404, description = "Unknown, or already decided."),
        (status = 422, description = "The reason is missing or too long.")),
    tag = "registrations")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = id), err(level = "info"))]
pub async fn reject(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<Rejection>,
) -> Result<StatusCode, AppError> {
    queue::reject(&s.db, &ctx, id, &r.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
