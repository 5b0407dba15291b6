//! Form posts of the settings pages (post/redirect/get). Each form edits one
//! document: its fields are turned into the same JSON object the API takes
//! (field names are the API's `meta.param`, `sso.client_id` included) and
//! read by the same checks. A refusal comes back with the values kept and
//! the error by its field; a stale `expected_version` comes back with the
//! 409 message above the form and the current values.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};
use tower_sessions::Session;

use super::body::Fields;
use super::edits::{ConfigEdit, InstanceEdit, OrganizationEdit, RestrictionsEdit};
use super::identifiers::{self, List};
use crate::auth::{AdminCtx, session};
use crate::domain::settings::{
    Document, InstanceConfig, InstanceSettings, OrganizationSettings, RegistrationMode, RegistrationPolicy,
    Restrictions,
};
use crate::error::AppError;
use crate::server::rejections::{ApiForm, ApiPath};
use crate::server::settings;
use crate::server::state::AppState;
use crate::server::storage::audit::Actor;
use crate::ui::flash::{Flash, FormState};

type Pairs = Vec<(String, String)>;

pub const REGISTRATION: &str = "/settings/registration";
pub const INSTANCE: &str = "/settings/instance";

/// The message a stale edit shows above its form.
pub const STALE: &str =
    "Someone changed these settings after you opened this page. The current values are shown; make your change again.";

fn value<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn checked(pairs: &Pairs, name: &str) -> Value {
    Value::Bool(value(pairs, name).is_some())
}

fn text(pairs: &Pairs, name: &str) -> Value {
    Value::String(value(pairs, name).unwrap_or_default().to_owned())
}

/// A textarea with one entry per line.
fn lines(pairs: &Pairs, name: &str) -> Value {
    let v = value(pairs, name).unwrap_or_default();
    Value::Array(v.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Value::String(l.into())).collect())
}

/// Every ticked value of a checkbox group.
fn all(pairs: &Pairs, name: &str) -> Value {
    Value::Array(pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| Value::String(v.clone())).collect())
}

/// A number field; a non-number is refused by its name.
fn number(pairs: &Pairs, name: &str, message: &str) -> Result<Value, AppError> {
    let raw = value(pairs, name).unwrap_or_default().trim();
    raw.parse::<i64>().map(Value::from).map_err(|_| AppError::validation(name, message))
}

fn expected(pairs: &Pairs) -> Option<i64> {
    value(pairs, "expected_version").and_then(|v| v.trim().parse().ok())
}

/// After an edit: a success flash, or the form kept with its error.
async fn answer(
    session: &Session,
    form: &str,
    back: &str,
    pairs: &Pairs,
    result: Result<bool, AppError>,
    done: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(changed) => {
            let flash = if changed { Flash::success(done) } else { Flash::info("Nothing changed.") };
            session::push_flash(session, flash).await?;
        }
        Err(AppError::Stale { .. }) => {
            session::keep_form(session, FormState::new(form, 409).error("", STALE)).await?;
        }
        Err(e @ (AppError::Validation { .. } | AppError::Conflict { .. })) => {
            let mut fs = FormState::new(form, e.status());
            // Secrets are never kept.
            for (k, v) in pairs.iter().filter(|(k, _)| k != "sso.client_secret" && k != "expected_version") {
                let joined = match fs.values.get(k) {
                    Some(prev) => format!("{prev}\n{v}"),
                    None => v.clone(),
                };
                fs.values.insert(k.clone(), joined);
            }
            fs = fs.value("expected_version", value(pairs, "expected_version").unwrap_or_default());
            let param = e.param().unwrap_or_default().to_owned();
            session::keep_form(session, fs.error(&param, e.to_string())).await?;
        }
        Err(e) => return Err(e),
    }
    Ok(Redirect::to(back).into_response())
}

/// Applies a checked edit to the document `D` on the version the form was
/// based on; whether anything changed.
async fn save<D: Document>(
    state: &AppState,
    ctx: &AdminCtx,
    p: &Pairs,
    edit: impl Fn(&mut D),
) -> Result<bool, AppError> {
    let c = settings::change::<D>(&state.db, Actor::from(ctx.staff()), expected(p), |d| {
        edit(d);
        Ok(())
    })
    .await?;
    Ok(c.changed())
}

