//! `/moderation-log` data: filters from the URL, parsed leniently (bad values
//! fall back with a notice), and one keyset page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A moderation-log entry as the pages that show a few of them (the
/// dashboard, a user, a report) list it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogLine {
    pub id: i64,
    pub message: String,
    pub time: i64,
}

#[cfg(feature = "ssr")]
impl From<crate::server::storage::audit::LogRow> for LogLine {
    fn from(r: crate::server::storage::audit::LogRow) -> Self {
        LogLine { id: r.id, message: r.message, time: r.created_at }
    }
}

/// The page's URL query, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub q: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogItem {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub message: String,
    pub time: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogPageData {
    pub items: Vec<LogItem>,
    pub has_older: bool,
    pub has_newer: bool,
    pub actions: Vec<String>,
    /// Parameters that were ignored, and why.
    pub notices: Vec<String>,
}

pub const PAGE_SIZE: i64 = 50;

#[server(input = leptos::server_fn::codec::Json)]
pub async fn moderation_log_page(query: LogQuery) -> Result<LogPageData, AppError> {
    log_page(&crate::auth::admin()?, query).await
}

/// One page of the log, in a span naming the viewer.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn log_page(ctx: &crate::auth::AdminCtx, query: LogQuery) -> Result<LogPageData, AppError> {
    use crate::server::state::AppState;
    use crate::server::storage::audit::{self, LogFilter, Page};

    use crate::domain::query::{nonempty, parse_day};

    let mut notices = Vec::new();
    let mut day = |name: &str, v: &Option<String>, end: bool| {
        let raw = nonempty(v)?;
        let parsed = parse_day(&raw, end);
        if parsed.is_none() {
            notices.push(format!("Ignored {name}={raw:?}: use a date like 2026-01-31."));
        }
        parsed
    };
    let filter = LogFilter {
        actor_nickname: nonempty(&query.actor).map(|a| a.trim_start_matches('@').to_owned()),
        action: nonempty(&query.action),
        from: day("from", &query.from, false),
        to: day("to", &query.to, true),
        search: nonempty(&query.q),
        ..Default::default()
    };
    let mut cursor = |name: &str, v: &Option<String>| {
        let raw = nonempty(v)?;
        let id = raw.parse::<i64>().ok().filter(|n| *n > 0);
        if id.is_none() {
            notices.push(format!("Ignored {name}={raw:?}: not a page position. Showing the newest entries."));
        }
        id
    };
    let page = match (cursor("before", &query.before), cursor("after", &query.after)) {
        (Some(id), _) => Page::Older(id),
        (None, Some(id)) => Page::Newer(id),
        (None, None) => Page::First,
    };
    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let keyset = audit::page(conn.as_ref(), &filter, page, PAGE_SIZE).await?;
    let actions = audit::actions(conn.as_ref()).await?;
    let items = keyset
        .rows
        .into_iter()
        .map(|r| LogItem {
            id: r.id,
            actor: r.actor_nickname,
            action: r.action,
            message: r.message,
            time: r.created_at,
        })
        .collect();
    Ok(LogPageData { items, has_older: keyset.has_older, has_newer: keyset.has_newer, actions, notices })
}
