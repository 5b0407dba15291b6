//! `/apps` and `/apps/{id}` data: each app's policy as stored, with where its
//! emails point and the pools it registers into.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One app webhook as the console shows it (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

/// One app's policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub status: String,
    pub allowed_redirect_urls: Vec<String>,
    pub service_codes: Vec<String>,
    pub auto_grant_on_signup: bool,
    pub frontend_url: Option<String>,
    /// `frontend_url`, else the instance's public URL.
    pub effective_frontend_url: String,
    pub allowed_email_domains: Vec<String>,
    pub allowed_auth_methods: Vec<String>,
    pub default_organization_id: Option<i64>,
    pub registration_namespace: Option<String>,
    pub registration_namespaces: Vec<String>,
    pub registration_pool: Vec<String>,
    pub read_namespaces: Vec<String>,
    pub webhooks: Vec<WebhookView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppsData {
    pub apps: Vec<AppView>,
    pub public_url: String,
}

#[server]
pub async fn apps_page() -> Result<AppsData, AppError> {
    load_all(&crate::auth::admin()?).await
}

#[server]
pub async fn app_page(id: i64) -> Result<AppView, AppError> {
    load_one(&crate::auth::admin()?, id).await
}

#[cfg(feature = "ssr")]
fn view_of(d: super::service::AppDetail, public_url: &str) -> AppView {
    let p = d.policy;
    AppView {
        id: d.id,
        effective_frontend_url: p.frontend_url.clone().unwrap_or_else(|| public_url.to_owned()),
        registration_pool: p.registration_pool(),
        name: p.name,
        description: p.description,
        status: p.status,
        allowed_redirect_urls: p.allowed_redirect_urls,
        service_codes: p.service_codes,
        auto_grant_on_signup: p.auto_grant_on_signup,
        frontend_url: p.frontend_url,
        allowed_email_domains: p.allowed_email_domains,
        allowed_auth_methods: p.allowed_auth_methods,
        default_organization_id: p.default_organization_id,
        registration_namespace: p.registration_namespace,
        registration_namespaces: p.registration_namespaces,
        read_namespaces: p.read_namespaces,
        webhooks: d
            .webhooks
            .into_iter()
            .map(|w| WebhookView {
                id: w.id,
                events: serde_json::from_str(&w.events).unwrap_or_default(),
                url: w.url,
                enabled: w.enabled,
            })
            .collect(),
    }
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn load_all(ctx: &crate::auth::AdminCtx) -> Result<AppsData, AppError> {
    let _ = ctx;
    let state = crate::server::state::AppState::get()?;
    let public_url = state.config.base_url();
    let apps = super::service::list(&state.db).await?.into_iter().map(|d| view_of(d, &public_url)).collect();
    Ok(AppsData { apps, public_url })
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, app = id), err(level = "info"))]
async fn load_one(ctx: &crate::auth::AdminCtx, id: i64) -> Result<AppView, AppError> {
    let _ = ctx;
    let state = crate::server::state::AppState::get()?;
    Ok(view_of(super::service::find(&state.db, id).await?, &state.config.base_url()))
}
