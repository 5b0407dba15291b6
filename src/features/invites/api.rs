//! Pleroma's invite routes: `POST /users/invite_token`, `GET /users/invites`,
//! `POST /users/revoke_invite`, `POST /users/email_invite` (admins only).
//! Like Pleroma, each reads its parameters from the query string, a JSON
//! body or a form body: admin-fe sends `email_invite`'s in the query string.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::service::{self, InviteType};
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::invites::{self, InviteRow};

/// An invite as Pleroma answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invite {
    id: i64,
    token: String,
    /// Spent or revoked.
    used: bool,
    /// `YYYY-MM-DD`; the invite works through that day.
    #[schema(format = Date)]
    expires_at: Option<String>,
    uses: i64,
    max_use: Option<i64>,
    /// `one_time`, `reusable`, `date_limited` or `reusable_date_limited`.
    invite_type: &'static str,
}

impl From<InviteRow> for Invite {
    fn from(r: InviteRow) -> Self {
        Invite {
            invite_type: InviteType::of(r.max_use, r.expires_at.as_deref()).as_str(),
            id: r.id,
            token: r.token,
            used: r.used,
            expires_at: r.expires_at,
            uses: r.uses,
            max_use: r.max_use,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InviteList {
    invites: Vec<Invite>,
}

/// For the document: handlers read these fields themselves so that every
/// wrong value is a 422 naming it.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewInvite {
    /// Uses allowed, 1 to 10 000; absent or null for a one-time invite.
    #[schema(minimum = 1, maximum = 10000)]
    max_use: Option<i64>,
    /// The last day it works (UTC), today or later.
    #[schema(format = Date)]
    expires_at: Option<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeInvite {
    #[schema(min_length = 1, max_length = 128)]
    token: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailInvite {
    #[schema(max_length = 254)]
    email: String,
    /// Who the mail greets.
    #[schema(max_length = 100)]
    name: Option<String>,
}

/// Parameters from the query string and the body (JSON or form), the body's
/// winning where both name one.
pub struct Params(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let mut map = Map::new();
        if let Some(q) = req.uri().query() {
            let pairs: Vec<(String, String)> = serde_html_form::from_str(q)
                .map_err(|e| AppError::BadRequest(format!("The query string is malformed: {e}")))?;
            map.extend(pairs.into_iter().map(|(k, v)| (k, Value::String(v))));
        }
        let kind = req.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let json = kind.starts_with("application/json") || kind.contains("+json");
        let form = kind.starts_with("application/x-www-form-urlencoded");
        let body = Bytes::from_request(req, state).await.map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            _ => AppError::BadRequest(format!("The body is malformed: {}", e.body_text())),
        })?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params(map));
        }
        if json {
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(o)) => map.extend(o),
                Ok(_) => return Err(AppError::validation("body", "Send the parameters as a JSON object.")),
                Err(e) => return Err(AppError::BadRequest(format!("Malformed JSON: {e}"))),
            }
        } else if form {
            let pairs: Vec<(String, String)> = serde_html_form::from_bytes(&body)
                .map_err(|e| AppError::BadRequest(format!("The form is malformed: {e}")))?;
            map.extend(pairs.into_iter().map(|(k, v)| (k, Value::String(v))));
        } else {
            return Err(AppError::BadRequest(
                "Send the body as JSON (`Content-Type: application/json`) or as a form.".into(),
            ));
        }
        Ok(Params(map))
    }
}

impl Params {
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// A text parameter: absent or null is `None`, any other type a 422.
    pub(crate) fn text(&self, name: &str) -> Result<Option<&str>, AppError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(AppError::validation(name, format!("{name} must be a string."))),
        }
    }
}

/// Creates an invite; its type follows from `max_use` and `expires_at`.
#[utoipa::path(post, path = "/users/invite_token", request_body = NewInvite,
    responses((status = 200, body = Invite),
        (status = 403, description = "Only admins manage invites."),
        (status = 422, description = "`max_use` is not 1–10 000, or `expires_at` is not a date from today on.")),
    tag = "invites")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn create(State(state): State<AppState>, ctx: AdminCtx, p: Params) -> Result<Json<Invite>, AppError> {
    let limits = service::parse_limits(p.get("max_use"), p.get("expires_at"), &service::today(&state.config))?;
    Ok(Json(service::create(&state.db, &ctx, &limits).await?.into()))
}

/// Every invite, oldest first as Pleroma lists them (admin-fe reverses the list).
#[utoipa::path(get, path = "/users/invites",
    responses((status = 200, body = InviteList), (status = 403, description = "Only admins manage invites.")),
    tag = "invites")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(State(state): State<AppState>, ctx: AdminCtx) -> Result<Json<InviteList>, AppError> {
    let mut conn = state.db.conn().await?;
    let rows = invites::list(conn.as_ref()).await?;
    Ok(Json(InviteList { invites: rows.into_iter().rev().map(Invite::from).collect() }))
}

/// Revokes the invite with `token`: it admits nobody more. Revoking again changes nothing.
#[utoipa::path(post, path = "/users/revoke_invite", request_body = RevokeInvite,
    responses((status = 200, body = Invite),
        (status = 403, description = "Only admins manage invites."),
        (status = 404, description = "No invite has this token."),
        (status = 422, description = "`token` is missing or not a string.")),
    tag = "invites")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn revoke(State(state): State<AppState>, ctx: AdminCtx, p: Params) -> Result<Json<Invite>, AppError> {
    let token = p
        .text("token")?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::validation("token", "Give the invite's token."))?;
    if token.len() > 128 {
        return Err(AppError::NotFound);
    }
    Ok(Json(service::revoke_token(&state.db, &ctx, token).await?.into()))
}

/// Mails a one-time invite link to `email` (also read from the query string, as admin-fe sends it).
#[utoipa::path(post, path = "/users/email_invite", request_body = EmailInvite,
    responses((status = 204, description = "The invite was created and its mail queued."),
        (status = 403, description = "Only admins manage invites."),
        (status = 422, description = "`email` is not an address, or `name` is too long.")),
    tag = "invites")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn email_invite(State(state): State<AppState>, ctx: AdminCtx, p: Params) -> Result<StatusCode, AppError> {
    let email = p.text("email")?.unwrap_or_default();
    let name = p.text("name")?;
    service::email_invite(&state.db, &state.config, &ctx, email, name).await?;
    Ok(StatusCode::NO_CONTENT)
}
