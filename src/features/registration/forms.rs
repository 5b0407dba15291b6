//! Form posts of the registration pages: `POST /register`,
//! `POST /confirm/{token}`, and the queue's approve and reject.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::service::{self, Application};
use super::{confirm, queue};
use crate::auth::{AdminCtx, session};
use crate::error::AppError;
use crate::server::rejections::{ApiForm, ApiPath};
use crate::server::state::AppState;
use crate::ui::flash::{Flash, FormState};

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Where the form came from: the invite page keeps its token in the path,
/// a sign-up through an app its id in the query.
fn form_page(a: &Application) -> String {
    let page = match a.invite.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => format!("/invite/{}", encode(t)),
        None => "/register".into(),
    };
    match a.app.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(app) => format!("{page}?app={}", encode(app)),
        None => page,
    }
}

/// `POST /register`: on success a redirect whose query says what comes next
/// (no session for a stranger who succeeded); a refusal comes back to the
/// form with the values kept (never the passwords) and the message placed.
pub async fn register(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    ApiForm(a): ApiForm<Application>,
) -> Result<Response, AppError> {
    let back = form_page(&a);
    match service::register(&state, &a, &peer.ip().to_string()).await {
        Ok(outcome) => Ok(Redirect::to(&format!("/register?done={}", outcome.as_param())).into_response()),
        Err(e @ (AppError::Validation { .. } | AppError::Conflict { .. } | AppError::Denied(_))) => {
            let mut fs = FormState::new("register", e.status())
                .value("nickname", &a.nickname)
                .value("email", &a.email)
                .value("reason", a.reason.as_deref().unwrap_or_default());
            fs = fs.error(e.param().unwrap_or_default(), e.to_string());
            session::keep_form(&session, fs).await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(e @ AppError::TooManyRequests(_)) => {
            session::keep_form(&session, FormState::new("register", 429).error("", e.to_string())).await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(e) => Err(e),
    }
}

/// `POST /confirm/{token}`.
pub async fn confirm(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> Result<Response, AppError> {
    let result = if confirm::confirm(&state.db, &token).await?.is_some() { "ok" } else { "invalid" };
    Ok(Redirect::to(&format!("/confirm/{}?result={result}", encode(&token))).into_response())
}

/// `POST /registrations/{id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let flash = match queue::approve(&state.db, &ctx, id, &state.config.base_url()).await {
        Ok(p) => Flash::success(format!("Approved @{}; they were sent a mail.", p.nickname)),
        Err(AppError::NotFound) => Flash::error("That registration was already decided."),
        Err(e) => return Err(e),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to("/registrations").into_response())
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
}

/// `POST /registrations/{id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<RejectForm>,
) -> Result<Response, AppError> {
    match queue::reject(&state.db, &ctx, id, &f.reason).await {
        Ok(p) => {
            session::push_flash(
                &session,
                Flash::success(format!("Rejected @{}; they were sent the reason.", p.nickname)),
            )
            .await?
        }
        Err(AppError::NotFound) => {
            session::push_flash(&session, Flash::error("That registration was already decided.")).await?
        }
        Err(e @ AppError::Validation { .. }) => {
            let fs = FormState::new("reject", 422)
                .value("id", &id.to_string())
                .value("reason", &f.reason)
                .error("reason", e.to_string());
            session::keep_form(&session, fs).await?;
        }
        Err(e) => return Err(e),
    }
    Ok(Redirect::to("/registrations").into_response())
}
