//! The moderation log: append-only. [`record`] is the one function every
//! mutation calls, on the connection of its own transaction.

use serde::{Deserialize, Serialize};

use super::sql::{Arg, Filter, bind_args, contains_pattern};
use super::{ConnRef, now, on};
use crate::domain::Staff;
use crate::error::AppError;

/// Who did it: a staff member, or a user acting on their own account
/// (following a password-reset link).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: i64,
    pub nickname: &'a str,
}

impl<'a> From<&'a Staff> for Actor<'a> {
    fn from(s: &'a Staff) -> Self {
        Actor { id: s.id, nickname: &s.nickname }
    }
}

/// One thing that happened, as the caller describes it.
pub struct Entry<'a> {
    pub actor: Actor<'a>,
    /// Dotted verb, e.g. `session.sign_in`, `token.create`, `user.deactivate`.
    pub action: &'a str,
    /// Users this entry concerns (indexed for "log entries about this user").
    pub subject_users: &'a [i64],
    /// Extra structured detail, merged into the API's `data` object.
    pub data: serde_json::Value,
    /// A readable sentence in Pleroma's style: `@admin made @u admin`.
    pub message: String,
}

pub async fn record(c: ConnRef<'_>, e: Entry<'_>) -> Result<i64, AppError> {
    const INSERT: &str = "INSERT INTO moderation_log \
        (actor_id, actor_nickname, action, subject_type, subject_ids, data, message, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let subject_type = (!e.subject_users.is_empty()).then_some("user");
    let ids = serde_json::to_string(e.subject_users).map_err(|x| AppError::Internal(x.to_string()))?;
    let data = e.data.to_string();
    on!(c, |c| {
        let id: i64 = sqlx::query_scalar(INSERT)
            .bind(e.actor.id)
            .bind(e.actor.nickname)
            .bind(e.action)
            .bind(subject_type)
            .bind(&ids)
            .bind(&data)
            .bind(&e.message)
            .bind(now())
            .fetch_one(&mut *c)
            .await?;
        // Many rows per statement: an action on a whole filter may touch thousands.
        for chunk in e.subject_users.chunks(500) {
            let rows = chunk.iter().map(|u| format!("({id}, {u})")).collect::<Vec<_>>().join(", ");
            let sql =
                format!("INSERT INTO moderation_log_subjects (entry_id, user_id) VALUES {rows} ON CONFLICT DO NOTHING");
            sqlx::query(&sql).execute(&mut *c).await?;
        }
        Ok(id)
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct LogRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_nickname: String,
    pub action: String,
    pub subject_ids: String,
    pub data: String,
    pub message: String,
    pub created_at: i64,
}

/// Filters shared by the `/moderation-log` page and the API.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub actor_id: Option<i64>,
    pub actor_nickname: Option<String>,
    pub action: Option<String>,
    pub subject_user: Option<i64>,
    /// Inclusive bounds, unix seconds.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub search: Option<String>,
}

impl LogFilter {
    fn to_sql(&self) -> Filter {
        let mut f = Filter::default();
        if let Some(id) = self.actor_id {
            f.and("actor_id = ?", [Arg::Int(id)]);
        }
        if let Some(n) = &self.actor_nickname {
            f.and("lower(actor_nickname) = lower(?)", [Arg::Text(n.clone())]);
        }
        if let Some(a) = &self.action {
            f.and("action = ?", [Arg::Text(a.clone())]);
        }
        if let Some(u) = self.subject_user {
            f.and("id IN (SELECT entry_id FROM moderation_log_subjects WHERE user_id = ?)", [Arg::Int(u)]);
        }
        if let Some(t) = self.from {
            f.and("created_at >= ?", [Arg::Int(t)]);
        }
        if let Some(t) = self.to {
            f.and("created_at <= ?", [Arg::Int(t)]);
        }
        if let Some(s) = &self.search {
            f.and("lower(message) LIKE lower(?) ESCAPE '\\'", [Arg::Text(contains_pattern(s))]);
        }
        f
    }
}

/// Which way to page from a cursor entry id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    First,
    /// Entries older than this id.
    Older(i64),
    /// Entries newer than this id.
    Newer(i64),
}

/// One keyset page, newest first, plus whether more exist beyond each edge.
pub struct Keyset {
    pub rows: Vec<LogRow>,
    pub has_older: bool,
    pub has_newer: bool,
}

const COLUMNS: &str = "id, actor_id, actor_nickname, action, subject_ids, data, message, created_at";

/// Keyset page for the UI: no OFFSET and no COUNT, so deep pages cost the same.
pub async fn page(c: ConnRef<'_>, filter: &LogFilter, page: Page, limit: i64) -> Result<Keyset, AppError> {
    let mut f = filter.to_sql();
    let ascending = match page {
        Page::First => false,
        Page::Older(id) => {
            f.and("id < ?", [Arg::Int(id)]);
            false
        }
        Page::Newer(id) => {
            f.and("id > ?", [Arg::Int(id)]);
            true
        }
    };
    let lim = f.push(Arg::Int(limit + 1));
    let order = if ascending { "ASC" } else { "DESC" };
    let sql = format!("SELECT {COLUMNS} FROM moderation_log {} ORDER BY id {order} LIMIT {lim}", f.where_clause());
    let mut rows: Vec<LogRow> = on!(c, |c| bind_args!(sqlx::query_as(&sql), &f.args).fetch_all(&mut *c).await)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if ascending {
        rows.reverse();
    }
    let (has_older, has_newer) = match page {
        Page::First => (more, false),
        Page::Older(_) => (more, true),
        Page::Newer(_) => (true, more),
    };
    Ok(Keyset { rows, has_older, has_newer })
}

/// Numbered page with the exact total, for Pleroma's `page`/`page_size` API.
pub async fn numbered(
    c: ConnRef<'_>,
    filter: &LogFilter,
    page: i64,
    size: i64,
) -> Result<(Vec<LogRow>, i64), AppError> {
    let mut f = filter.to_sql();
    let count_sql = format!("SELECT COUNT(*) FROM moderation_log {}", f.where_clause());
    let count_args = f.args.clone();
    let lim = f.push(Arg::Int(size));
    let off = f.push(Arg::Int((page - 1) * size));
    let sql =
        format!("SELECT {COLUMNS} FROM moderation_log {} ORDER BY id DESC LIMIT {lim} OFFSET {off}", f.where_clause());
    on!(c, |c| {
        let total: i64 = bind_args!(sqlx::query_scalar(&count_sql), &count_args).fetch_one(&mut *c).await?;
        let rows: Vec<LogRow> = bind_args!(sqlx::query_as(&sql), &f.args).fetch_all(&mut *c).await?;
        Ok((rows, total))
    })
}

/// Distinct actions seen, for the filter's choices.
pub async fn actions(c: ConnRef<'_>) -> Result<Vec<String>, AppError> {
    const SQL: &str = "SELECT DISTINCT action FROM moderation_log ORDER BY action";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).fetch_all(&mut *c).await)?)
}
