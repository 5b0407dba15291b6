//! The `/webhooks` form posts: rotate a secret (the new one shown once, in
//! the flash), finish a rotation, redeliver.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::service;
use crate::auth::{AdminCtx, session};
use crate::error::AppError;
use crate::server::rejections::ApiPath;
use crate::server::state::AppState;
use crate::ui::flash::Flash;

async fn back(session: &Session, flash: Flash, to: &str) -> Result<Response, AppError> {
    session::push_flash(session, flash).await?;
    Ok(Redirect::to(to).into_response())
}

pub async fn rotate(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let flash = match service::rotate(&state.db, &ctx, id).await {
        Ok(r) => Flash {
            secret: Some(r.secret),
            ..Flash::success(format!(
                "New signing secret for webhook #{id}. Copy it now: it is not shown again. The previous secret \
                 also signs until {}.",
                crate::ui::format_time(r.previous_until)
            ))
        },
        Err(AppError::NotFound) => Flash::error("That webhook no longer exists."),
        Err(e) => return Err(e),
    };
    back(&session, flash, "/webhooks").await
}

pub async fn finish_rotation(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let flash = match service::finish_rotation(&state.db, &ctx, id).await {
        Ok(()) => Flash::success(format!("Webhook #{id} is signed with its new secret only.")),
        Err(AppError::NotFound) => Flash::error("That webhook no longer exists."),
        Err(e @ AppError::Conflict { .. }) => Flash::error(e.to_string()),
        Err(e) => return Err(e),
    };
    back(&session, flash, "/webhooks").await
}

pub async fn redeliver(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    match service::redeliver(&state.db, &ctx, id).await {
        Ok(copy) => {
            let flash = Flash::success(format!("Delivery #{id} will be sent again as delivery #{}.", copy.id));
            back(&session, flash, &format!("/webhooks/deliveries/{}", copy.id)).await
        }
        Err(e @ AppError::Conflict { .. }) => {
            back(&session, Flash::error(e.to_string()), &format!("/webhooks/deliveries/{id}")).await
        }
        Err(e) => Err(e),
    }
}
