//! `GET /auth/sso/start` and `GET /auth/sso/callback`: plain links and
//! redirects, so single sign-on works without JavaScript.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::auth::session;
use crate::error::AppError;
use crate::server::rejections::ApiQuery;
use crate::server::state::AppState;

/// The session key binding a sign-in in flight to the browser that began it.
const STATE_KEY: &str = "sso_state";

#[derive(Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

pub async fn start(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(q): ApiQuery<StartQuery>,
) -> Result<Response, AppError> {
    let (url, login_state) = super::service::start(&state, q.next.as_deref()).await?;
    session.insert(STATE_KEY, login_state).await?;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    ApiQuery(q): ApiQuery<CallbackQuery>,
) -> Result<Response, AppError> {
    let ours: Option<String> = session.remove(STATE_KEY).await?;
    let given = q.state.unwrap_or_default();
    // A state this browser did not start (login CSRF) counts as unknown.
    let same = ours.as_deref().is_some_and(|o| subtle::ConstantTimeEq::ct_eq(o.as_bytes(), given.as_bytes()).into());
    if q.error.is_some() || !same {
        if !given.is_empty() && given.len() <= 200 {
            // Spend the state either way: it works once.
            let mut tx = state.db.begin().await?;
            crate::server::storage::sso::take_login(tx.conn(), &given).await?;
            tx.commit().await?;
        }
        let message = if q.error.is_some() {
            "The single sign-on provider did not sign you in. Start again from the sign-in page."
        } else {
            "This sign-in has expired, was already used or was started in another browser. Start again from the sign-in page."
        };
        return Err(AppError::BadRequest(message.into()));
    }
    let code = q.code.filter(|c| !c.is_empty() && c.len() <= 4096).ok_or_else(|| {
        AppError::BadRequest(
            "The single sign-on provider sent no sign-in code. Start again from the sign-in page.".into(),
        )
    })?;
    let ip = peer.ip().to_string();
    let done = super::service::finish(&state, &code, &given, &ip).await?;
    session::sign_in(&session, &done.staff, done.epoch).await?;
    let to = if done.return_to.is_empty() { done.staff.home().to_owned() } else { done.return_to };
    Ok(Redirect::to(&to).into_response())
}
