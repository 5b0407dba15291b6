//! `/statuses` form posts: one status's action, and an admin's godmode switch.

use crate::server::rejections::{ApiForm, ApiPath};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::server::GODMODE_KEY;
use super::service::{self, StatusAction};
use crate::auth::{AdminCtx, ModeratorCtx, session};
use crate::domain::Visibility;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::ui::flash::Flash;

/// Back to the statuses list, a report or a user page; nowhere else.
fn safe_back(v: &str) -> &str {
    let ok = crate::auth::session::returns_to(v, "/statuses", &["/reports/", "/users/"]);
    if ok { v } else { "/statuses" }
}

#[derive(Deserialize)]
pub struct ModerateForm {
    op: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    return_to: String,
}

/// `POST /statuses/{id}/moderate`: sensitive, not sensitive, visibility, delete.
pub async fn moderate(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<ModerateForm>,
) -> Result<Response, AppError> {
    let back = safe_back(&f.return_to).to_owned();
    let action = match f.op.as_str() {
        "sensitive" => Some(StatusAction::Sensitive(true)),
        "unsensitive" => Some(StatusAction::Sensitive(false)),
        "delete" => Some(StatusAction::Delete),
        "visibility" => {
            Visibility::parse(&f.visibility).filter(|v| *v != Visibility::Direct).map(StatusAction::Visibility)
        }
        _ => None,
    };
    let flash = match action {
        None => Flash::error("Choose an action."),
        Some(a) => match service::apply(&state.db, &ctx, a, &[id]).await {
            Ok(before) => Flash::success(a.message("You", &before[0])),
            Err(e @ AppError::Validation { .. }) => Flash::error(e.to_string()),
            Err(e) => return Err(e),
        },
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct GodmodeForm {
    on: String,
}

/// `POST /statuses/godmode` (admins): shows or hides private and direct
/// statuses for this session; switching it on is logged.
pub async fn godmode(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(f): ApiForm<GodmodeForm>,
) -> Result<Response, AppError> {
    let on = f.on == "1";
    if on {
        service::log_godmode(&state.db, &ctx, "the statuses page").await?;
    }
    session.insert(GODMODE_KEY, on).await?;
    let flash = if on {
        Flash::info("Godmode is on: private and direct statuses are shown. This was logged.")
    } else {
        Flash::info("Godmode is off.")
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to("/statuses").into_response())
}
