//! "Forgot your password?": `POST /forgot-password` (the page's form) and
//! `POST /api/v1/password_reset` (JSON). Both always give the same answer:
//! whether an account matched shows neither in the reply nor in its timing.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;
use tower_sessions::Session;
use utoipa::ToSchema;

use crate::api::extract::ApiJson;
use crate::auth::session;
use crate::error::AppError;
use crate::server::rejections::ApiForm;
use crate::server::state::AppState;
use crate::server::storage::{ConnRef, audit, on, password_resets};
use crate::ui::flash::FormState;

/// Every request takes at least this long, so that the work done for a
/// matching account (a link, a mail, a log entry) cannot be timed.
const FLOOR: Duration = Duration::from_millis(250);

/// Longest accepted email or nickname.
const MAX_LEN: usize = 320;

/// The token-free JSON route, merged beside the other public API routes.
pub fn public_router() -> Router<AppState> {
    Router::new().route("/api/v1/password_reset", post(api))
}

/// Accepts a request for a reset link for the account named by `login`
/// (an email address or a nickname): throttled per IP; on a match with an
/// address, a one-time link is stored (hashed) and mailed, in one
/// transaction with its log entry.
pub async fn request(state: &AppState, login: &str, ip: &str) -> Result<(), AppError> {
    let (db, config) = (&state.db, &state.config);
    let per_ip = state.live.current().registrations_per_ip;
    let login = login.trim();
    if login.is_empty() {
        return Err(AppError::validation("login", "Enter your email address or nickname."));
    }
    if login.chars().count() > MAX_LEN || login.chars().any(char::is_control) {
        return Err(AppError::validation("login", "That is not an email address or nickname."));
    }
    let started = tokio::time::Instant::now();
    let base_url = &config.base_url();
    let result = db
        .retrying(|| async move {
            let mut tx = db.begin().await?;
            crate::auth::throttle::check_public(tx.conn(), "forgot", per_ip, ip).await?;
            // Made whether or not anyone matches: the same steps either way.
            let token = crate::auth::tokens::generate();
            let hash = crate::auth::tokens::hash(&token);
            if let Some((id, nickname, email)) = find(tx.conn(), login).await? {
                password_resets::insert(tx.conn(), id, &hash, id).await?;
                let link = format!("{base_url}/password-reset/{token}");
                crate::mail::queue(tx.conn(), &crate::mail::compose::password_reset(&email, &nickname, &link)).await?;
                audit::record(
                    tx.conn(),
                    audit::Entry {
                        actor: audit::Actor { id, nickname: &nickname },
                        action: "user.password_reset_request",
                        subject_users: &[id],
                        data: serde_json::json!({ "nickname": nickname }),
                        message: format!("@{nickname} asked for a password reset link"),
                    },
                )
                .await?;
            }
            tx.commit().await
        })
        .await;
    tokio::time::sleep_until(started + FLOOR).await;
    result
}

/// The active account whose address or nickname is `login` (any case),
/// with an address to write to.
async fn find(c: ConnRef<'_>, login: &str) -> Result<Option<(i64, String, String)>, AppError> {
    const SQL: &str = "SELECT id, nickname, email FROM users \
                       WHERE (lower(email) = lower($1) OR lower(nickname) = lower($1)) \
                       AND email IS NOT NULL AND is_active ORDER BY id LIMIT 1";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(login).fetch_optional(&mut *c).await)?)
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    login: String,
}

/// `POST /forgot-password`: back to the page, saying a link may be on its
/// way, or with the refusal (bad input, too many requests) and the value kept.
pub async fn form(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    ApiForm(f): ApiForm<ForgotForm>,
) -> Result<Response, AppError> {
    match request(&state, &f.login, &peer.ip().to_string()).await {
        Ok(()) => Ok(Redirect::to("/forgot-password?sent=1").into_response()),
        Err(e @ (AppError::Validation { .. } | AppError::TooManyRequests(_))) => {
            let param = e.param().unwrap_or_default().to_owned();
            // Kept for the form without what made it invalid (the session
            // store takes no NUL, and a huge value is no help to retype).
            let kept: String = f.login.chars().filter(|c| !c.is_control()).take(MAX_LEN).collect();
            let fs = FormState::new("forgot", e.status()).value("login", &kept).error(&param, e.to_string());
            session::keep_form(&session, fs).await?;
            Ok(Redirect::to("/forgot-password").into_response())
        }
        Err(e) => Err(e),
    }
}

/// Name the account by one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    email: Option<String>,
    nickname: Option<String>,
}

/// `POST /api/v1/password_reset` with `{"email": …}` or `{"nickname": …}`:
/// 204 whether or not an account matched.
#[utoipa::path(post, path = "/api/v1/password_reset", request_body = ResetRequest,
    responses((status = 204, description = "Accepted; a link was mailed if an account matched."),
        (status = 400), (status = 422), (status = 429)), tag = "auth")]
#[tracing::instrument(skip_all)]
pub async fn api(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(r): ApiJson<ResetRequest>,
) -> Result<StatusCode, AppError> {
    let login = match (r.email.as_deref(), r.nickname.as_deref()) {
        (Some(e), None) => e,
        (None, Some(n)) => n,
        _ => return Err(AppError::validation("email", "Send either email or nickname.")),
    };
    request(&state, login, &peer.ip().to_string()).await?;
    Ok(StatusCode::NO_CONTENT)
}
