//! The webhook admin API (admins only): `GET /webhooks`,
//! `GET /webhooks/deliveries`, `POST /webhooks/deliveries/{id}/redeliver`,
//! `POST /webhooks/{id}/rotate_secret`, `POST /webhooks/{id}/finish_rotation`.
//! Secrets are write-only: an endpoint answers `secret_set`, and only
//! `rotate_secret` returns the new secret, once.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::server::STATUSES;
use super::service;
use crate::api::extract::number;
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::rejections::{ApiPath, ApiQuery};
use crate::server::state::AppState;
use crate::server::storage::now;
use crate::server::storage::webhooks::{self as rows, DeliveryRow, EndpointRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiEndpoint {
    id: String,
    /// `registration_alerts`, `system_alerts` or `app`.
    kind: String,
    app_id: Option<String>,
    url: String,
    /// Subscribed events; empty means every event of its source.
    events: Vec<String>,
    enabled: bool,
    /// Always true: every endpoint has a signing secret, never returned.
    secret_set: bool,
    /// While a rotation is in progress: when the previous secret stops signing (unix seconds).
    rotation_until: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl From<EndpointRow> for ApiEndpoint {
    fn from(r: EndpointRow) -> Self {
        ApiEndpoint {
            rotation_until: r.previous_at(now()).and(r.previous_secret_until),
            events: r.event_list(),
            id: r.id.to_string(),
            kind: r.kind,
            app_id: r.app_id.map(|a| a.to_string()),
            url: r.url,
            enabled: r.enabled,
            secret_set: true,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    webhooks: Vec<ApiEndpoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiDelivery {
    id: String,
    /// Null once the endpoint was removed.
    endpoint_id: Option<String>,
    url: String,
    event: String,
    /// The JSON body sent.
    #[schema(value_type = Object)]
    payload: serde_json::Value,
    /// `queued`, `delivered` or `failed`.
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_status_code: Option<i64>,
    last_latency_ms: Option<i64>,
    /// The first 1 KB of the last response body.
    last_response: Option<String>,
    last_error: Option<String>,
    created_at: i64,
    delivered_at: Option<i64>,
}

impl From<DeliveryRow> for ApiDelivery {
    fn from(r: DeliveryRow) -> Self {
        ApiDelivery {
            payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
            id: r.id.to_string(),
            endpoint_id: r.endpoint_id.map(|e| e.to_string()),
            url: r.url,
            event: r.event,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_status_code: r.last_status_code,
            last_latency_ms: r.last_latency_ms,
            last_response: r.last_response,
            last_error: r.last_error,
            created_at: r.created_at,
            delivered_at: r.delivered_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    deliveries: Vec<ApiDelivery>,
    page: i64,
    page_size: i64,
    /// Whether a next page exists.
    has_more: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeliveryParams {
    /// Only this endpoint's deliveries.
    #[param(value_type = Option<String>)]
    endpoint_id: Option<String>,
    /// `queued`, `delivered` or `failed`.
    status: Option<String>,
    /// Page number (default 1).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100000)]
    page: Option<String>,
    /// Deliveries per page (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    page_size: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSecret {
    id: String,
    /// The new signing secret. Shown this once.
    secret: String,
    /// The previous secret also signs until then (unix seconds), unless the rotation is finished earlier.
    previous_secret_until: i64,
}

/// Every webhook endpoint: the two alert endpoints (once their URL is set in
/// the instance config) and the apps' webhooks.
#[utoipa::path(get, path = "/webhooks",
    responses((status = 200, body = EndpointList), (status = 403, description = "Admins only.")),
    tag = "webhooks")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(State(state): State<AppState>, ctx: AdminCtx) -> Result<Json<EndpointList>, AppError> {
    let mut c = state.db.conn().await?;
    let webhooks = rows::endpoints(c.as_ref()).await?.into_iter().map(Into::into).collect();
    Ok(Json(EndpointList { webhooks }))
}

/// The delivery log, newest first.
#[utoipa::path(get, path = "/webhooks/deliveries", params(DeliveryParams),
    responses((status = 200, body = DeliveryList), (status = 403, description = "Admins only."),
        (status = 422, description = "An unknown status, or an id or page that is not a number in range.")),
    tag = "webhooks")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn deliveries(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiQuery(p): ApiQuery<DeliveryParams>,
) -> Result<Json<DeliveryList>, AppError> {
    let page = number("page", p.page.as_deref(), 1..=100_000)?.unwrap_or(1);
    let page_size = number("page_size", p.page_size.as_deref(), 1..=200)?.unwrap_or(50);
    let endpoint = match p.endpoint_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| AppError::validation("endpoint_id", "endpoint_id must be a webhook id"))?,
        ),
    };
    let status = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) if STATUSES.contains(&s) => Some(s),
        Some(_) => {
            return Err(AppError::validation("status", format!("status must be one of {}", STATUSES.join(", "))));
        }
    };
    let mut c = state.db.conn().await?;
    let (rows, has_more) = rows::deliveries(c.as_ref(), endpoint, status, (page - 1) * page_size, page_size).await?;
    Ok(Json(DeliveryList { deliveries: rows.into_iter().map(Into::into).collect(), page, page_size, has_more }))
}

/// Sends a delivered or failed delivery again as a new delivery (same event
/// and body, the endpoint's current URL and secret); logged in the
/// moderation log. Answers the new delivery.
#[utoipa::path(post, path = "/webhooks/deliveries/{id}/redeliver", params(("id" = String, Path)),
    responses((status = 200, body = ApiDelivery), (status = 403, description = "Admins only."),
        (status = 404, description = "No such delivery."),
        (status = 409, description = "The delivery is still queued, or its webhook was removed.")),
    tag = "webhooks")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, delivery = id), err(level = "info"))]
pub async fn redeliver(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApiDelivery>, AppError> {
    Ok(Json(service::redeliver(&state.db, &ctx, id).await?.into()))
}

/// Starts a secret rotation: a new secret signs from now on, and the old one
/// as well for 24 hours (both in `Steward-Signature`). Answers the new
/// secret, the only time it is shown.
#[utoipa::path(post, path = "/webhooks/{id}/rotate_secret", params(("id" = String, Path)),
    responses((status = 200, body = RotatedSecret), (status = 403, description = "Admins only."),
        (status = 404, description = "No such webhook.")),
    tag = "webhooks")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, endpoint = id), err(level = "info"))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RotatedSecret>, AppError> {
    let r = service::rotate(&state.db, &ctx, id).await?;
    Ok(Json(RotatedSecret { id: r.endpoint_id.to_string(), secret: r.secret, previous_secret_until: r.previous_until }))
}

/// Ends a rotation early: the previous secret stops signing now.
#[utoipa::path(post, path = "/webhooks/{id}/finish_rotation", params(("id" = String, Path)),
    responses((status = 200, body = ApiEndpoint), (status = 403, description = "Admins only."),
        (status = 404, description = "No such webhook."),
        (status = 409, description = "No rotation is in progress.")),
    tag = "webhooks")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, endpoint = id), err(level = "info"))]
pub async fn finish_rotation(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApiEndpoint>, AppError> {
    service::finish_rotation(&state.db, &ctx, id).await?;
    let mut c = state.db.conn().await?;
    Ok(Json(rows::endpoint(c.as_ref(), id).await?.ok_or(AppError::NotFound)?.into()))
}
