//! The user list: every filter of SPEC §6 plus email domain and creation
//! range, three sorts both ways, and keyset pages in both directions (deep
//! pages cost what the first does). Rows and their tags take two queries.

use std::collections::HashMap;

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::sql::{Arg, Filter, bind_args, contains_pattern};
use super::{ConnRef, Db, on};
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Active,
    Deactivated,
    Pending,
    Unconfirmed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    Local,
    External,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleFilter {
    Admin,
    Moderator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    CreatedAt,
    Nickname,
    LastActive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { key: SortKey::CreatedAt, descending: true }
    }
}

impl Sort {
    /// The SPEC's names: `created_at`, `-created_at`, `nickname`, `-nickname`, `last_active`, `-last_active`.
    pub fn parse(s: &str) -> Option<Sort> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let key = match name {
            "created_at" => SortKey::CreatedAt,
            "nickname" => SortKey::Nickname,
            "last_active" => SortKey::LastActive,
            _ => return None,
        };
        Some(Sort { key, descending })
    }

    pub fn as_param(self) -> String {
        let name = match self.key {
            SortKey::CreatedAt => "created_at",
            SortKey::Nickname => "nickname",
            SortKey::LastActive => "last_active",
        };
        if self.descending { format!("-{name}") } else { name.to_owned() }
    }

    /// The indexed expression rows are ordered by (ties broken by id).
    fn expr(self) -> &'static str {
        match self.key {
            SortKey::CreatedAt => "created_at",
            SortKey::Nickname => "lower(nickname)",
            SortKey::LastActive => "coalesce(last_active_at, 0)",
        }
    }
}

/// Filters of the list, already parsed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserFilter {
    pub q: Option<String>,
    pub status: Option<Status>,
    pub origin: Option<Origin>,
    pub role: Option<RoleFilter>,
    /// Any of these tags.
    pub tags: Vec<String>,
    /// Email domain, lower case.
    pub domain: Option<String>,
    /// Unix seconds, inclusive.
    pub created_after: Option<i64>,
    /// Unix seconds, exclusive.
    pub created_before: Option<i64>,
    /// Display name contains this, any case (Pleroma's `name`).
    pub name: Option<String>,
    /// Email is exactly this, any case (Pleroma's `email`).
    pub email: Option<String>,
}

impl UserFilter {
    pub fn is_empty(&self) -> bool {
        *self == UserFilter::default()
    }

    fn to_sql(&self, backend: &ConnRef<'_>) -> Filter {
        let mut f = Filter::default();
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let q = q.to_lowercase();
            let sqlite = matches!(backend, ConnRef::Sqlite(_));
            if sqlite && q.chars().count() >= 3 {
                // A quoted FTS5 string is a phrase of trigrams: a substring match.
                let phrase = format!("\"{}\"", q.replace('"', "\"\""));
                f.and("id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?)", [Arg::Text(phrase)]);
            } else if sqlite {
                let p = contains_pattern(&q);
                f.and(
                    "(lower(nickname) LIKE ? ESCAPE '\\' OR lower(coalesce(email, '')) LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\')",
                    [Arg::Text(p.clone()), Arg::Text(p.clone()), Arg::Text(p)],
                );
            } else {
                f.and(
                    "lower(nickname || ' ' || coalesce(email, '') || ' ' || display_name) LIKE ? ESCAPE '\\'",
                    [Arg::Text(contains_pattern(&q))],
                );
            }
        }
        match self.status {
            Some(Status::Active) => f.and("is_active AND is_approved", []),
            Some(Status::Deactivated) => f.and("NOT is_active", []),
            Some(Status::Pending) => f.and("NOT is_approved", []),
            Some(Status::Unconfirmed) => f.and("NOT is_confirmed", []),
            None => &mut f,
        };
        match self.origin {
            Some(Origin::Local) => f.and("local", []),
            Some(Origin::External) => f.and("NOT local", []),
            None => &mut f,
        };
        match self.role {
            Some(RoleFilter::Admin) => f.and("is_admin", []),
            Some(RoleFilter::Moderator) => f.and("is_moderator", []),
            None => &mut f,
        };
        if !self.tags.is_empty() {
            let marks = vec!["?"; self.tags.len()].join(", ");
            f.and(
                &format!("id IN (SELECT ut.user_id FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE t.name IN ({marks}))"),
                self.tags.iter().cloned().map(Arg::Text),
            );
        }
        if let Some(d) = &self.domain {
            f.and("email IS NOT NULL AND email_domain = ?", [Arg::Text(d.to_lowercase())]);
        }
        if let Some(t) = self.created_after {
            f.and("created_at >= ?", [Arg::Int(t)]);
        }
        if let Some(t) = self.created_before {
            f.and("created_at < ?", [Arg::Int(t)]);
        }
        if let Some(n) = &self.name {
            f.and("lower(display_name) LIKE lower(?) ESCAPE '\\'", [Arg::Text(contains_pattern(n))]);
        }
        if let Some(e) = &self.email {
            f.and("email IS NOT NULL AND lower(email) = lower(?)", [Arg::Text(e.clone())]);
        }
        f
    }
}

