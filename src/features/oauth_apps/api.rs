//! Pleroma's admin OAuth-app routes: `GET|POST /oauth_app`,
//! `PATCH|DELETE /oauth_app/{id}`, and (ours) `POST /oauth_app/{id}/regenerate_secret`.
//! Admins only. Parameters come from the query string, a JSON body or a form
//! body, as on Pleroma. The client secret is stored hashed: it is answered
//! only by the create and regenerate calls, `null` everywhere else.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::service::{self, NewClient, Patch, WithSecret};
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::features::invites::api::Params;
use crate::features::oauth::service::{DEFAULT_SCOPES, validate};
use crate::server::rejections::ApiPath;
use crate::server::state::AppState;
use crate::server::storage::oauth::{self, App, AppFilter};

const DEFAULT_PAGE_SIZE: i64 = 50;
const MAX_PAGE_SIZE: i64 = 500;

/// An OAuth app as Pleroma answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OauthApp {
    id: i64,
    name: String,
    client_id: String,
    /// Only in the answers to create and regenerate; `null` elsewhere.
    client_secret: Option<String>,
    /// The redirect URIs, one per line.
    redirect_uri: String,
    website: Option<String>,
    trusted: bool,
}

impl OauthApp {
    fn of(app: App, secret: Option<String>) -> Self {
        OauthApp {
            id: app.id,
            name: app.name,
            client_id: app.client_id,
            client_secret: secret,
            redirect_uri: app.redirect_uris,
            website: app.website,
            trusted: app.trusted,
        }
    }
}

impl From<WithSecret> for OauthApp {
    fn from(w: WithSecret) -> Self {
        OauthApp::of(w.app, Some(w.client_secret))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OauthAppList {
    apps: Vec<OauthApp>,
    /// How many match the filters in all.
    count: i64,
    page_size: i64,
}

/// For the document: handlers read the fields themselves so that every wrong
/// value is a 422 naming it.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOauthApp {
    #[schema(max_length = 100)]
    name: String,
    /// One or more absolute URIs (space or newline separated), or `urn:ietf:wg:oauth:2.0:oob`.
    redirect_uris: String,
    /// A list, or a space-separated string, e.g. `["read", "write"]`; `read` when absent.
    scopes: Option<Vec<String>>,
    website: Option<String>,
    trusted: Option<bool>,
}

/// `true`/`false` as JSON or as form text.
fn flag(p: &Params, name: &str) -> Result<Option<bool>, AppError> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" || s == "1" || s == "on" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" || s == "0" || s.is_empty() => Ok(Some(false)),
        Some(_) => Err(AppError::validation(name, format!("{name} must be true or false."))),
    }
}

/// Scopes as Pleroma sends them (a list) or as OAuth writes them (a string).
fn scopes(p: &Params) -> Result<Option<String>, AppError> {
    match p.get("scopes") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.replace(',', " "))),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().ok_or_else(|| AppError::validation("scopes", "scopes must be strings.")))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| Some(v.join(" "))),
        Some(_) => Err(AppError::validation("scopes", "scopes must be a list of strings.")),
    }
}

/// A positive whole number from JSON or text.
fn number(p: &Params, name: &str) -> Result<Option<i64>, AppError> {
    let bad = || AppError::validation(name, format!("{name} must be a positive whole number."));
    let n = match p.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(bad)?,
        Some(Value::String(s)) if s.is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| bad())?,
        Some(_) => return Err(bad()),
    };
    if n < 1 { Err(bad()) } else { Ok(Some(n)) }
}

fn id_of(id: &str) -> Result<i64, AppError> {
    id.trim().parse().map_err(|_| AppError::NotFound)
}

/// Apps, newest first, filtered by `name` (substring, any case), `client_id` and `trusted`.
#[utoipa::path(get, path = "/oauth_app",
    params(("name" = Option<String>, Query), ("client_id" = Option<String>, Query),
        ("trusted" = Option<bool>, Query), ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = OauthAppList),
        (status = 403, description = "Only admins manage OAuth apps."),
        (status = 422, description = "A filter or the paging is malformed.")),
    tag = "oauth_apps")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(State(state): State<AppState>, ctx: AdminCtx, p: Params) -> Result<Json<OauthAppList>, AppError> {
    let page = number(&p, "page")?.unwrap_or(1).min(1_000_000);
    let page_size = number(&p, "page_size")?.unwrap_or(DEFAULT_PAGE_SIZE).min(MAX_PAGE_SIZE);
    let text = |name: &str| -> Result<Option<String>, AppError> {
        Ok(p.text(name)?.map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(200).collect()))
    };
    let filter = AppFilter { name: text("name")?, client_id: text("client_id")?, trusted: flag(&p, "trusted")? };
    let mut conn = state.db.conn().await?;
    let (rows, count) = oauth::list_apps(conn.as_ref(), &filter, page_size, (page - 1) * page_size).await?;
    Ok(Json(OauthAppList { apps: rows.into_iter().map(|a| OauthApp::of(a, None)).collect(), count, page_size }))
}

