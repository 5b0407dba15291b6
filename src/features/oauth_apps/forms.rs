//! The `/oauth-apps` form posts: register, trust or distrust, new secret,
//! delete. Post/redirect/get back to the list; a new secret is handed over
//! once, in the flash, and never again.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::service::{self, NewClient, Patch};
use crate::auth::{AdminCtx, session};
use crate::error::AppError;
use crate::features::oauth::service::validate;
use crate::server::rejections::{ApiForm, ApiPath};
use crate::server::state::AppState;
use crate::ui::flash::{Flash, FormState};

const BACK: &str = "/oauth-apps";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    name: String,
    redirect_uris: String,
    scopes: String,
    website: String,
    /// A checkbox: present when ticked.
    trusted: Option<String>,
}

fn secret_flash(message: String, secret: String) -> Flash {
    Flash { secret: Some(secret), ..Flash::success(message) }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(f): ApiForm<CreateForm>,
) -> Result<Response, AppError> {
    let created = match validate("name", &f.name, &f.redirect_uris, &f.scopes, Some(&f.website)) {
        Ok(fields) => service::create(&state.db, &ctx, NewClient { fields, trusted: f.trusted.is_some() }).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(w) => {
            let message = format!(
                "OAuth app \"{}\" registered with client id {}. Its client secret:",
                w.app.name, w.app.client_id
            );
            session::push_flash(&session, secret_flash(message, w.client_secret)).await?;
        }
        Err(AppError::Validation { param, message }) => {
            let form = FormState::new("oauth_app", 422)
                .value("name", &f.name)
                .value("redirect_uris", &f.redirect_uris)
                .value("scopes", &f.scopes)
                .value("website", &f.website)
                .error(&param, message);
            session::keep_form(&session, form).await?;
        }
        Err(e) => return Err(e),
    }
    Ok(Redirect::to(BACK).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TrustForm {
    /// `true` or `false`.
    trusted: String,
}

pub async fn trust(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<TrustForm>,
) -> Result<Response, AppError> {
    let trusted = match f.trusted.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::validation("trusted", "trusted must be true or false")),
    };
    let patch = Patch { trusted: Some(trusted), ..Patch::default() };
    let flash = match service::update(&state.db, &ctx, id, patch).await {
        Ok(a) if a.trusted => Flash::success(format!("\"{}\" is trusted: staff skip its consent page.", a.name)),
        Ok(a) => Flash::success(format!("\"{}\" is no longer trusted; its intake tokens were revoked.", a.name)),
        Err(AppError::NotFound) => Flash::error("That OAuth app does not exist."),
        Err(e) => return Err(e),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(BACK).into_response())
}

pub async fn regenerate(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let flash = match service::regenerate_secret(&state.db, &ctx, id).await {
        Ok(w) => {
            secret_flash(format!("\"{}\" has a new secret; the old one no longer works.", w.app.name), w.client_secret)
        }
        Err(AppError::NotFound) => Flash::error("That OAuth app does not exist."),
        Err(e) => return Err(e),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(BACK).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let flash = match service::delete(&state.db, &ctx, id).await {
        Ok(()) => Flash::success(format!("OAuth app #{id} deleted; its tokens no longer work.")),
        Err(AppError::NotFound) => Flash::error("That OAuth app does not exist."),
        Err(e) => return Err(e),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(BACK).into_response())
}
