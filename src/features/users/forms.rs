//! `POST /users/bulk`: the list's selection form. Works without JavaScript and
//! returns to the same list URL (post/redirect/get) with a flash message.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::bulk::{self, BulkAction, Group, Selection};
use crate::auth::{ModeratorCtx, session};
use crate::error::AppError;
use crate::server::state::AppState;
use crate::ui::flash::Flash;

/// The word a user must type to confirm deletion.
pub const DELETE_CONFIRMATION: &str = "delete";

fn parse_action(action: &str, tags: &[String], confirm: &str) -> Result<BulkAction, AppError> {
    Ok(match action {
        "activate" => BulkAction::Activate,
        "deactivate" => BulkAction::Deactivate,
        "tag" => BulkAction::Tag(bulk::parse_tags(tags)?),
        "untag" => BulkAction::Untag(bulk::parse_tags(tags)?),
        "grant_admin" => BulkAction::Grant(Group::Admin),
        "revoke_admin" => BulkAction::Revoke(Group::Admin),
        "grant_moderator" => BulkAction::Grant(Group::Moderator),
        "revoke_moderator" => BulkAction::Revoke(Group::Moderator),
        "confirm_email" => BulkAction::ConfirmEmail,
        "resend_confirmation" => BulkAction::ResendConfirmation,
        "force_password_reset" => BulkAction::ForcePasswordReset,
        "approve" => BulkAction::Approve,
        "delete" if confirm.trim() == DELETE_CONFIRMATION => BulkAction::Delete,
        "delete" => {
            return Err(AppError::validation(
                "confirm",
                format!("Type \"{DELETE_CONFIRMATION}\" to confirm deleting users."),
            ));
        }
        _ => return Err(AppError::validation("action", "Choose an action.")),
    })
}

pub async fn apply(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    // Repeated `ids` keys: read the pairs directly (serde_urlencoded keeps one).
    let (mut ids, mut tags) = (Vec::new(), Vec::new());
    let (mut action, mut confirm, mut back) = (String::new(), String::new(), String::from("/users"));
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "ids" => ids.extend(v.parse::<i64>().ok()),
            "tags" => tags.push(v.into_owned()),
            "action" => action = v.into_owned(),
            "confirm" => confirm = v.into_owned(),
            // Only back to the list itself, never elsewhere.
            "return_to" if v == "/users" || v.starts_with("/users?") => back = v.into_owned(),
            _ => {}
        }
    }
    let flash = match parse_action(&action, &tags, &confirm) {
        Err(e) => Flash::error(e.to_string()),
        Ok(action) => match bulk::apply(&state.db, &ctx, &action, Selection::Ids(&ids)).await {
            Ok(done) => {
                Flash::success(action.message("You", &done.iter().map(|t| t.nickname.clone()).collect::<Vec<_>>()))
            }
            Err(AppError::Forbidden) => Flash::error("Only admins can do that."),
            Err(e @ (AppError::Validation { .. } | AppError::Conflict { .. })) => Flash::error(e.to_string()),
            Err(e) => return Err(e),
        },
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(&back).into_response())
}
