//! `POST /outbox/{id}/retry`.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::auth::{AdminCtx, session};
use crate::error::AppError;
use crate::server::rejections::ApiPath;
use crate::server::state::AppState;
use crate::ui::flash::Flash;

pub async fn retry(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let flash = match super::server::retry(&state.db, &ctx, id).await {
        Ok(()) => Flash::success(format!("Mail #{id} will be sent again shortly.")),
        Err(AppError::NotFound) => {
            Flash::error("That mail cannot be retried now: it was sent, is held, or is being sent.")
        }
        Err(e) => return Err(e),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(&format!("/outbox/{id}")).into_response())
}
