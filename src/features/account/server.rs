//! Data for the account page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// `admin` (acts as you on the admin API) or `intake` (feeds content in).
    pub scope: String,
}

#[server]
pub async fn my_tokens() -> Result<Vec<TokenView>, AppError> {
    tokens_of(&crate::auth::moderator()?).await
}

/// The viewer's tokens, in a span naming them.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn tokens_of(ctx: &crate::auth::ModeratorCtx) -> Result<Vec<TokenView>, AppError> {
    use crate::server::state::AppState;
    use crate::server::storage::tokens;

    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let rows = tokens::list_for_user(conn.as_ref(), ctx.staff().id).await?;
    Ok(rows
        .into_iter()
        .map(|r| TokenView {
            id: r.id,
            label: r.label,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
            scope: r.scope,
        })
        .collect())
}
