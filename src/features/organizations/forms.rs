//! The console's organization forms (post/redirect/get, with or without
//! JavaScript): a rejected field comes back beside its field with what was
//! typed kept; other refusals (the Clerk settings forbid it) come back as a
//! message at the top of the page.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::document::{self, Replacer};
use super::rules::parse_document;
use super::service::{self, DomainChange, UserRef};
use crate::auth::{AdminCtx, session};
use crate::error::AppError;
use crate::server::rejections::{ApiForm, ApiPath};
use crate::server::state::AppState;
use crate::ui::flash::{Flash, FormState};

fn page(id: i64) -> String {
    format!("/organizations/{id}")
}

/// Where a refusal goes: a field's message beside it, a rule's at the top.
async fn refused(session: &Session, back: &str, form: FormState, e: AppError) -> Result<Response, AppError> {
    match e {
        AppError::Validation { param, message } | AppError::Conflict { param, message } => {
            session::keep_form(session, form.error(&param, message)).await?;
        }
        AppError::PayloadTooLarge => {
            session::keep_form(session, form.error("settings", "The settings are too large (64 KiB at most).")).await?;
        }
        e @ AppError::Stale { .. } => session::keep_form(session, form.error("settings", e.to_string())).await?,
        AppError::Denied(m) => session::push_flash(session, Flash::error(m)).await?,
        AppError::NotFound => session::push_flash(session, Flash::error("That no longer exists.")).await?,
        other => return Err(other),
    }
    Ok(Redirect::to(back).into_response())
}

