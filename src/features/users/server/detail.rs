//! Data for `/users/{id}` and the public `/password-reset` page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::UserItem;
use crate::error::AppError;
use crate::features::audit::server::LogLine;

/// A report against the account, as its page links to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountReport {
    pub id: i64,
    pub state: crate::domain::ReportState,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserItem,
    pub bio: String,
    pub avatar: String,
    pub actor_type: String,
    pub locked: bool,
    pub discoverable: bool,
    pub registration_reason: Option<String>,
    pub password_reset_pending: bool,
    /// The account has a single sign-on identity linked.
    pub sso: bool,
    /// The latest entries about this user (admins only; empty for moderators).
    pub log: Vec<LogLine>,
    pub more_log: bool,
    pub can_admin: bool,
    /// The viewer is looking at their own account.
    pub is_self: bool,
    /// The latest public and unlisted statuses.
    pub statuses: Vec<crate::features::statuses::item::StatusItem>,
    /// The latest reports against the account, and how many per state.
    pub reports: Vec<AccountReport>,
    pub report_counts: Vec<(crate::domain::ReportState, i64)>,
}

/// How many log entries the page shows.
pub const LOG_LINES: i64 = 20;

#[server]
pub async fn load_user_detail(id: i64) -> Result<UserDetail, AppError> {
    user_detail_for(&crate::auth::moderator()?, id).await
}

/// One user's page, in a span naming the viewer and the user.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = id), err(level = "info"))]
async fn user_detail_for(ctx: &crate::auth::ModeratorCtx, id: i64) -> Result<UserDetail, AppError> {
    use crate::features::statuses::item::StatusItem;
    use crate::server::state::AppState;
    use crate::server::storage::audit::{self, LogFilter, Page};
    use crate::server::storage::reports::{self, ReportFilter, Sort};
    use crate::server::storage::statuses::{self, StatusFilter};
    use crate::server::storage::{users, users_list};

    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let row = users_list::find(conn.as_ref(), &id.to_string()).await?.ok_or(AppError::NotFound)?;
    let cred = users::credentials(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    let mut tags = users_list::tags_of(conn.as_ref(), &[id]).await?;
    let can_admin = ctx.staff().is_admin();
    let (log, more_log) = if can_admin {
        let filter = LogFilter { subject_user: Some(id), ..Default::default() };
        let page = audit::page(conn.as_ref(), &filter, Page::First, LOG_LINES).await?;
        (page.rows.into_iter().map(LogLine::from).collect(), page.has_older)
    } else {
        (Vec::new(), false)
    };
    let filter = StatusFilter { account_id: Some(id), with_reblogs: true, ..Default::default() };
    let (status_rows, _) = statuses::list(conn.as_ref(), &filter, statuses::Start::Before(None), 5).await?;
    let sids: Vec<i64> = status_rows.iter().map(|r| r.id).collect();
    let media = statuses::media_of(conn.as_ref(), &sids).await?;
    let against = ReportFilter { account_id: Some(id), ..Default::default() };
    let report_page = reports::page(conn.as_ref(), &against, Sort::Newest, None, 5).await?;
    let report_counts = reports::count_by_state(conn.as_ref(), Some(id)).await?;
    let registration_reason = row.registration_reason.clone();
    let sso = crate::server::storage::sso::user_linked(conn.as_ref(), id).await?;
    Ok(UserDetail {
        user: UserItem::from_row(row, tags.remove(&id).unwrap_or_default()),
        bio: cred.bio,
        avatar: cred.avatar,
        actor_type: cred.actor_type,
        locked: cred.locked,
        discoverable: cred.discoverable,
        registration_reason,
        password_reset_pending: cred.password_reset_pending,
        sso,
        log,
        more_log,
        can_admin,
        is_self: ctx.staff().id == id,
        statuses: StatusItem::all(status_rows, media),
        reports: report_page
            .rows
            .into_iter()
            .map(|r| AccountReport { id: r.id, state: r.state(), created_at: r.created_at })
            .collect(),
        report_counts,
    })
}

/// Whether a password-reset link still works (public: the link is the secret).
#[server]
pub async fn reset_link_valid(token: String) -> Result<bool, AppError> {
    reset_link_works(&token).await
}

/// Whether a reset link works (in a span that leaves the token out).
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, err(level = "info"))]
async fn reset_link_works(token: &str) -> Result<bool, AppError> {
    use crate::server::state::AppState;
    let state = AppState::get()?;
    crate::features::users::service::manage::reset_link_valid(&state.db, token).await
}