async fn change_policy(state: &AppState, ctx: &AdminCtx, p: &Pairs) -> Result<bool, AppError> {
    let mode = RegistrationMode::parse(value(p, "mode").unwrap_or_default())
        .ok_or_else(|| AppError::validation("mode", "Choose open, invite only or closed."))?;
    let (approval, confirmation, reason) = (
        value(p, "approval_required").is_some(),
        value(p, "confirmation_required").is_some(),
        value(p, "reason_required").is_some(),
    );
    save::<RegistrationPolicy>(state, ctx, p, |d| {
        d.mode = mode;
        d.approval_required = approval;
        d.confirmation_required = confirmation;
        d.reason_required = reason;
    })
    .await
}

/// `POST /settings/registration/policy`.
pub async fn policy(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(p): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let r = change_policy(&state, &ctx, &p).await;
    answer(&session, "policy", REGISTRATION, &p, r, "Saved the registration policy.").await
}

async fn change_review(state: &AppState, ctx: &AdminCtx, p: &Pairs) -> Result<bool, AppError> {
    let hour = "Enter a whole hour from 0 to 23.";
    let body = json!({
        "manual_review_enabled": checked(p, "manual_review_enabled"),
        "manual_review_schedule_enabled": checked(p, "manual_review_schedule_enabled"),
        "manual_review_schedule_start_hour_utc": number(p, "manual_review_schedule_start_hour_utc", hour)?,
        "manual_review_schedule_end_hour_utc": number(p, "manual_review_schedule_end_hour_utc", hour)?,
    });
    let edit = ConfigEdit::read(&Fields::object(body, "", &super::edits::CONFIG_FIELDS)?)?;
    save::<InstanceConfig>(state, ctx, p, |d| edit.apply(d)).await
}

/// `POST /settings/registration/review`.
pub async fn review(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(p): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let r = change_review(&state, &ctx, &p).await;
    answer(&session, "review", REGISTRATION, &p, r, "Saved the review window.").await
}

async fn change_restrictions(state: &AppState, ctx: &AdminCtx, p: &Pairs) -> Result<bool, AppError> {
    let body: Map<String, Value> =
        super::edits::RESTRICTION_FIELDS.iter().map(|k| ((*k).to_owned(), checked(p, k))).collect();
    let edit = RestrictionsEdit::read(&Fields::object(Value::Object(body), "", &super::edits::RESTRICTION_FIELDS)?)?;
    save::<Restrictions>(state, ctx, p, |d| edit.apply(d)).await
}

/// `POST /settings/registration/restrictions`.
pub async fn restrictions(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(p): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let r = change_restrictions(&state, &ctx, &p).await;
    answer(&session, "restrictions", REGISTRATION, &p, r, "Saved the restrictions.").await
}

fn list_of(p: &Pairs) -> Result<List, AppError> {
    List::parse(value(p, "list").unwrap_or_default()).ok_or_else(|| AppError::BadRequest("Unknown list.".into()))
}

/// `POST /settings/registration/identifiers`: adds to the allowlist or blocklist.
pub async fn add_identifier(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(p): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let list = list_of(&p)?;
    let raw = value(&p, "identifier").unwrap_or_default();
    let r = identifiers::add(&state.db, Actor::from(ctx.staff()), list, raw).await.map(|_| true);
    let done = format!("Added {} to the {}.", raw.trim().to_lowercase(), list.key());
    answer(&session, list.key(), REGISTRATION, &p, r, &done).await
}

/// `POST /settings/registration/identifiers/{id}/delete`.
pub async fn remove_identifier(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(p): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let list = list_of(&p)?;
    let flash = match identifiers::remove(&state.db, Actor::from(ctx.staff()), list, id).await {
        Ok(row) => Flash::success(format!("Removed {} from the {}.", row.identifier, list.key())),
        Err(AppError::NotFound) => Flash::info("That entry was already removed."),
        Err(e) => return Err(e),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(REGISTRATION).into_response())
}

