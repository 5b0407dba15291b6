//! `/oauth-apps` data: one page of OAuth clients, filtered as the URL says.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Apps per page of the console list.
pub const PAGE_SIZE: i64 = 50;

/// The list's filters as the URL carries them (`?name=&trusted=&page=`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OAuthAppsQuery {
    pub name: Option<String>,
    pub trusted: Option<String>,
    pub page: Option<String>,
}

/// One client as the console lists it (never its secret: only the hash is kept).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OAuthAppView {
    pub id: i64,
    pub name: String,
    pub client_id: String,
    pub redirect_uris: Vec<String>,
    pub scopes: String,
    pub website: Option<String>,
    pub trusted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OAuthAppsData {
    pub apps: Vec<OAuthAppView>,
    pub count: i64,
    pub page: i64,
    /// Filter values that were ignored, and why.
    pub notices: Vec<String>,
}

#[server]
pub async fn oauth_apps_page(query: OAuthAppsQuery) -> Result<OAuthAppsData, AppError> {
    load(&crate::auth::admin()?, query).await
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn load(ctx: &crate::auth::AdminCtx, q: OAuthAppsQuery) -> Result<OAuthAppsData, AppError> {
    use crate::server::state::AppState;
    use crate::server::storage::oauth::{AppFilter, list_apps};

    let _ = ctx;
    let mut notices = Vec::new();
    let name = q.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let name = match name {
        Some(n) if n.chars().count() > 100 || n.contains('\0') => {
            notices.push("Ignored name: at most 100 characters, no NUL.".into());
            None
        }
        n => n,
    };
    let trusted = match q.trusted.as_deref().unwrap_or("") {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        other => {
            notices.push(format!("Ignored trusted={other:?}: use true or false."));
            None
        }
    };
    let page = match q.page.as_deref().map(str::parse::<i64>) {
        None => 1,
        Some(Ok(p)) if (1..=100_000).contains(&p) => p,
        Some(_) => {
            notices.push("Ignored page: not a page number. Showing the first page.".into());
            1
        }
    };
    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let filter = AppFilter { name, client_id: None, trusted };
    let (rows, count) = list_apps(conn.as_ref(), &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let apps = rows
        .into_iter()
        .map(|a| OAuthAppView {
            id: a.id,
            redirect_uris: a.redirect_uris.lines().map(str::to_owned).collect(),
            name: a.name,
            client_id: a.client_id,
            scopes: a.scopes,
            website: a.website,
            trusted: a.trusted,
        })
        .collect();
    Ok(OAuthAppsData { apps, count, page, notices })
}
