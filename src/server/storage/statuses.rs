//! Statuses and their media. A deleted status is only marked, so the reports
//! about it keep their evidence; lists skip marked rows.

use std::collections::HashMap;

use super::sql::{Arg, Dialect, Sql};
use super::{ConnRef, now, on};
use crate::domain::Visibility;
use crate::error::AppError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusRow {
    pub id: i64,
    pub account_id: i64,
    pub account_nickname: String,
    pub account_display_name: String,
    pub account_local: bool,
    pub uri: Option<String>,
    pub content: String,
    pub spoiler_text: String,
    pub visibility: String,
    pub sensitive: bool,
    pub local: bool,
    pub reblog_of_id: Option<i64>,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
}

impl StatusRow {
    pub fn visibility(&self) -> Visibility {
        Visibility::parse(&self.visibility).unwrap_or(Visibility::Public)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRow {
    pub id: i64,
    pub status_id: i64,
    pub kind: String,
    pub url: String,
    pub description: String,
}

const COLUMNS: &str = "s.id, s.account_id, u.nickname AS account_nickname, u.display_name AS account_display_name, \
    u.local AS account_local, s.uri, s.content, s.spoiler_text, s.visibility, s.sensitive, s.local, s.reblog_of_id, \
    s.created_at, s.deleted_at";

/// Which statuses a list shows. Private and direct ones only with `godmode`;
/// reblogs only with `with_reblogs`; deleted ones never.
#[derive(Debug, Clone, Default)]
pub struct StatusFilter {
    pub account_id: Option<i64>,
    /// Remote accounts on this host (`nickname@host`).
    pub host: Option<String>,
    pub local_only: bool,
    pub visibility: Option<Visibility>,
    pub godmode: Option<crate::auth::Godmode>,
    pub with_reblogs: bool,
}

impl StatusFilter {
    fn push_where<DB: Dialect>(&self, q: &mut Sql<DB>) {
        q.and().push("s.deleted_at IS NULL");
        if let Some(a) = self.account_id {
            q.and().push("s.account_id = ").bind(a);
        }
        if let Some(h) = &self.host {
            q.and().push("lower(u.nickname) LIKE ").bind(host_pattern(h));
        }
        if self.local_only {
            q.and().push("s.local");
        }
        if let Some(v) = self.visibility {
            q.and().push("s.visibility = ").bind(v.as_str());
        }
        if self.godmode.is_none() {
            q.and().push("s.visibility IN ('public', 'unlisted')");
        }
        if !self.with_reblogs {
            q.and().push("s.reblog_of_id IS NULL");
        }
    }
}

/// Where a page of statuses starts.
#[derive(Debug, Clone, Copy)]
pub enum Start {
    /// After the status with this id (keyset: the previous page's last id).
    Before(Option<i64>),
    /// After skipping this many (Pleroma's `page`).
    Skip(i64),
}

/// Newest first. The second value says whether more exist.
pub async fn list(
    c: ConnRef<'_>,
    filter: &StatusFilter,
    start: Start,
    limit: i64,
) -> Result<(Vec<StatusRow>, bool), AppError> {
    let mut rows: Vec<StatusRow> = on!(c, |x| {
        let mut q = Sql::new(format!("SELECT {COLUMNS} FROM statuses s JOIN users u ON u.id = s.account_id"));
        filter.push_where(&mut q);
        let mut skip = 0;
        match start {
            Start::Before(Some(b)) => {
                q.and().push("s.id < ").bind(b);
            }
            Start::Before(None) => {}
            Start::Skip(n) => skip = n,
        }
        q.push(" ORDER BY s.id DESC").limit(limit + 1);
        if skip > 0 {
            q.push(" OFFSET ").bind(skip);
        }
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// How many statuses the filter matches.
pub async fn count(c: ConnRef<'_>, filter: &StatusFilter) -> Result<i64, AppError> {
    Ok(on!(c, |x| {
        let mut q = Sql::new("SELECT COUNT(*) FROM statuses s JOIN users u ON u.id = s.account_id");
        filter.push_where(&mut q);
        q.build_query_scalar().fetch_one(&mut *x).await
    })?)
}

/// These statuses (deleted ones included), in id order.
pub async fn by_ids(c: ConnRef<'_>, ids: &[i64]) -> Result<Vec<StatusRow>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(c, |x| {
        let mut q = Sql::new(format!("SELECT {COLUMNS} FROM statuses s JOIN users u ON u.id = s.account_id"));
        q.and().push_in("s.id", ids).push(" ORDER BY s.id");
        q.build_query_as().fetch_all(&mut *x).await
    })?)
}

pub async fn find(c: ConnRef<'_>, id: i64) -> Result<Option<StatusRow>, AppError> {
    Ok(by_ids(c, &[id]).await?.pop())
}

/// Media of these statuses, keyed by status.
pub async fn media_of(c: ConnRef<'_>, ids: &[i64]) -> Result<HashMap<i64, Vec<MediaRow>>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<MediaRow> = on!(c, |x| {
        let mut q = Sql::new("SELECT id, status_id, kind, url, description FROM status_media");
        q.and().push_in("status_id", ids).push(" ORDER BY id");
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    let mut out: HashMap<i64, Vec<MediaRow>> = HashMap::new();
    for r in rows {
        out.entry(r.status_id).or_default().push(r);
    }
    Ok(out)
}

/// A status as intake delivers it.
pub struct NewStatus<'a> {
    pub account_id: i64,
    pub uri: Option<&'a str>,
    pub content: &'a str,
    pub spoiler_text: &'a str,
    pub visibility: Visibility,
    pub sensitive: bool,
    pub local: bool,
    pub reblog_of_id: Option<i64>,
    pub created_at: i64,
    /// (kind, url, description)
    pub media: &'a [(String, String, String)],
}

pub async fn insert(c: ConnRef<'_>, s: &NewStatus<'_>) -> Result<i64, AppError> {
    const STATUS: &str = "INSERT INTO statuses (account_id, uri, content, spoiler_text, visibility, sensitive, local, \
        reblog_of_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    const MEDIA: &str = "INSERT INTO status_media (status_id, kind, url, description) VALUES ($1, $2, $3, $4)";
    on!(c, |x| {
        let id: i64 = sqlx::query_scalar(STATUS)
            .bind(s.account_id)
            .bind(s.uri)
            .bind(s.content)
            .bind(s.spoiler_text)
            .bind(s.visibility.as_str())
            .bind(s.sensitive)
            .bind(s.local)
            .bind(s.reblog_of_id)
            .bind(s.created_at)
            .fetch_one(&mut *x)
            .await?;
        for (kind, url, description) in s.media {
            sqlx::query(MEDIA).bind(id).bind(kind).bind(url).bind(description).execute(&mut *x).await?;
        }
        Ok(id)
    })
}

/// The id of the status intake already stored under `uri`.
pub async fn id_by_uri(c: ConnRef<'_>, uri: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "SELECT id FROM statuses WHERE uri = $1";
    Ok(on!(c, |x| sqlx::query_scalar(SQL).bind(uri).fetch_optional(&mut *x).await)?)
}

pub async fn set_sensitive(c: ConnRef<'_>, ids: &[i64], sensitive: bool) -> Result<u64, AppError> {
    update_live(c, ids, "sensitive", sensitive.into()).await
}

pub async fn set_visibility(c: ConnRef<'_>, ids: &[i64], v: Visibility) -> Result<u64, AppError> {
    update_live(c, ids, "visibility", v.as_str().into()).await
}

pub async fn mark_deleted(c: ConnRef<'_>, ids: &[i64]) -> Result<u64, AppError> {
    update_live(c, ids, "deleted_at", now().into()).await
}

/// Sets `column` (never a name from input) of those of `ids` not yet deleted.
async fn update_live(c: ConnRef<'_>, ids: &[i64], column: &str, value: Arg) -> Result<u64, AppError> {
    Ok(on!(c, |x| {
        let mut q = Sql::new(format!("UPDATE statuses SET {column} = "));
        q.bind(value);
        q.and().push_in("id", ids).and().push("deleted_at IS NULL");
        q.build().execute(&mut *x).await.map(|r| r.rows_affected())
    })?)
}

/// Live statuses per visibility (Pleroma's `/stats`), kept by triggers.
pub async fn count_by_visibility(c: ConnRef<'_>) -> Result<Vec<(String, i64)>, AppError> {
    const SQL: &str = "SELECT visibility, n FROM status_counts ORDER BY visibility";
    Ok(on!(c, |x| sqlx::query_as(SQL).fetch_all(&mut *x).await)?)
}

/// Whose statuses: this instance's, or one remote instance's.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    Local,
    Host(&'a str),
}

/// Live statuses per visibility of one instance's accounts, counted.
pub async fn count_by_visibility_on(c: ConnRef<'_>, origin: Origin<'_>) -> Result<Vec<(String, i64)>, AppError> {
    Ok(on!(c, |x| {
        let mut q = Sql::new("SELECT s.visibility, COUNT(*) FROM statuses s JOIN users u ON u.id = s.account_id");
        q.and().push("s.deleted_at IS NULL");
        match origin {
            Origin::Local => q.and().push("u.local"),
            Origin::Host(h) => q.and().push("lower(u.nickname) LIKE ").bind(host_pattern(h)),
        };
        q.push(" GROUP BY s.visibility ORDER BY s.visibility");
        q.build_query_as().fetch_all(&mut *x).await
    })?)
}

/// `LIKE` pattern for accounts on `host` (callers allow no `%` or `_` in it).
fn host_pattern(host: &str) -> String {
    format!("%@{}", host.to_lowercase())
}

/// An account's live statuses.
pub async fn count_of_account(c: ConnRef<'_>, account_id: i64) -> Result<i64, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM statuses WHERE account_id = $1 AND deleted_at IS NULL";
    Ok(on!(c, |x| sqlx::query_scalar(SQL).bind(account_id).fetch_one(&mut *x).await)?)
}
