//! `POST /invites`, `POST /invites/email`, `POST /invites/{id}/revoke`:
//! post/redirect/get back to `/invites`; rejected input comes back beside
//! its field.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use tower_sessions::Session;

use super::service;
use crate::auth::{AdminCtx, session};
use crate::error::AppError;
use crate::server::rejections::{ApiForm, ApiPath};
use crate::server::state::AppState;
use crate::ui::flash::{Flash, FormState};

const BACK: &str = "/invites";

/// A field's rejection goes back to the form; anything else is the answer.
async fn back_with(session: &Session, form: FormState, e: AppError) -> Result<Response, AppError> {
    match e {
        AppError::Validation { param, message } => {
            session::keep_form(session, form.error(&param, message)).await?;
            Ok(Redirect::to(BACK).into_response())
        }
        other => Err(other),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    max_use: String,
    expires_at: String,
}

pub async fn create(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(f): ApiForm<CreateForm>,
) -> Result<Response, AppError> {
    let today = service::today(&state.config);
    let limits = service::parse_limits(
        Some(&Value::String(f.max_use.clone())),
        Some(&Value::String(f.expires_at.clone())),
        &today,
    );
    let created = match limits {
        Ok(l) => service::create(&state.db, &ctx, &l).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(i) => {
            session::push_flash(&session, Flash::success(format!("Invite #{} created. Copy its link below.", i.id)))
                .await?;
            Ok(Redirect::to(BACK).into_response())
        }
        Err(e) => {
            let form = FormState::new("invite", 422).value("max_use", &f.max_use).value("expires_at", &f.expires_at);
            back_with(&session, form, e).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
    name: String,
}

pub async fn email(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(f): ApiForm<EmailForm>,
) -> Result<Response, AppError> {
    match service::email_invite(&state.db, &state.config, &ctx, &f.email, Some(&f.name)).await {
        Ok(i) => {
            let to = i.email.unwrap_or_default();
            session::push_flash(&session, Flash::success(format!("Invite #{} mailed to {to}.", i.id))).await?;
            Ok(Redirect::to(BACK).into_response())
        }
        Err(e) => {
            let form = FormState::new("email_invite", 422).value("email", &f.email).value("name", &f.name);
            back_with(&session, form, e).await
        }
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let flash = match service::revoke(&state.db, &ctx, id).await {
        Ok(i) => Flash::success(format!("Invite #{} revoked: its link no longer works.", i.id)),
        Err(AppError::NotFound) => Flash::error("That invite does not exist."),
        Err(e) => return Err(e),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(BACK).into_response())
}
