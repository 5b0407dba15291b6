//! The settings endpoints, admins only: Fluxer's `instance-config`, Clerk's
//! `instance`, `instance/restrictions`, `instance/organization_settings`
//! and the allowlist/blocklist identifiers. Bodies are read field by field
//! ([`super::body`]) so a wrong type or an unknown key is a 422 naming it;
//! a body may carry `expected_version` (the version it was read at) and a
//! stale one is a 409 with `meta.current_version`. Every answer carries the
//! document's version as its `ETag`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::body::Fields;
use super::edits::{
    CONFIG_FIELDS, ConfigEdit, ConfigView, INSTANCE_FIELDS, InstanceEdit, InstanceView, ORGANIZATION_FIELDS,
    OrganizationEdit, OrganizationView, RESTRICTION_FIELDS, RestrictionsEdit, RestrictionsView,
};
use super::identifiers::{self, List};
use crate::api::extract::ApiJson;
use crate::auth::AdminCtx;
use crate::domain::settings::{InstanceConfig, InstanceSettings, OrganizationSettings, Restrictions};
use crate::error::AppError;
use crate::server::rejections::ApiPath;
use crate::server::settings;
use crate::server::state::AppState;
use crate::server::storage::audit::Actor;
use crate::server::storage::restriction_identifiers::{self as rows, Row};

fn versioned(status: StatusCode, version: i64, body: impl Serialize) -> Response {
    let mut res = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

fn hour(state: &AppState) -> u8 {
    state.config.clock.now().hour()
}

/// Fluxer's update body (every field optional; `sso` fields too).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ConfigUpdate {
    manual_review_enabled: Option<bool>,
    manual_review_schedule_enabled: Option<bool>,
    #[schema(minimum = 0, maximum = 23)]
    manual_review_schedule_start_hour_utc: Option<i32>,
    #[schema(minimum = 0, maximum = 23)]
    manual_review_schedule_end_hour_utc: Option<i32>,
    /// Absolute http(s) URL; `null` clears it.
    registration_alerts_webhook_url: Option<String>,
    system_alerts_webhook_url: Option<String>,
    sso: Option<SsoUpdate>,
    /// The version the edit was made on; a stale one answers 409.
    expected_version: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct SsoUpdate {
    enabled: Option<bool>,
    display_name: Option<String>,
    issuer: Option<String>,
    authorization_url: Option<String>,
    token_url: Option<String>,
    userinfo_url: Option<String>,
    jwks_url: Option<String>,
    client_id: Option<String>,
    /// Write-only: omitted keeps the stored secret, `""` or `null` clears it.
    client_secret: Option<String>,
    scope: Option<String>,
    allowed_domains: Option<Vec<String>>,
    auto_provision: Option<bool>,
    redirect_uri: Option<String>,
}

/// Fluxer's instance config: the manual-review window, alert webhooks, SSO.
#[utoipa::path(get, path = "/instance-config",
    responses((status = 200, body = ConfigView), (status = 403, description = "Admins only.")), tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn instance_config(State(state): State<AppState>, ctx: AdminCtx) -> Result<Response, AppError> {
    let v = settings::get::<InstanceConfig>(&state.db).await?;
    Ok(versioned(StatusCode::OK, v.version, ConfigView::of(&v.doc, hour(&state))))
}

/// Updates Fluxer's instance config: fields present change, absent stay.
#[utoipa::path(post, path = "/instance-config/update", request_body = ConfigUpdate,
    responses((status = 200, body = ConfigView), (status = 400, description = "Malformed JSON."),
        (status = 403, description = "Admins only."),
        (status = 409, description = "`expected_version` is stale; `meta.current_version` is the stored one."),
        (status = 422, description = "A field is invalid; `meta.param` names it.")),
    tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn update_instance_config(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    let f = Fields::object(body, "", &CONFIG_FIELDS)?;
    let (edit, expected) = (ConfigEdit::read(&f)?, f.expected_version()?);
    let c = settings::change::<InstanceConfig>(&state.db, Actor::from(ctx.staff()), expected, |d| {
        edit.apply(d);
        Ok(())
    })
    .await?;
    Ok(versioned(StatusCode::OK, c.after.version, ConfigView::of(&c.after.doc, hour(&state))))
}

/// Clerk's `PATCH /instance` body: `null` leaves a field unchanged, `""`
/// clears a text field.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct InstanceUpdate {
    test_mode: Option<bool>,
    hibp: Option<bool>,
    enhanced_email_deliverability: Option<bool>,
    support_email: Option<String>,
    clerk_js_version: Option<String>,
    development_origin: Option<String>,
    /// Origins like `https://app.example.org`, `chrome-extension://id`, `capacitor://localhost`.
    allowed_origins: Option<Vec<String>>,
    cookieless_dev: Option<bool>,
    url_based_session_syncing: Option<bool>,
    expected_version: Option<i64>,
}