async fn change_instance(state: &AppState, ctx: &AdminCtx, p: &Pairs) -> Result<bool, AppError> {
    let body = json!({
        "test_mode": checked(p, "test_mode"),
        "hibp": checked(p, "hibp"),
        "enhanced_email_deliverability": checked(p, "enhanced_email_deliverability"),
        "support_email": text(p, "support_email"),
        "clerk_js_version": text(p, "clerk_js_version"),
        "development_origin": text(p, "development_origin"),
        "allowed_origins": lines(p, "allowed_origins"),
        "cookieless_dev": checked(p, "cookieless_dev"),
        "url_based_session_syncing": checked(p, "url_based_session_syncing"),
    });
    let edit = InstanceEdit::read(&Fields::object(body, "", &super::edits::INSTANCE_FIELDS)?)?;
    save::<InstanceSettings>(state, ctx, p, |d| edit.apply(d)).await
}

/// `POST /settings/instance/instance`.
pub async fn instance(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(p): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let r = change_instance(&state, &ctx, &p).await;
    answer(&session, "instance", INSTANCE, &p, r, "Saved the instance settings.").await
}

async fn change_config(state: &AppState, ctx: &AdminCtx, p: &Pairs) -> Result<bool, AppError> {
    let mut sso = Map::new();
    sso.insert("enabled".into(), checked(p, "sso.enabled"));
    sso.insert("auto_provision".into(), checked(p, "sso.auto_provision"));
    sso.insert("allowed_domains".into(), lines(p, "sso.allowed_domains"));
    for k in [
        "display_name",
        "issuer",
        "authorization_url",
        "token_url",
        "userinfo_url",
        "jwks_url",
        "client_id",
        "scope",
        "redirect_uri",
    ] {
        sso.insert(k.into(), text(p, &format!("sso.{k}")));
    }
    // An empty secret field keeps the stored secret; the checkbox clears it.
    if value(p, "sso.clear_secret").is_some() {
        sso.insert("client_secret".into(), Value::Null);
    } else if let Some(s) = value(p, "sso.client_secret").filter(|s| !s.trim().is_empty()) {
        sso.insert("client_secret".into(), Value::String(s.to_owned()));
    }
    let body = json!({
        "registration_alerts_webhook_url": text(p, "registration_alerts_webhook_url"),
        "system_alerts_webhook_url": text(p, "system_alerts_webhook_url"),
        "sso": sso,
    });
    let edit = ConfigEdit::read(&Fields::object(body, "", &super::edits::CONFIG_FIELDS)?)?;
    save::<InstanceConfig>(state, ctx, p, |d| edit.apply(d)).await
}

/// `POST /settings/instance/config`: alert webhooks and SSO.
pub async fn config(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(p): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let r = change_config(&state, &ctx, &p).await;
    answer(&session, "config", INSTANCE, &p, r, "Saved the webhooks and sign-in settings.").await
}

async fn change_organization(state: &AppState, ctx: &AdminCtx, p: &Pairs) -> Result<bool, AppError> {
    let body = json!({
        "enabled": checked(p, "enabled"),
        "max_allowed_memberships": number(p, "max_allowed_memberships", "Enter a whole number, 0 or more.")?,
        "admin_delete_enabled": checked(p, "admin_delete_enabled"),
        "domains_enabled": checked(p, "domains_enabled"),
        "domains_enrollment_modes": all(p, "domains_enrollment_modes"),
        "creator_role_id": text(p, "creator_role_id"),
        "domains_default_role_id": text(p, "domains_default_role_id"),
    });
    let edit = OrganizationEdit::read(&Fields::object(body, "", &super::edits::ORGANIZATION_FIELDS)?)?;
    save::<OrganizationSettings>(state, ctx, p, |d| edit.apply(d)).await
}

/// `POST /settings/instance/organization`.
pub async fn organization(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(p): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let r = change_organization(&state, &ctx, &p).await;
    answer(&session, "organization", INSTANCE, &p, r, "Saved the organization settings.").await
}