/// Registers an app; the answer carries its secret, the only time it is shown.
#[utoipa::path(post, path = "/oauth_app", request_body = NewOauthApp,
    responses((status = 200, body = OauthApp),
        (status = 403, description = "Only admins manage OAuth apps."),
        (status = 422, description = "A field is missing or invalid; `meta.param` names it.")),
    tag = "oauth_apps")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn create(State(state): State<AppState>, ctx: AdminCtx, p: Params) -> Result<Json<OauthApp>, AppError> {
    let name = p.text("name")?.ok_or_else(|| AppError::validation("name", "name can't be blank"))?;
    let uris = p
        .text("redirect_uris")?
        .ok_or_else(|| AppError::validation("redirect_uris", "redirect_uris can't be blank"))?;
    // Pleroma's create needs only name and redirect_uris; scopes default as on `/api/v1/apps`.
    let scopes = scopes(&p)?.unwrap_or_else(|| DEFAULT_SCOPES.to_owned());
    if scopes.trim().is_empty() {
        return Err(AppError::validation("scopes", "scopes can't be blank"));
    }
    let fields = validate("name", name, uris, &scopes, p.text("website")?)?;
    let trusted = flag(&p, "trusted")?.unwrap_or(false);
    Ok(Json(service::create(&state.db, &ctx, NewClient { fields, trusted }).await?.into()))
}

/// Changes the fields given; `website: null` clears it. The secret stays.
#[utoipa::path(patch, path = "/oauth_app/{id}", params(("id" = String, Path)), request_body = NewOauthApp,
    responses((status = 200, body = OauthApp),
        (status = 403, description = "Only admins manage OAuth apps."),
        (status = 404, description = "No app has this id."),
        (status = 422, description = "A field is invalid; `meta.param` names it.")),
    tag = "oauth_apps")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, app = %id), err(level = "info"))]
pub async fn update(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<String>,
    p: Params,
) -> Result<Json<OauthApp>, AppError> {
    let id = id_of(&id)?;
    let website = match p.get("website") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => Some(p.text("website")?.map(str::to_owned)),
    };
    let scopes = scopes(&p)?;
    if scopes.as_deref().is_some_and(|s| s.trim().is_empty()) {
        return Err(AppError::validation("scopes", "scopes can't be blank"));
    }
    let patch = Patch {
        name: p.text("name")?.map(str::to_owned),
        redirect_uris: p.text("redirect_uris")?.map(str::to_owned),
        scopes,
        website,
        trusted: flag(&p, "trusted")?,
    };
    Ok(Json(OauthApp::of(service::update(&state.db, &ctx, id, patch).await?, None)))
}

/// Gives the app a new secret, answered this once; the old one stops working.
#[utoipa::path(post, path = "/oauth_app/{id}/regenerate_secret", params(("id" = String, Path)),
    responses((status = 200, body = OauthApp),
        (status = 403, description = "Only admins manage OAuth apps."),
        (status = 404, description = "No app has this id.")),
    tag = "oauth_apps")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, app = %id), err(level = "info"))]
pub async fn regenerate_secret(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<OauthApp>, AppError> {
    Ok(Json(service::regenerate_secret(&state.db, &ctx, id_of(&id)?).await?.into()))
}

/// Deletes the app with its authorization codes and tokens.
#[utoipa::path(delete, path = "/oauth_app/{id}", params(("id" = String, Path)),
    responses((status = 204),
        (status = 403, description = "Only admins manage OAuth apps."),
        (status = 404, description = "No app has this id.")),
    tag = "oauth_apps")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, app = %id), err(level = "info"))]
pub async fn delete(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    service::delete(&state.db, &ctx, id_of(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
