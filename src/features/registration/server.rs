//! Data for the public registration pages and the approval queue.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What `/register` and `/invite/{token}` need to know before showing the form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SignupInfo {
    /// `open`, `invite_only` or `closed`.
    pub mode: String,
    pub reason_required: bool,
    /// Whether the invite in the URL works now (`None`: no invite given).
    pub invite_valid: Option<bool>,
    /// New accounts wait for a moderator (approval required, or the review
    /// window is active now).
    pub review: bool,
    pub support_email: Option<String>,
}

#[server]
pub async fn register_info(invite: String) -> Result<SignupInfo, AppError> {
    info(invite).await
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, err(level = "info"))]
async fn info(invite: String) -> Result<SignupInfo, AppError> {
    use crate::server::state::AppState;
    use crate::server::storage::invites;

    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let p = super::service::policy(&mut conn.as_ref()).await?;
    let now = state.config.clock.now();
    let invite = invite.trim();
    let invite_valid = if invite.is_empty() {
        None
    } else {
        let today = crate::features::invites::service::today(&state.config);
        Some(invite.len() <= 128 && invites::is_valid(conn.as_ref(), invite, &today).await?)
    };
    Ok(SignupInfo {
        mode: p.registration.mode.as_str().into(),
        reason_required: p.registration.reason_required,
        invite_valid,
        review: p.registration.approval_required || p.config.review_window().active_at(now.hour()),
        support_email: p.instance.support_email,
    })
}

/// An account in the approval queue, as the page shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Applicant {
    pub id: i64,
    pub nickname: String,
    pub email: Option<String>,
    pub reason: Option<String>,
    pub confirmed: bool,
    pub invite_id: Option<i64>,
    pub registered_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QueuePage {
    pub items: Vec<Applicant>,
    pub total: i64,
    /// Cursor of the next page (`created_at.id` of the last row), if any.
    pub next: Option<String>,
}

pub const QUEUE_PAGE: i64 = 25;

#[server]
pub async fn registration_queue(after: Option<String>) -> Result<QueuePage, AppError> {
    let ctx = crate::auth::admin()?;
    queue_page(&crate::server::state::AppState::get()?.db, &ctx, after).await
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn queue_page(
    db: &crate::server::storage::Db,
    ctx: &crate::auth::AdminCtx,
    after: Option<String>,
) -> Result<QueuePage, AppError> {
    use crate::server::storage::registrations;

    // A broken cursor starts from the beginning rather than failing.
    let cursor = after.as_deref().and_then(|a| {
        let (t, id) = a.split_once('.')?;
        Some((t.parse().ok()?, id.parse().ok()?))
    });
    let mut conn = db.conn().await?;
    let mut rows = registrations::pending(conn.as_ref(), cursor, QUEUE_PAGE + 1).await?;
    let total = registrations::pending_count(conn.as_ref()).await?;
    let more = rows.len() as i64 > QUEUE_PAGE;
    rows.truncate(QUEUE_PAGE as usize);
    let next = more.then(|| rows.last().map(|r| format!("{}.{}", r.created_at, r.id))).flatten();
    let items = rows
        .into_iter()
        .map(|r| Applicant {
            id: r.id,
            nickname: r.nickname,
            email: r.email,
            reason: r.registration_reason,
            confirmed: r.is_confirmed,
            invite_id: r.invite_id,
            registered_at: r.created_at,
        })
        .collect();
    Ok(QueuePage { items, total, next })
}