/// Clerk's instance settings.
#[utoipa::path(get, path = "/instance",
    responses((status = 200, body = InstanceView), (status = 403, description = "Admins only.")), tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn instance(State(state): State<AppState>, ctx: AdminCtx) -> Result<Response, AppError> {
    let v = settings::get::<InstanceSettings>(&state.db).await?;
    Ok(versioned(StatusCode::OK, v.version, InstanceView::of(&v.doc, v.version)))
}

/// Updates Clerk's instance settings; answers 202 Accepted (Clerk's
/// description) with the settings as stored. `allowed_origins` is the CORS
/// allowlist of the API.
#[utoipa::path(patch, path = "/instance", request_body = InstanceUpdate,
    responses((status = 202, description = "Accepted.", body = InstanceView), (status = 400, description = "Malformed JSON."),
        (status = 403, description = "Admins only."),
        (status = 409, description = "`expected_version` is stale; `meta.current_version` is the stored one."),
        (status = 422, description = "A field is invalid or unknown; `meta.param` names it.")),
    tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn update_instance(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    let f = Fields::object(body, "", &INSTANCE_FIELDS)?;
    let (edit, expected) = (InstanceEdit::read(&f)?, f.expected_version()?);
    let c = settings::change::<InstanceSettings>(&state.db, Actor::from(ctx.staff()), expected, |d| {
        edit.apply(d);
        Ok(())
    })
    .await?;
    Ok(versioned(StatusCode::ACCEPTED, c.after.version, InstanceView::of(&c.after.doc, c.after.version)))
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct RestrictionsUpdate {
    allowlist: Option<bool>,
    blocklist: Option<bool>,
    block_email_subaddresses: Option<bool>,
    block_disposable_email_domains: Option<bool>,
    ignore_dots_for_gmail_addresses: Option<bool>,
    expected_version: Option<i64>,
}

/// Clerk's restriction settings.
#[utoipa::path(get, path = "/instance/restrictions",
    responses((status = 200, body = RestrictionsView), (status = 403, description = "Admins only.")), tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn restrictions(State(state): State<AppState>, ctx: AdminCtx) -> Result<Response, AppError> {
    let v = settings::get::<Restrictions>(&state.db).await?;
    Ok(versioned(StatusCode::OK, v.version, RestrictionsView::of(&v.doc, v.version)))
}

/// Updates Clerk's restriction settings (`null` leaves a field unchanged).
#[utoipa::path(patch, path = "/instance/restrictions", request_body = RestrictionsUpdate,
    responses((status = 200, body = RestrictionsView), (status = 400, description = "Malformed JSON."),
        (status = 403, description = "Admins only."),
        (status = 409, description = "`expected_version` is stale; `meta.current_version` is the stored one."),
        (status = 422, description = "A field is invalid or unknown; `meta.param` names it.")),
    tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn update_restrictions(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    let f = Fields::object(body, "", &RESTRICTION_FIELDS)?;
    let (edit, expected) = (RestrictionsEdit::read(&f)?, f.expected_version()?);
    let c = settings::change::<Restrictions>(&state.db, Actor::from(ctx.staff()), expected, |d| {
        edit.apply(d);
        Ok(())
    })
    .await?;
    Ok(versioned(StatusCode::OK, c.after.version, RestrictionsView::of(&c.after.doc, c.after.version)))
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct OrganizationUpdate {
    enabled: Option<bool>,
    #[schema(minimum = 0)]
    max_allowed_memberships: Option<i64>,
    admin_delete_enabled: Option<bool>,
    domains_enabled: Option<bool>,
    /// A subset of `manual_invitation`, `automatic_invitation`, `automatic_suggestion`.
    domains_enrollment_modes: Option<Vec<String>>,
    creator_role_id: Option<String>,
    domains_default_role_id: Option<String>,
    expected_version: Option<i64>,
}

/// Clerk's organization settings.
#[utoipa::path(get, path = "/instance/organization_settings",
    responses((status = 200, body = OrganizationView), (status = 403, description = "Admins only.")), tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn organization_settings(State(state): State<AppState>, ctx: AdminCtx) -> Result<Response, AppError> {
    let v = settings::get::<OrganizationSettings>(&state.db).await?;
    Ok(versioned(StatusCode::OK, v.version, OrganizationView::of(&v.doc, v.version)))
}

/// Updates Clerk's organization settings (`null` leaves a field unchanged).
#[utoipa::path(patch, path = "/instance/organization_settings", request_body = OrganizationUpdate,
    responses((status = 200, body = OrganizationView), (status = 400, description = "Malformed JSON."),
        (status = 403, description = "Admins only."),
        (status = 409, description = "`expected_version` is stale; `meta.current_version` is the stored one."),
        (status = 422, description = "A field is invalid or unknown; `meta.param` names it.")),
    tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn update_organization_settings(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    let f = Fields::object(body, "", &ORGANIZATION_FIELDS)?;
    let (edit, expected) = (OrganizationEdit::read(&f)?, f.expected_version()?);
    let c = settings::change::<OrganizationSettings>(&state.db, Actor::from(ctx.staff()), expected, |d| {
        edit.apply(d);
        Ok(())
    })
    .await?;
    Ok(versioned(StatusCode::OK, c.after.version, OrganizationView::of(&c.after.doc, c.after.version)))
}

/// An allowlist or blocklist entry, in Clerk's shape (times in milliseconds).
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentifierView {
    /// `allowlist_identifier` or `blocklist_identifier`.
    object: &'static str,
    id: String,
    identifier: String,
    /// `email_address` or `domain`.
    identifier_type: String,
    created_at: i64,
    updated_at: i64,
}

impl IdentifierView {
    fn of(list: List, r: Row) -> IdentifierView {
        IdentifierView {
            object: list.object(),
            id: r.id.to_string(),
            identifier: r.identifier,
            identifier_type: r.identifier_type,
            created_at: r.created_at * 1000,
            updated_at: r.created_at * 1000,
        }
    }
}

/// Clerk's `DeletedObject`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedIdentifier {
    object: &'static str,
    id: String,
    deleted: bool,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct NewIdentifier {
    /// An email address or a domain.
    #[schema(max_length = 254)]
    identifier: String,
    /// Accepted for Clerk clients; Steward sends no notice.
    notify: Option<bool>,
}

async fn list_of(state: &AppState, list: List) -> Result<Json<Vec<IdentifierView>>, AppError> {
    let mut c = state.db.conn().await?;
    let items = rows::list(c.as_ref(), list.key()).await?;
    Ok(Json(items.into_iter().map(|r| IdentifierView::of(list, r)).collect()))
}

async fn add_to(state: &AppState, ctx: &AdminCtx, list: List, body: Value) -> Result<Json<IdentifierView>, AppError> {
    let f = Fields::object(body, "", &["identifier", "notify"])?;
    f.opt::<bool>("notify")?;
    let raw = f
        .opt::<String>("identifier")?
        .ok_or_else(|| AppError::validation("identifier", "Enter an email address or a domain."))?;
    let row = identifiers::add(&state.db, Actor::from(ctx.staff()), list, &raw).await?;
    Ok(Json(IdentifierView::of(list, row)))
}

async fn remove_from(
    state: &AppState,
    ctx: &AdminCtx,
    list: List,
    id: &str,
) -> Result<Json<DeletedIdentifier>, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let row = identifiers::remove(&state.db, Actor::from(ctx.staff()), list, id).await?;
    Ok(Json(DeletedIdentifier { object: list.object(), id: row.id.to_string(), deleted: true }))
}

/// The allowlist: only these addresses and domains may register when `allowlist` is on.
#[utoipa::path(get, path = "/allowlist_identifiers",
    responses((status = 200, body = [IdentifierView]), (status = 403, description = "Admins only.")), tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn allowlist(State(state): State<AppState>, ctx: AdminCtx) -> Result<Json<Vec<IdentifierView>>, AppError> {
    list_of(&state, List::Allow).await
}

/// Adds an address or domain to the allowlist.
#[utoipa::path(post, path = "/allowlist_identifiers", request_body = NewIdentifier,
    responses((status = 200, body = IdentifierView), (status = 400, description = "Malformed JSON."),
        (status = 403, description = "Admins only."), (status = 409, description = "Already on the list."),
        (status = 422, description = "Not an email address or a domain.")),
    tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn allowlist_add(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<IdentifierView>, AppError> {
    add_to(&state, &ctx, List::Allow, body).await
}

/// Removes an entry from the allowlist.
#[utoipa::path(delete, path = "/allowlist_identifiers/{id}", params(("id" = String, Path)),
    responses((status = 200, body = DeletedIdentifier), (status = 403, description = "Admins only."),
        (status = 404, description = "No such entry.")),
    tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, id = %id), err(level = "info"))]
