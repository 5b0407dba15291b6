//! `POST /account/password`, `POST /account/tokens`, `POST /account/tokens/{id}/revoke`.

use crate::server::rejections::{ApiForm, ApiPath};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::{ModeratorCtx, password, session, tokens as token_codec};
use crate::domain::Password;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::{audit, tokens, users};
use crate::ui::flash::{Flash, FormState};

const BACK: &str = "/account";

async fn reject(session: &Session, form: FormState) -> Result<Response, AppError> {
    session::keep_form(session, form).await?;
    Ok(Redirect::to(BACK).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirmation: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiForm(f): ApiForm<PasswordForm>,
) -> Result<Response, AppError> {
    let staff = ctx.staff();
    let mut conn = state.db.conn().await?;
    let stored = users::find_login_by_id(conn.as_ref(), staff.id).await?.and_then(|r| r.password_hash);
    drop(conn);
    if !password::verify(f.current_password.clone(), stored).await? {
        return reject(
            &session,
            FormState::new("password", 422).error("current_password", "That is not your current password."),
        )
        .await;
    }
    let new = match Password::parse(&f.new_password, "new_password") {
        Ok(p) if f.new_password == f.new_password_confirmation => p,
        Ok(_) => {
            let fs =
                FormState::new("password", 422).error("new_password_confirmation", "The two new passwords differ.");
            return reject(&session, fs).await;
        }
        Err(e) => return reject(&session, FormState::new("password", 422).error("new_password", e.to_string())).await,
    };
    let hash = password::hash(&new).await?;
    let mut tx = state.db.begin().await?;
    let epoch = users::set_password_hash(tx.conn(), staff.id, &hash).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: staff.into(),
            action: "account.change_password",
            subject_users: &[staff.id],
            data: serde_json::json!({}),
            message: format!("@{} changed their password", staff.nickname),
        },
    )
    .await?;
    tx.commit().await?;
    // Every other session of the account has ended; this one goes on under a
    // new id, so a cookie captured before the change stops working too.
    session::survive_epoch(&session, epoch).await?;
    session::push_flash(&session, Flash::success("Your password was changed.")).await?;
    Ok(Redirect::to(BACK).into_response())
}

#[derive(Deserialize)]
pub struct TokenForm {
    label: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiForm(f): ApiForm<TokenForm>,
) -> Result<Response, AppError> {
    let (label, secret) = match token_codec::parse_label(&f.label) {
        Ok(label) => (label, token_codec::issue(&state.db, ctx.staff(), label, tokens::Scope::Admin).await?.1),
        Err(e) => {
            let fs = FormState::new("token", 422).value("label", &f.label).error("label", e.to_string());
            return reject(&session, fs).await;
        }
    };
    let flash = Flash { secret: Some(secret), ..Flash::success(format!("API token \"{label}\" created.")) };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(BACK).into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let Some(label) = token_codec::revoke(&state.db, ctx.staff(), id).await? else {
        session::push_flash(&session, Flash::error("That token does not exist or was already revoked.")).await?;
        return Ok(Redirect::to(BACK).into_response());
    };
    session::push_flash(&session, Flash::success(format!("API token \"{label}\" revoked."))).await?;
    Ok(Redirect::to(BACK).into_response())
}
