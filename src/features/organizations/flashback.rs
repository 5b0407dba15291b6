//! Flashback's `POST /api/v1/settings/organization` (and a `GET` of the same
//! document): a token bound to an organization (scope `organization`, made
//! on the organization's page or with `POST /admin/organizations/{id}/tokens`)
//! replaces that organization's whole settings document.
//!
//! Answers follow Flashback: `{"success": true, "message": …}`, and errors
//! `{"success": false, "message": …}`, which also carry Steward's §5
//! `errors`/`error` so clients of either kind read them. A body over 64 KiB is
//! 413; a token of another scope is 404 "User not associated with any
//! organization", as Flashback answers a user without one; no or an unknown
//! token is 401. (Bodies over the server-wide 1 MiB limit, and bodies with
//! NUL, are refused before this handler with the §5 body alone.)
//! Not in the admin OpenAPI document: it is no admin operation.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::document::{self, Replacer};
use super::rules::parse_settings_body;
use crate::auth::tokens::any_holder;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::audit::Actor;
use crate::server::storage::tokens::Scope;

pub const PATH: &str = "/api/v1/settings/organization";

pub fn public_router() -> Router<AppState> {
    Router::new().route(PATH, get(current).post(replace))
}

const NOT_ASSOCIATED: &str = "User not associated with any organization";

/// Flashback's error body with Steward's §5 fields beside it.
fn failure(e: &AppError, message: Option<&str>) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut body = e.to_json();
    let message = message.map_or_else(|| e.to_string(), str::to_owned);
    if let Some(first) = body["errors"].get_mut(0) {
        first["message"] = Value::String(message.clone());
        first["long_message"] = Value::String(message.clone());
    }
    body["error"] = Value::String(message.clone());
    body["success"] = Value::Bool(false);
    body["message"] = Value::String(message);
    e.log();
    (status, axum::Json(body)).into_response()
}

/// The organization the request's token is bound to, with the token's
/// owner and label, or the answer to send instead.
async fn organization(state: &AppState, headers: &HeaderMap) -> Result<(i64, crate::domain::Staff, i64), Response> {
    let holder = any_holder(state, headers).await.map_err(|e| failure(&e, None))?;
    match (holder.scope, holder.organization_id) {
        (Scope::Organization, Some(org)) => Ok((org, holder.staff, holder.token_id)),
        _ => Err(failure(&AppError::NotFound, Some(NOT_ASSOCIATED))),
    }
}

/// `GET /api/v1/settings/organization`: `{"success": true, "settings": {…}, "version": n}`.
#[tracing::instrument(skip_all)]
pub async fn current(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (org, _, _) = match organization(&state, &headers).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    match super::document_api::document(&state, org).await {
        Ok(d) => {
            let d = serde_json::to_value(d).unwrap_or_default();
            axum::Json(json!({ "success": true, "settings": d["settings"], "version": d["version"] })).into_response()
        }
        Err(AppError::NotFound) => failure(&AppError::NotFound, Some(NOT_ASSOCIATED)),
        Err(e) => failure(&e, None),
    }
}

/// `POST /api/v1/settings/organization` with `{"settings": {…}}`.
#[tracing::instrument(skip_all)]
pub async fn replace(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (org, owner, token_id) = match organization(&state, &headers).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let doc = match parse_settings_body(&body) {
        Ok(d) => d,
        Err(e) => return failure(&e.into_api(), None),
    };
    let label = match token_label(&state, token_id).await {
        Ok(l) => l,
        Err(e) => return failure(&e, None),
    };
    let by = Replacer::Token { owner: Actor::from(&owner), label: &label };
    match document::replace_settings(&state.db, by, org, &doc, None).await {
        Ok(_) => axum::Json(json!({ "success": true, "message": "Organization settings updated successfully" }))
            .into_response(),
        Err(AppError::NotFound) => failure(&AppError::NotFound, Some(NOT_ASSOCIATED)),
        Err(e) => failure(&e, None),
    }
}

async fn token_label(state: &AppState, token_id: i64) -> Result<String, AppError> {
    let mut conn = state.db.conn().await?;
    Ok(crate::server::storage::tokens::label(conn.as_ref(), token_id).await?.unwrap_or_default())
}
