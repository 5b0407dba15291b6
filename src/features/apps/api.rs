//! rw3iss's app registration policy: `GET|POST /apps`, `GET|PATCH /apps/{id}`,
//! admins only. Bodies are read field by field ([`super::service::AppEdit`])
//! so a wrong type or an unknown key is a 422 naming it (`meta.param`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::service::{self, AppDetail, AppEdit};
use crate::api::extract::ApiJson;
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::rejections::ApiPath;
use crate::server::state::AppState;

/// An app webhook. The signing key is write-only: `secret_set` says one is
/// stored; `secret` appears only in the answer that generated it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppWebhook {
    id: String,
    url: String,
    /// Event names (`user.created`); `[]` is every event.
    events: Vec<String>,
    enabled: bool,
    secret_set: bool,
    /// A newly generated signing key, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

/// An app and its registration policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct App {
    id: String,
    name: String,
    description: String,
    /// `active` or `disabled`.
    status: String,
    allowed_redirect_urls: Vec<String>,
    service_codes: Vec<String>,
    auto_grant_on_signup: bool,
    /// The stored origin emails point at; `null` when cleared.
    frontend_url: Option<String>,
    /// Where verify / reset / magic-link / invitation emails point: the
    /// stored `frontend_url`, else the instance's public URL.
    effective_frontend_url: String,
    allowed_email_domains: Vec<String>,
    /// Some of `password`, `oidc`, `magic_link`, `passkey`; `[]` allows every method.
    allowed_auth_methods: Vec<String>,
    /// The organization new sign-ups join; `null`: none.
    default_organization_id: Option<String>,
    /// The default pool.
    registration_namespace: Option<String>,
    /// The legacy plural list of pools.
    registration_namespaces: Vec<String>,
    /// The pools sign-ups register into: `registration_namespaces` when it
    /// holds any, else `[registration_namespace]`.
    effective_registration_namespaces: Vec<String>,
    read_namespaces: Vec<String>,
    webhooks: Vec<AppWebhook>,
    created_at: i64,
    updated_at: i64,
}

impl App {
    pub fn of(d: AppDetail, public_url: &str) -> App {
        let p = d.policy;
        let webhooks = d
            .webhooks
            .into_iter()
            .map(|w| AppWebhook {
                id: w.id.to_string(),
                events: serde_json::from_str(&w.events).unwrap_or_default(),
                enabled: w.enabled,
                secret_set: !w.secret.is_empty(),
                secret: d.new_secrets.iter().find(|(id, _)| *id == w.id).map(|(_, s)| s.clone()),
                url: w.url,
            })
            .collect();
        App {
            id: d.id.to_string(),
            effective_frontend_url: p.frontend_url.clone().unwrap_or_else(|| public_url.to_owned()),
            effective_registration_namespaces: p.registration_pool(),
            name: p.name,
            description: p.description,
            status: p.status,
            allowed_redirect_urls: p.allowed_redirect_urls,
            service_codes: p.service_codes,
            auto_grant_on_signup: p.auto_grant_on_signup,
            frontend_url: p.frontend_url,
            allowed_email_domains: p.allowed_email_domains,
            allowed_auth_methods: p.allowed_auth_methods,
            default_organization_id: p.default_organization_id.map(|id| id.to_string()),
            registration_namespace: p.registration_namespace,
            registration_namespaces: p.registration_namespaces,
            read_namespaces: p.read_namespaces,
            webhooks,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppList {
    apps: Vec<App>,
}

/// A webhook as a body gives it.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct AppWebhookInput {
    /// Absolute http(s) URL; a URL already listed keeps its row and secret.
    url: String,
    /// Event names (`user.created`); absent or `[]`: every event.
    events: Option<Vec<String>>,
    /// Default `true`.
    enabled: Option<bool>,
    /// 16–256 characters; absent keeps the stored key, or generates one for a new URL.
    secret: Option<String>,
}

/// rw3iss `UpdateAppRequest` (also the create body, where `name` is
/// required). Only the keys present apply; `null` reads as absent; `""`
/// clears a string (not `name` or `status`); `[]` clears a list.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateAppRequest {
    #[schema(min_length = 1, max_length = 100)]
    name: Option<String>,
    #[schema(max_length = 500)]
    description: Option<String>,
    /// `active` or `disabled`.
    status: Option<String>,
    /// Absolute http(s) URLs, at most 50.
    allowed_redirect_urls: Option<Vec<String>>,
    service_codes: Option<Vec<String>>,
    auto_grant_on_signup: Option<bool>,
    /// Absolute http(s) URL; `""` falls back to the instance's public URL.
    /// Verify / reset / magic-link / invitation emails point at it.
    frontend_url: Option<String>,
    /// Domains like `example.org`.
    allowed_email_domains: Option<Vec<String>>,
    /// Some of `password`, `oidc`, `magic_link`, `passkey`.
    allowed_auth_methods: Option<Vec<String>>,
    /// An existing organization's id (string or number); `""` clears auto-membership.
    default_organization_id: Option<String>,
    /// The default pool; `""` clears it.
    registration_namespace: Option<String>,
    /// `[]` makes `registration_namespace` authoritative.
    registration_namespaces: Option<Vec<String>>,
    read_namespaces: Option<Vec<String>>,
    /// Replaces the whole list; `[]` removes every webhook. At most 20.
    webhooks: Option<Vec<AppWebhookInput>>,
}

/// Every app, oldest first.
#[utoipa::path(get, path = "/apps",
    responses((status = 200, body = AppList), (status = 403, description = "Admins only.")), tag = "apps")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(State(state): State<AppState>, ctx: AdminCtx) -> Result<Json<AppList>, AppError> {
    let base = state.config.base_url();
    let apps = service::list(&state.db).await?.into_iter().map(|d| App::of(d, &base)).collect();
    Ok(Json(AppList { apps }))
}

/// Creates an app; `name` is required, every other field optional.
#[utoipa::path(post, path = "/apps", request_body = UpdateAppRequest,
    responses((status = 201, body = App), (status = 400, description = "Malformed JSON."),
        (status = 403, description = "Admins only."),
        (status = 422, description = "A field is missing, unknown or invalid; `meta.param` names it.")),
    tag = "apps")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn create(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<App>), AppError> {
    let edit = AppEdit::read(body)?;
    let d = service::create(&state.db, &ctx, &edit).await?;
    Ok((StatusCode::CREATED, Json(App::of(d, &state.config.base_url()))))
}

/// One app.
#[utoipa::path(get, path = "/apps/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = App), (status = 403, description = "Admins only."),
        (status = 404, description = "No app has this id.")),
    tag = "apps")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, app = id), err(level = "info"))]
pub async fn show(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<App>, AppError> {
    Ok(Json(App::of(service::find(&state.db, id).await?, &state.config.base_url())))
}

/// rw3iss `PATCH /admin/apps/{appId}`: only the keys present apply.
#[utoipa::path(patch, path = "/apps/{id}", params(("id" = i64, Path)), request_body = UpdateAppRequest,
    responses((status = 200, body = App), (status = 400, description = "Malformed JSON."),
        (status = 403, description = "Admins only."),
        (status = 404, description = "No app has this id."),
        (status = 422, description = "A field is unknown or invalid, or names a missing organization; `meta.param` names it.")),
    tag = "apps")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, app = id), err(level = "info"))]
pub async fn update(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<App>, AppError> {
    let edit = AppEdit::read(body)?;
    let d = service::update(&state.db, &ctx, id, &edit).await?;
    Ok(Json(App::of(d, &state.config.base_url())))
}
