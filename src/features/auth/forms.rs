//! `POST /login`, `POST /logout`, `POST /setup`, `POST /password-reset`.

use std::net::SocketAddr;

use crate::server::rejections::ApiForm;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::pages::THROTTLED_PARAM;
use crate::auth::sign_in::{self, Refused};
use crate::auth::{ModeratorCtx, password, session, tokens};
use crate::domain::Staff;
use crate::domain::{Email, Nickname, Password, Role};
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::{audit, instance, password_resets, users};
use crate::ui::flash::{Flash, FormState};

/// The single answer for every failed sign-in: no enumeration.
#[derive(Deserialize)]
pub struct LoginForm {
    nickname: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    ApiForm(form): ApiForm<LoginForm>,
) -> Result<Response, AppError> {
    let ip = peer.ip().to_string();
    if !crate::features::sso::settings::password_sign_in(&state) {
        let message = crate::features::sso::settings::PASSWORD_SIGN_IN_OFF;
        return login_failed(&session, &form, 403, message).await;
    }
    let (row, staff) = match sign_in::check(
        &state.db,
        state.live.current().login_limits,
        &form.nickname,
        &form.password,
        &ip,
    )
    .await?
    {
        Ok(found) => found,
        // No session for a throttled attempt: a flood would otherwise
        // write one row per request. The page rebuilds the message.
        Err(Refused::Throttled { minutes }) => {
            return Ok(Redirect::to(&login_url(form.next.as_deref(), Some(minutes))).into_response());
        }
        // Wrong attempts are few (the throttle caps them): keep the form.
        Err(r @ Refused::Wrong) => return login_failed(&session, &form, 401, &r.message()).await,
    };
    let mut tx = state.db.begin().await?;
    if row.password_reset_pending {
        // A forced reset: no session until a new password is set.
        let token = tokens::generate();
        password_resets::insert(tx.conn(), staff.id, &tokens::hash(&token), staff.id).await?;
        tx.commit().await?;
        session::push_flash(&session, Flash::info("An admin asked you to choose a new password before you continue."))
            .await?;
        return Ok(Redirect::to(&format!("/password-reset?token={token}")).into_response());
    }
    users::touch_last_active(tx.conn(), staff.id).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: (&staff).into(),
            action: "session.sign_in",
            subject_users: &[staff.id],
            data: serde_json::json!({ "ip": ip }),
            message: format!("@{} signed in", staff.nickname),
        },
    )
    .await?;
    tx.commit().await?;
    session::sign_in(&session, &staff, row.session_epoch).await?;
    Ok(Redirect::to(&session::safe_next(form.next.as_deref(), staff.home())).into_response())
}

/// Back to the sign-in form with the nickname kept and one message.
async fn login_failed(session: &Session, form: &LoginForm, status: u16, message: &str) -> Result<Response, AppError> {
    let next = form.next.as_deref().unwrap_or_default();
    let state =
        FormState::new("login", status).value("nickname", &form.nickname).value("next", next).error("", message);
    session::keep_form(session, state).await?;
    Ok(Redirect::to(&login_url(form.next.as_deref(), None)).into_response())
}

/// `/login`, keeping `next`, and saying how long a throttled client waits.
fn login_url(next: Option<&str>, throttled_minutes: Option<i64>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(minutes) = throttled_minutes {
        query.append_pair(THROTTLED_PARAM, &minutes.to_string());
    }
    if let Some(next) = next.filter(|n| !n.is_empty()) {
        query.append_pair("next", next);
    }
    match query.finish() {
        q if q.is_empty() => "/login".to_owned(),
        q => format!("/login?{q}"),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    session: Session,
    ctx: Option<ModeratorCtx>,
) -> Result<Response, AppError> {
    if let Some(ctx) = ctx {
        let staff = ctx.staff();
        let mut tx = state.db.begin().await?;
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: staff.into(),
                action: "session.sign_out",
                subject_users: &[staff.id],
                data: serde_json::json!({}),
                message: format!("@{} signed out", staff.nickname),
            },
        )
        .await?;
        tx.commit().await?;
    }
    session::sign_out(&session).await?;
    session::push_flash(&session, Flash::success("You have signed out.")).await?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Deserialize)]
pub struct SetupForm {
    token: String,
    nickname: String,
    email: String,
    password: String,
    password_confirmation: String,
}

