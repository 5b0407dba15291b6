//! Data for `/statuses`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::item::StatusItem;
use crate::error::AppError;

/// The list's URL state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusesQuery {
    /// `1`: local accounts only.
    pub local: Option<String>,
    pub visibility: Option<String>,
    /// An account's nickname.
    pub account: Option<String>,
    /// `1`: include reblogs.
    pub reblogs: Option<String>,
    pub before: Option<String>,
}

impl StatusesQuery {
    pub fn href(&self, before: Option<i64>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let set = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        for (k, v) in [
            ("local", &self.local),
            ("visibility", &self.visibility),
            ("account", &self.account),
            ("reblogs", &self.reblogs),
        ] {
            if let Some(v) = set(v) {
                pairs.push((k, v));
            }
        }
        if let Some(b) = before {
            pairs.push(("before", b.to_string()));
        }
        let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if qs.is_empty() { "/statuses".into() } else { format!("/statuses?{qs}") }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusesData {
    pub items: Vec<StatusItem>,
    pub next: Option<String>,
    /// Private and direct statuses are shown (an admin switched godmode on).
    pub godmode: bool,
    pub is_admin: bool,
    pub here: String,
    pub notices: Vec<String>,
}

pub const PER_PAGE: i64 = 20;
/// The session key holding an admin's godmode switch.
pub const GODMODE_KEY: &str = "godmode";

// JSON: a query whose fields are all empty would otherwise be sent as no field at all.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn statuses_page(query: StatusesQuery) -> Result<StatusesData, AppError> {
    statuses_for(&crate::auth::moderator()?, query).await
}

/// One page of statuses, in a span naming the viewer.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn statuses_for(ctx: &crate::auth::ModeratorCtx, query: StatusesQuery) -> Result<StatusesData, AppError> {
    use crate::domain::Visibility;
    use crate::domain::query::nonempty;
    use crate::server::state::AppState;
    use crate::server::storage::statuses::{self, StatusFilter};
    use crate::server::storage::users_list;

    let admin = crate::auth::admin().ok();
    let is_admin = admin.is_some();
    let session: tower_sessions::Session =
        leptos_axum::extract().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let godmode = match &admin {
        Some(a) if session.get::<bool>(GODMODE_KEY).await?.unwrap_or(false) => Some(a.godmode()),
        _ => None,
    };
    let state = AppState::get()?;
    let mut notices = Vec::new();
    let mut filter = StatusFilter {
        local_only: query.local.as_deref() == Some("1"),
        with_reblogs: query.reblogs.as_deref() == Some("1"),
        godmode,
        ..Default::default()
    };
    if let Some(v) = nonempty(&query.visibility) {
        match Visibility::parse(&v) {
            Some(v) if v.is_private() && godmode.is_none() => {
                notices.push("Private and direct statuses are hidden unless an admin turns on godmode.".into())
            }
            Some(v) => filter.visibility = Some(v),
            None => notices.push(format!("Unknown visibility {v:?}: showing all.")),
        }
    }
    let mut conn = state.db.conn().await?;
    if let Some(name) = nonempty(&query.account) {
        match users_list::find(conn.as_ref(), name.trim_start_matches('@')).await? {
            Some(u) => filter.account_id = Some(u.id),
            None => {
                notices.push(format!("No account named {name:?}."));
                filter.account_id = Some(-1);
            }
        }
    }
    let before = nonempty(&query.before).and_then(|b| b.parse().ok());
    let (rows, more) = statuses::list(conn.as_ref(), &filter, statuses::Start::Before(before), PER_PAGE).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let media = statuses::media_of(conn.as_ref(), &ids).await?;
    let next = more.then(|| ids.last().map(|id| query.href(Some(*id)))).flatten();
    Ok(StatusesData {
        items: StatusItem::all(rows, media),
        next,
        godmode: godmode.is_some(),
        is_admin,
        here: query.href(before),
        notices,
    })
}