async fn done(session: &Session, back: &str, message: String) -> Result<Response, AppError> {
    session::push_flash(session, Flash::success(message)).await?;
    Ok(Redirect::to(back).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NameForm {
    name: String,
    slug: String,
}

pub async fn create(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(f): ApiForm<NameForm>,
) -> Result<Response, AppError> {
    match service::create(&state.db, &ctx, &f.name, Some(&f.slug)).await {
        Ok(o) => {
            done(&session, &page(o.id), format!("Organization {} created; you are its first member.", o.name)).await
        }
        Err(e) => {
            let form = FormState::new("org_create", 422).value("name", &f.name).value("slug", &f.slug);
            refused(&session, "/organizations", form, e).await
        }
    }
}

pub async fn rename(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<NameForm>,
) -> Result<Response, AppError> {
    match service::rename(&state.db, &ctx, id, &f.name, Some(&f.slug)).await {
        Ok(o) => done(&session, &page(id), format!("Renamed to {}.", o.name)).await,
        Err(e) => {
            let form = FormState::new("org_rename", 422).value("name", &f.name).value("slug", &f.slug);
            refused(&session, &page(id), form, e).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<DeleteForm>,
) -> Result<Response, AppError> {
    if f.confirm != "yes" {
        let form = FormState::new("org_delete", 422).error("confirm", "Tick the box to confirm the deletion.");
        session::keep_form(&session, form).await?;
        return Ok(Redirect::to(&page(id)).into_response());
    }
    match service::delete(&state.db, &ctx, id).await {
        Ok(o) => done(&session, "/organizations", format!("Organization {} deleted.", o.name)).await,
        Err(e) => refused(&session, &page(id), FormState::new("org_delete", 422), e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    user: String,
    role: String,
}

pub async fn add_member(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<MemberForm>,
) -> Result<Response, AppError> {
    let raw = f.user.trim().trim_start_matches('@');
    let who = match raw.parse::<i64>() {
        Ok(n) => UserRef::Id(n),
        Err(_) => UserRef::Nickname(raw.to_owned()),
    };
    let result = if raw.is_empty() {
        Err(AppError::validation("user_id", "Give a nickname or user id."))
    } else {
        service::add_member(&state.db, &ctx, id, &who, &f.role).await
    };
    match result {
        Ok(m) => done(&session, &page(id), format!("@{} added as {}.", m.nickname, m.role)).await,
        Err(e) => {
            let e = match e {
                AppError::Validation { param, message } if param == "user_id" => AppError::validation("user", message),
                AppError::Conflict { param, message } if param == "user_id" => AppError::conflict("user", message),
                other => other,
            };
            let form = FormState::new("org_member", 422).value("user", &f.user).value("role", &f.role);
            refused(&session, &page(id), form, e).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

pub async fn member_role(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath((id, user_id)): ApiPath<(i64, i64)>,
    ApiForm(f): ApiForm<RoleForm>,
) -> Result<Response, AppError> {
    match service::set_member_role(&state.db, &ctx, id, user_id, &f.role).await {
        Ok(m) => done(&session, &page(id), format!("@{} is now {}.", m.nickname, m.role)).await,
        Err(e) => refused(&session, &page(id), FormState::new("org_member_role", 422), e).await,
    }
}

pub async fn remove_member(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath((id, user_id)): ApiPath<(i64, i64)>,
) -> Result<Response, AppError> {
    match service::remove_member(&state.db, &ctx, id, user_id).await {
        Ok(m) => done(&session, &page(id), format!("@{} removed.", m.nickname)).await,
        Err(e) => refused(&session, &page(id), FormState::new("org_member_role", 422), e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DomainForm {
    domain: String,
    enrollment_mode: String,
}

pub async fn add_domain(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<DomainForm>,
) -> Result<Response, AppError> {
    match service::add_domain(&state.db, &ctx, id, &f.domain, &f.enrollment_mode).await {
        Ok(d) => done(&session, &page(id), format!("Domain {} added; verify it to enroll sign-ups.", d.domain)).await,
        Err(e) => {
            let form = FormState::new("org_domain", 422)
                .value("domain", &f.domain)
                .value("enrollment_mode", &f.enrollment_mode);
            refused(&session, &page(id), form, e).await
        }
    }
}

pub async fn verify_domain(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath((id, domain_id)): ApiPath<(i64, i64)>,
) -> Result<Response, AppError> {
    match service::change_domain(&state.db, &ctx, id, domain_id, DomainChange::Verify).await {
        Ok(d) => done(&session, &page(id), format!("Domain {} verified.", d.domain)).await,
        Err(e) => refused(&session, &page(id), FormState::new("org_domain_change", 422), e).await,
    }
}

pub async fn domain_mode(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath((id, domain_id)): ApiPath<(i64, i64)>,
    ApiForm(f): ApiForm<DomainForm>,
) -> Result<Response, AppError> {
    match service::change_domain(&state.db, &ctx, id, domain_id, DomainChange::Mode(&f.enrollment_mode)).await {
        Ok(d) => done(&session, &page(id), format!("{} now uses {}.", d.domain, d.enrollment_mode)).await,
        Err(e) => refused(&session, &page(id), FormState::new("org_domain_change", 422), e).await,
    }
}

pub async fn remove_domain(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath((id, domain_id)): ApiPath<(i64, i64)>,
) -> Result<Response, AppError> {
    match service::delete_domain(&state.db, &ctx, id, domain_id).await {
        Ok(d) => done(&session, &page(id), format!("Domain {} removed.", d.domain)).await,
        Err(e) => refused(&session, &page(id), FormState::new("org_domain_change", 422), e).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    settings: String,
    version: String,
}

/// The editor's text, validated here too: without JavaScript this is the
/// only check, and a refusal keeps the text.
pub async fn settings(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<SettingsForm>,
) -> Result<Response, AppError> {
    let expected = f.version.trim().parse::<i64>().ok();
    let result = match parse_document(&f.settings) {
        Ok(doc) => document::replace_settings(&state.db, Replacer::Admin(&ctx), id, &doc, expected).await,
        Err(e) => Err(e.into_field("settings")),
    };
    match result {
        Ok(v) => done(&session, &page(id), format!("Settings replaced (version {v}).")).await,
        Err(e) => {
            let form = FormState::new("org_settings", 422).value("settings", &f.settings);
            refused(&session, &page(id), form, e).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    label: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<TokenForm>,
) -> Result<Response, AppError> {
    match document::issue_token(&state.db, &ctx, id, &f.label).await {
        Ok((_, secret)) => {
            let mut flash = Flash::success(format!(
                "Organization token \"{}\" created. It may replace this organization's settings through POST /api/v1/settings/organization, nothing else.",
                f.label.trim()
            ));
            flash.secret = Some(secret);
            session::push_flash(&session, flash).await?;
            Ok(Redirect::to(&page(id)).into_response())
        }
        Err(e) => {
            let form = FormState::new("org_token", 422).value("label", &f.label);
            refused(&session, &page(id), form, e).await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath((id, token_id)): ApiPath<(i64, i64)>,
) -> Result<Response, AppError> {
    match document::revoke_token(&state.db, &ctx, id, token_id).await {
        Ok(label) => done(&session, &page(id), format!("Token \"{label}\" revoked.")).await,
        Err(e) => refused(&session, &page(id), FormState::new("org_token", 422), e).await,
    }
}