/// A position in a sorted list: the sort key's value and the id of the row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: CursorKey,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CursorKey {
    Int(i64),
    Text(String),
}

impl Cursor {
    /// Opaque to clients: base64url of a small JSON value.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn arg(&self) -> Arg {
        match &self.key {
            CursorKey::Int(v) => Arg::Int(*v),
            CursorKey::Text(s) => Arg::Text(s.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageAt {
    First,
    After(Cursor),
    Before(Cursor),
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub nickname: String,
    pub email: Option<String>,
    pub display_name: String,
    pub avatar: String,
    pub actor_type: String,
    pub registration_reason: Option<String>,
    pub is_admin: bool,
    pub is_moderator: bool,
    pub local: bool,
    pub is_active: bool,
    pub is_approved: bool,
    pub is_confirmed: bool,
    pub created_at: i64,
    pub last_active_at: Option<i64>,
}

impl UserRow {
    pub fn cursor(&self, sort: Sort) -> Cursor {
        let key = match sort.key {
            SortKey::CreatedAt => CursorKey::Int(self.created_at),
            SortKey::Nickname => CursorKey::Text(self.nickname.to_lowercase()),
            SortKey::LastActive => CursorKey::Int(self.last_active_at.unwrap_or(0)),
        };
        Cursor { key, id: self.id }
    }
}

pub const COLUMNS: &str = "id, nickname, email, display_name, avatar, actor_type, registration_reason, is_admin, \
    is_moderator, local, is_active, is_approved, is_confirmed, created_at, last_active_at";

pub struct ListPage {
    pub rows: Vec<UserRow>,
    pub tags: HashMap<i64, Vec<String>>,
    /// Cursor for the next page, if there are more rows after this one.
    pub next: Option<Cursor>,
    /// Cursor for the previous page, if there are rows before this one.
    pub prev: Option<Cursor>,
}

pub async fn list(
    mut c: ConnRef<'_>,
    filter: &UserFilter,
    sort: Sort,
    at: &PageAt,
    limit: i64,
) -> Result<ListPage, AppError> {
    let mut f = filter.to_sql(&c);
    let expr = sort.expr();
    // Walking backwards (the "previous" page) reverses the order, then the rows.
    let backwards = matches!(at, PageAt::Before(_));
    let descending = sort.descending != backwards;
    match at {
        PageAt::First => {}
        PageAt::After(cur) | PageAt::Before(cur) => {
            let op = if descending { "<" } else { ">" };
            f.and(&format!("({expr}, id) {op} (?, ?)"), [cur.arg(), Arg::Int(cur.id)]);
        }
    }
    let dir = if descending { "DESC" } else { "ASC" };
    let lim = f.push(Arg::Int(limit + 1));
    let sql = format!("SELECT {COLUMNS} FROM users {} ORDER BY {expr} {dir}, id {dir} LIMIT {lim}", f.where_clause());
    let mut rows: Vec<UserRow> =
        on!(c.reborrow(), |x| bind_args!(sqlx::query_as(&sql), &f.args).fetch_all(&mut *x).await)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if backwards {
        rows.reverse();
    }
    let (has_next, has_prev) = match at {
        PageAt::First => (more, false),
        PageAt::After(_) => (more, true),
        PageAt::Before(_) => (true, more),
    };
    let next = rows.last().filter(|_| has_next).map(|r| r.cursor(sort));
    let prev = rows.first().filter(|_| has_prev).map(|r| r.cursor(sort));
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let tags = tags_of(c, &ids).await?;
    Ok(ListPage { rows, tags, next, prev })
}

/// Numbered page for Pleroma's `page`/`page_size` (OFFSET: fine for the first
/// pages Pleroma clients read; deep reads use the `after` cursor).
pub async fn offset_page(
    mut c: ConnRef<'_>,
    filter: &UserFilter,
    page: i64,
    size: i64,
) -> Result<(Vec<UserRow>, HashMap<i64, Vec<String>>), AppError> {
    let mut f = filter.to_sql(&c);
    let lim = f.push(Arg::Int(size));
    let off = f.push(Arg::Int((page - 1) * size));
    let sql = format!(
        "SELECT {COLUMNS} FROM users {} ORDER BY created_at DESC, id DESC LIMIT {lim} OFFSET {off}",
        f.where_clause()
    );
    let rows: Vec<UserRow> = on!(c.reborrow(), |x| bind_args!(sqlx::query_as(&sql), &f.args).fetch_all(&mut *x).await)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let tags = tags_of(c, &ids).await?;
    Ok((rows, tags))
}

/// Tags of the given users in one query.
pub async fn tags_of(c: ConnRef<'_>, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT ut.user_id, t.name FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE ut.user_id IN ({list}) ORDER BY t.name"
    );
    let pairs: Vec<(i64, String)> = on!(c, |x| sqlx::query_as(&sql).fetch_all(&mut *x).await)?;
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in pairs {
        map.entry(id).or_default().push(name);
    }
    Ok(map)
}

/// How many rows match: exact up to `cap`, else `None` ("more than cap").
/// Counting stops at the cap, so a broad filter costs a bounded walk.
pub async fn count_capped(mut c: ConnRef<'_>, filter: &UserFilter, cap: i64) -> Result<Option<i64>, AppError> {
    let mut f = filter.to_sql(&c);
    let lim = f.push(Arg::Int(cap + 1));
    let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM users {} LIMIT {lim}) AS capped", f.where_clause());
    let n: i64 = on!(c.reborrow(), |x| bind_args!(sqlx::query_scalar(&sql), &f.args).fetch_one(&mut *x).await)?;
    Ok((n <= cap).then_some(n))
}

/// The whole table's size: exact on SQLite (cheap with mmap), the planner's
/// estimate on PostgreSQL (an exact count there scans the table).
pub async fn total_estimate(db: &Db) -> Result<i64, AppError> {
    match db {
        Db::Sqlite(_) => db.scalar_i64("SELECT COUNT(*) FROM users").await,
        Db::Postgres(_) => {
            let est = db
                .scalar_i64("SELECT CAST(GREATEST(reltuples, 0) AS BIGINT) FROM pg_class WHERE relname = 'users'")
                .await?;
            if est > 0 { Ok(est) } else { db.scalar_i64("SELECT COUNT(*) FROM users").await }
        }
    }
}

/// Every tag name, for the filter's choices.
pub async fn all_tags(c: ConnRef<'_>) -> Result<Vec<String>, AppError> {
    Ok(on!(c, |x| sqlx::query_scalar("SELECT name FROM tags ORDER BY name").fetch_all(&mut *x).await)?)
}

/// Exact number of matches (Pleroma's `count`).
pub async fn count_exact(mut c: ConnRef<'_>, filter: &UserFilter) -> Result<i64, AppError> {
    let f = filter.to_sql(&c);
    let sql = format!("SELECT COUNT(*) FROM users {}", f.where_clause());
    Ok(on!(c.reborrow(), |x| bind_args!(sqlx::query_scalar(&sql), &f.args).fetch_one(&mut *x).await)?)
}

/// One user by numeric id or (case-insensitive) nickname.
pub async fn find(c: ConnRef<'_>, key: &str) -> Result<Option<UserRow>, AppError> {
    let (cond, arg) = match key.parse::<i64>() {
        Ok(id) => ("id = $1", Arg::Int(id)),
        Err(_) => ("lower(nickname) = lower($1)", Arg::Text(key.to_owned())),
    };
    let sql = format!("SELECT {COLUMNS} FROM users WHERE {cond}");
    Ok(on!(c, |x| bind_args!(sqlx::query_as(&sql), std::slice::from_ref(&arg)).fetch_optional(&mut *x).await)?)
}