pub async fn allowlist_remove(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DeletedIdentifier>, AppError> {
    remove_from(&state, &ctx, List::Allow, &id).await
}

/// The blocklist: these addresses and domains may not register when `blocklist` is on.
#[utoipa::path(get, path = "/blocklist_identifiers",
    responses((status = 200, body = [IdentifierView]), (status = 403, description = "Admins only.")), tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn blocklist(State(state): State<AppState>, ctx: AdminCtx) -> Result<Json<Vec<IdentifierView>>, AppError> {
    list_of(&state, List::Block).await
}

/// Adds an address or domain to the blocklist.
#[utoipa::path(post, path = "/blocklist_identifiers", request_body = NewIdentifier,
    responses((status = 200, body = IdentifierView), (status = 400, description = "Malformed JSON."),
        (status = 403, description = "Admins only."), (status = 409, description = "Already on the list."),
        (status = 422, description = "Not an email address or a domain.")),
    tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn blocklist_add(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<IdentifierView>, AppError> {
    add_to(&state, &ctx, List::Block, body).await
}

/// Removes an entry from the blocklist.
#[utoipa::path(delete, path = "/blocklist_identifiers/{id}", params(("id" = String, Path)),
    responses((status = 200, body = DeletedIdentifier), (status = 403, description = "Admins only."),
        (status = 404, description = "No such entry.")),
    tag = "settings")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, id = %id), err(level = "info"))]
pub async fn blocklist_remove(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DeletedIdentifier>, AppError> {
    remove_from(&state, &ctx, List::Block, &id).await
}