/// Parsed setup input, or the form to show again with every field's error.
fn parse_setup(f: &SetupForm) -> Result<(Nickname, Email, Password), FormState> {
    let nickname = Nickname::parse(&f.nickname);
    let email = Email::parse(&f.email);
    let password = Password::parse(&f.password, "password").and_then(|p| {
        if f.password == f.password_confirmation {
            Ok(p)
        } else {
            Err(AppError::validation("password_confirmation", "The two passwords differ."))
        }
    });
    match (nickname, email, password) {
        (Ok(n), Ok(e), Ok(p)) => Ok((n, e, p)),
        (n, e, p) => {
            let mut state = FormState::new("setup", 422).value("nickname", &f.nickname).value("email", &f.email);
            for err in [n.err(), e.err(), p.err()].into_iter().flatten() {
                state = state.error(err.param().unwrap_or_default(), err.to_string());
            }
            Err(state)
        }
    }
}

pub async fn setup(
    State(state): State<AppState>,
    session: Session,
    ApiForm(form): ApiForm<SetupForm>,
) -> Result<Response, AppError> {
    let token_hash = tokens::hash(&form.token);
    let again =
        format!("/setup?token={}", url::form_urlencoded::byte_serialize(form.token.as_bytes()).collect::<String>());
    let (nickname, email, password) = match parse_setup(&form) {
        Ok(parsed) => parsed,
        Err(fs) => {
            session::keep_form(&session, fs).await?;
            return Ok(Redirect::to(&again).into_response());
        }
    };
    let hash = password::hash(&password).await?;

    let mut tx = state.db.begin().await?;
    // Taking the token inside the transaction makes the link single-use even
    // under concurrent submits; an existing admin means setup is over.
    if users::admin_exists(tx.conn()).await?
        || !instance::take(tx.conn(), instance::SETUP_TOKEN_HASH, &token_hash).await?
    {
        drop(tx);
        session::push_flash(&session, Flash::info("Setup is complete or the link has expired. Sign in to continue."))
            .await?;
        return Ok(Redirect::to("/login").into_response());
    }
    let new = users::NewUser {
        nickname: &nickname,
        email: &email,
        display_name: nickname.as_str(),
        password_hash: &hash,
        role: Some(Role::Admin),
    };
    let id = match users::insert(tx.conn(), &new).await {
        Ok(id) => id,
        Err(e @ AppError::Conflict { .. }) => {
            drop(tx);
            let fs = FormState::new("setup", 409)
                .value("nickname", &form.nickname)
                .value("email", &form.email)
                .error(e.param().unwrap_or_default(), e.to_string());
            session::keep_form(&session, fs).await?;
            return Ok(Redirect::to(&again).into_response());
        }
        Err(e) => return Err(e),
    };
    let staff = Staff { id, nickname: nickname.to_string(), role: Role::Admin };
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: (&staff).into(),
            action: "setup.create_admin",
            subject_users: &[id],
            data: serde_json::json!({}),
            message: format!("@{} completed setup and became the first admin", staff.nickname),
        },
    )
    .await?;
    tx.commit().await?;
    session::sign_in(&session, &staff, 0).await?;
    session::push_flash(&session, Flash::success(format!("Welcome, {}. Steward is ready.", staff.nickname))).await?;
    Ok(Redirect::to(staff.home()).into_response())
}

#[derive(Deserialize)]
pub struct ResetForm {
    token: String,
    password: String,
    password_confirmation: String,
}

/// `POST /password-reset`: a user sets a new password with a one-time link
/// (256 random bits: guessing one is not a practical attack).
pub async fn reset_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    ApiForm(form): ApiForm<ResetForm>,
) -> Result<Response, AppError> {
    let again = format!(
        "/password-reset?token={}",
        url::form_urlencoded::byte_serialize(form.token.as_bytes()).collect::<String>()
    );
    let password = Password::parse(&form.password, "password").and_then(|p| {
        if form.password == form.password_confirmation {
            Ok(p)
        } else {
            Err(AppError::validation("password_confirmation", "The two passwords differ."))
        }
    });
    let result = match password {
        Ok(p) => crate::features::users::service::manage::reset_password(&state.db, &form.token, &p).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(nickname) => {
            tracing::info!(ip = %peer.ip(), %nickname, "password reset with a link");
            session::push_flash(
                &session,
                Flash::success("Your password was changed. Use it the next time you sign in."),
            )
            .await?;
            Ok(Redirect::to(&again).into_response())
        }
        Err(e @ AppError::Validation { .. }) => {
            let fs = FormState::new("password_reset", 422).error(e.param().unwrap_or_default(), e.to_string());
            session::keep_form(&session, fs).await?;
            Ok(Redirect::to(&again).into_response())
        }
        Err(e) => Err(e),
    }
}
