//! `/invites` data: every invite with its link, type, usage and state.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One invite as the console lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InviteView {
    pub id: i64,
    /// The full registration link, to copy and share.
    pub link: String,
    /// Pleroma's `invite_type`: `one_time`, `reusable`, `date_limited`, `reusable_date_limited`.
    pub invite_type: String,
    pub uses: i64,
    pub max_use: Option<i64>,
    pub expires_at: Option<String>,
    /// `active`, `used up`, `expired` or `revoked`.
    pub state: String,
    /// Accounts registered with it.
    pub accounts: i64,
    /// Who it was mailed to, for email invites.
    pub email: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvitesData {
    pub invites: Vec<InviteView>,
}

#[server]
pub async fn invites_page() -> Result<InvitesData, AppError> {
    load(&crate::auth::admin()?).await
}

/// The list, in a span naming the admin.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn load(ctx: &crate::auth::AdminCtx) -> Result<InvitesData, AppError> {
    use super::service::{InviteState, InviteType, link, today};
    use crate::server::state::AppState;
    use crate::server::storage::invites;

    let _ = ctx;
    let state = AppState::get()?;
    let today = today(&state.config);
    let mut conn = state.db.conn().await?;
    let rows = invites::list(conn.as_ref()).await?;
    let invites = rows
        .into_iter()
        .map(|r| InviteView {
            id: r.id,
            link: link(&state.config, &r.token),
            invite_type: InviteType::of(r.max_use, r.expires_at.as_deref()).as_str().to_owned(),
            state: InviteState::of(&r, &today).as_str().to_owned(),
            uses: r.uses,
            max_use: r.max_use,
            expires_at: r.expires_at,
            accounts: r.accounts,
            email: r.email,
            created_at: r.created_at,
        })
        .collect();
    Ok(InvitesData { invites })
}
