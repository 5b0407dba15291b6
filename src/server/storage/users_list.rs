//! The user list: every filter of SPEC §6 plus email domain and creation
//! range, three sorts both ways, and keyset pages in both directions (deep
//! pages cost what the first does). Rows and their tags take two queries.

use std::collections::HashMap;

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::sql::{Arg, Dialect, Sql, contains_pattern};
use super::{ConnRef, on};
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

    /// The indexed expression rows are ordered by (ties broken by id).
    /// Creation order is id order (ids are assigned as accounts are created),
    /// which lets a search stream from the FTS index in rowid order.
    fn expr(self, driver: Driver) -> &'static str {
        match self.key {
            SortKey::CreatedAt => match driver {
                Driver::Users => "users.id",
                Driver::Search => "users_search.rowid",
                Driver::Tag => "ut.user_id",
            },
            SortKey::Nickname => "lower(users.nickname)",
            SortKey::LastActive => "coalesce(users.last_active_at, 0)",
        }
    }
}

/// The table a list query walks in order: users itself, the FTS index
/// (SQLite search), or one tag's `user_tags` entries (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Driver {
    Users,
    Search,
    Tag,
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
    /// Any of these ActivityPub actor types (Pleroma's `actor_types[]`).
    #[serde(default)]
    pub actor_types: Vec<String>,
}

/// How a query reads a filter, settled before its SQL is written: what it
/// walks and which backend's text search it uses.
pub(super) struct Shape {
    /// `FROM …`. With a trigram search on SQLite the FTS table drives the
    /// query (joined, so results stream in rowid order and stop at the page
    /// size); every column is qualified for that join.
    pub(super) from: &'static str,
    driver: Driver,
    /// The trigram search phrase (SQLite).
    fts: Option<String>,
    sqlite: bool,
    /// Counts visit every match, so tags drive the query from user_tags
    /// instead of probing it row by row in list order.
    counting: bool,
    /// A PostgreSQL substring search in creation order: read in id windows
    /// (see `IdWindows`) rather than sorting every match.
    windowed: bool,
}

impl UserFilter {
    pub fn is_empty(&self) -> bool {
        *self == UserFilter::default()
    }

    /// A substring search long enough for the trigram index (SQLite).
    fn fts_phrase(&self, sqlite: bool) -> Option<String> {
        let q = self.q.as_deref().map(str::trim).filter(|q| q.chars().count() >= 3)?;
        sqlite.then(|| format!("\"{}\"", q.to_lowercase().replace('"', "\"\"")))
    }

    /// The shape of a list in `sort` order.
    fn shape(&self, backend: &ConnRef<'_>, sort: Sort) -> Shape {
        let mut shape = self.counting_shape(backend);
        shape.counting = false;
        // One tag in creation order: walk that tag's index entries newest
        // first and stop at the page size, instead of probing every user.
        if self.tags.len() == 1 && sort.key == SortKey::CreatedAt && shape.fts.is_none() {
            shape.from = "user_tags ut JOIN users ON users.id = ut.user_id";
            shape.driver = Driver::Tag;
        }
        let trigram_search = self.q.as_deref().is_some_and(|q| q.trim().chars().count() >= 3);
        shape.windowed =
            !shape.sqlite && trigram_search && shape.driver == Driver::Users && sort.key == SortKey::CreatedAt;
        shape
    }

    /// The shape of a count, or of a walk over every match.
    pub(super) fn counting_shape(&self, backend: &ConnRef<'_>) -> Shape {
        let sqlite = matches!(backend, ConnRef::Sqlite(_));
        let fts = self.fts_phrase(sqlite);
        let (from, driver) = match fts {
            Some(_) => ("users_search JOIN users ON users.id = users_search.rowid", Driver::Search),
            None => ("users", Driver::Users),
        };
        Shape { from, driver, fts, sqlite, counting: true, windowed: false }
    }

    /// The filter's conditions, in the order the shape reads them.
    pub(super) fn push_where<DB: Dialect>(&self, q: &mut Sql<DB>, shape: &Shape) {
        if let Some(phrase) = &shape.fts {
            q.and().push("users_search MATCH ").bind(phrase.as_str());
        }
        if let Some(needle) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let p = contains_pattern(&needle.to_lowercase());
            if !shape.sqlite {
                q.and().push(
                    "lower(users.nickname || ' ' || coalesce(users.email, '') || ' ' || users.display_name) LIKE ",
                );
                q.bind(p).push(" ESCAPE '\\'");
            } else if shape.fts.is_none() {
                // Too short for trigrams: a scan, but it stops at the page size.
                q.and().push("(lower(users.nickname) LIKE ").bind(p.as_str()).push(" ESCAPE '\\'");
                q.push(" OR lower(coalesce(users.email, '')) LIKE ").bind(p.as_str()).push(" ESCAPE '\\'");
                q.push(" OR lower(users.display_name) LIKE ").bind(p).push(" ESCAPE '\\')");
            }
        }
        match self.status {
            Some(Status::Active) => q.and().push("users.is_active AND users.is_approved"),
            Some(Status::Deactivated) => q.and().push("NOT users.is_active"),
            Some(Status::Pending) => q.and().push("NOT users.is_approved"),
            Some(Status::Unconfirmed) => q.and().push("NOT users.is_confirmed"),
            None => q,
        };
        match self.origin {
            Some(Origin::Local) => q.and().push("users.local"),
            Some(Origin::External) => q.and().push("NOT users.local"),
            None => q,
        };
        match self.role {
            Some(RoleFilter::Admin) => q.and().push("users.is_admin"),
            Some(RoleFilter::Moderator) => q.and().push("users.is_moderator"),
            None => q,
        };
        if !self.tags.is_empty() && shape.driver != Driver::Tag {
            if shape.counting {
                q.and()
                    .push("users.id IN (SELECT ut.user_id FROM user_tags ut WHERE ut.tag_id IN (SELECT id FROM tags");
            } else {
                // Walking users in list order, each row probes user_tags.
                q.and().push("EXISTS (SELECT 1 FROM user_tags ut WHERE ut.user_id = users.id AND ut.tag_id IN (SELECT id FROM tags");
            }
            q.push(" WHERE ").push_in("name", &self.tags[..]).push("))");
        }
        if let Some(d) = &self.domain {
            q.and().push("users.email IS NOT NULL AND users.email_domain = ").bind(d.to_lowercase());
        }
        if let Some(t) = self.created_after {
            q.and().push("users.created_at >= ").bind(t);
        }
        if let Some(t) = self.created_before {
            q.and().push("users.created_at < ").bind(t);
        }
        if let Some(n) = &self.name {
            q.and().push("lower(users.display_name) LIKE lower(").bind(contains_pattern(n)).push(") ESCAPE '\\'");
        }
        if let Some(e) = &self.email {
            q.and().push("users.email IS NOT NULL AND lower(users.email) = lower(").bind(e.as_str()).push(")");
        }
        if !self.actor_types.is_empty() {
            q.and().push_in("users.actor_type", &self.actor_types[..]);
        }
        if shape.driver == Driver::Tag {
            q.and().push("ut.tag_id = (SELECT id FROM tags WHERE name = ").bind(self.tags[0].as_str()).push(")");
        }
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
    #[serde(deserialize_with = "flag")]
    pub is_admin: bool,
    #[serde(deserialize_with = "flag")]
    pub is_moderator: bool,
    #[serde(deserialize_with = "flag")]
    pub local: bool,
    #[serde(deserialize_with = "flag")]
    pub is_active: bool,
    #[serde(deserialize_with = "flag")]
    pub is_approved: bool,
    #[serde(deserialize_with = "flag")]
    pub is_confirmed: bool,
    pub created_at: i64,
    pub last_active_at: Option<i64>,
}

impl UserRow {
    pub fn cursor(&self, sort: Sort) -> Cursor {
        let key = match sort.key {
            SortKey::CreatedAt => CursorKey::Int(self.id),
            SortKey::Nickname => CursorKey::Text(self.nickname.to_lowercase()),
            SortKey::LastActive => CursorKey::Int(self.last_active_at.unwrap_or(0)),
        };
        Cursor { key, id: self.id }
    }
}

pub const COLUMNS: &str = "users.id, users.nickname, users.email, users.display_name, users.avatar, users.actor_type, \
    users.registration_reason, users.is_admin, users.is_moderator, users.local, users.is_active, users.is_approved, \
    users.is_confirmed, users.created_at, users.last_active_at";

/// [`COLUMNS`] of the page's subquery `p`: a row packed as a JSON array,
/// which [`UserRow`] reads in field order.
const PACKED: &str = "p.id, p.nickname, p.email, p.display_name, p.avatar, p.actor_type, p.registration_reason, \
    p.is_admin, p.is_moderator, p.local, p.is_active, p.is_approved, p.is_confirmed, p.created_at, p.last_active_at";
/// The tags of the subquery's user `p`, aggregated by the caller.
const TAGS_OF_P: &str = "FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE ut.user_id = p.id";

/// A boolean column in JSON: `true`/`false` from PostgreSQL, `1`/`0` from SQLite.
/// A visitor of its own rather than an untagged enum, which buffers each value
/// and builds an error (message and all) for every 0 or 1 it first tries as a
/// bool: six per row, 300 per page on SQLite.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct Flag;
    impl serde::de::Visitor<'_> for Flag {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean, 0 or 1")
        }
        fn visit_bool<E>(self, b: bool) -> Result<bool, E> {
            Ok(b)
        }
        fn visit_u64<E>(self, i: u64) -> Result<bool, E> {
            Ok(i != 0)
        }
        fn visit_i64<E>(self, i: i64) -> Result<bool, E> {
            Ok(i != 0)
        }
    }
    d.deserialize_any(Flag)
}

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
    let shape = filter.shape(&c, sort);
    // Walking backwards (the "previous" page) reverses the order, then the rows.
    let backwards = matches!(at, PageAt::Before(_));
    let descending = sort.descending != backwards;
    let cursor = match at {
        PageAt::After(cur) | PageAt::Before(cur) => Some(cur),
        PageAt::First => None,
    };
    let walk = Walk { filter, shape: &shape, sort, descending, cursor };
    let mut rows = if shape.windowed {
        let mut rows = Vec::new();
        for window in IdWindows::from(c.reborrow(), cursor.map(|cur| cur.id), descending).await? {
            let want = limit + 1 - rows.len() as i64;
            rows.extend(walk.rows(c.reborrow(), Some(window), want, 0).await?);
            if rows.len() as i64 > limit {
                break;
            }
        }
        rows
    } else {
        walk.rows(c.reborrow(), None, limit + 1, 0).await?
    };
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
    let next = rows.last().filter(|_| has_next).map(|r| r.0.cursor(sort));
    let prev = rows.first().filter(|_| has_prev).map(|r| r.0.cursor(sort));
    let (rows, tags) = split_tags(rows);
    Ok(ListPage { rows, tags, next, prev })
}

/// Rows apart from their tags, as [`ListPage`] keeps them.
fn split_tags(rows: Vec<(UserRow, Vec<String>)>) -> (Vec<UserRow>, HashMap<i64, Vec<String>>) {
    let mut tags = HashMap::new();
    let rows = rows
        .into_iter()
        .map(|(r, t)| {
            if !t.is_empty() {
                tags.insert(r.id, t);
            }
            r
        })
        .collect();
    (rows, tags)
}

/// One ordered walk over a filter's matches, from a cursor or the start.
struct Walk<'a> {
    filter: &'a UserFilter,
    shape: &'a Shape,
    sort: Sort,
    descending: bool,
    cursor: Option<&'a Cursor>,
}

impl Walk<'_> {
    /// The walk's next `n` rows with their tags, after skipping `skip`,
    /// within `window` (ids, half-open) if given.
    ///
    /// The page arrives as one JSON value built by the database: sqlx hands
    /// each SQLite row from its worker thread to the request's task on its
    /// own, and at 50 rows × 15 columns those hand-offs (thread wake-ups in
    /// the kernel, a third of a page's time in `bench/profile.sh`) cost more
    /// than the query. The tags come in the same value.
    async fn rows(
        &self,
        c: ConnRef<'_>,
        window: Option<(i64, i64)>,
        n: i64,
        skip: i64,
    ) -> Result<Vec<(UserRow, Vec<String>)>, AppError> {
        let expr = self.sort.expr(self.shape.driver);
        let (op, dir) = if self.descending { ("<", "DESC") } else { (">", "ASC") };
        let (order, outer_order) = match self.sort.key {
            SortKey::CreatedAt => (format!("{expr} {dir}"), format!("p.id {dir}")),
            SortKey::Nickname => {
                (format!("{expr} {dir}, users.id {dir}"), format!("lower(p.nickname) {dir}, p.id {dir}"))
            }
            SortKey::LastActive => {
                (format!("{expr} {dir}, users.id {dir}"), format!("coalesce(p.last_active_at, 0) {dir}, p.id {dir}"))
            }
        };
        let json: String = on!(c, |x| {
            let mut q = Sql::new(if self.shape.sqlite {
                format!(
                    "SELECT json_group_array(json_array(json_array({PACKED}), json((SELECT json_group_array(t.name ORDER BY \
                     ut.added, t.name) {TAGS_OF_P}))) ORDER BY {outer_order}) FROM (SELECT {COLUMNS} FROM {}",
                    self.shape.from
                )
            } else {
                format!(
                    "SELECT coalesce(json_agg(json_build_array(json_build_array({PACKED}), (SELECT coalesce(json_agg(t.name ORDER BY \
                     ut.added, t.name), '[]'::json) {TAGS_OF_P})) ORDER BY {outer_order}), '[]'::json)::text \
                     FROM (SELECT {COLUMNS} FROM {}",
                    self.shape.from
                )
            });
            self.filter.push_where(&mut q, self.shape);
            if let Some(cur) = self.cursor {
                if self.sort.key == SortKey::CreatedAt {
                    q.and().push(format!("{expr} {op} ")).bind(cur.id);
                } else {
                    q.and()
                        .push(format!("({expr}, users.id) {op} ("))
                        .bind(cur.arg())
                        .push(", ")
                        .bind(cur.id)
                        .push(")");
                }
            }
            if let Some((lo, hi)) = window {
                q.and().push("users.id >= ").bind(lo).push(" AND users.id < ").bind(hi);
            }
            q.push(format!(" ORDER BY {order}"));
            push_limit(&mut q, n, window.is_some());
            if skip > 0 {
                q.push(" OFFSET ").bind(skip);
            }
            q.push(") AS p");
            q.build_query_scalar().fetch_one(&mut *x).await
        })?;
        serde_json::from_str(&json).map_err(|e| AppError::Internal(format!("user page: {e}")))
    }

    /// How many of the walk's matches lie in `window`.
    async fn count_in(&self, c: ConnRef<'_>, (lo, hi): (i64, i64)) -> Result<i64, AppError> {
        Ok(on!(c, |x| {
            let mut q = Sql::new(format!("SELECT COUNT(*) FROM {}", self.shape.from));
            self.filter.push_where(&mut q, self.shape);
            q.and().push("users.id >= ").bind(lo).push(" AND users.id < ").bind(hi);
            q.build_query_scalar().fetch_one(&mut *x).await
        })?)
    }
}

/// PostgreSQL's trigram index finds a search's matches in no particular
/// order, so the newest page of "john" would fetch and sort all 81,000 of a
/// million. Instead the id range is read in windows (half-open `[lo, hi)`)
/// from the page's edge outwards, each 8× wider than the last: a common term
/// fills a page from the first window, a rare one costs a few scans of its
/// few matches. Ids follow creation, so windows come in list order.
struct IdWindows {
    edge: i64,
    end: i64,
    width: i64,
    descending: bool,
}

impl IdWindows {
    const FIRST_WIDTH: i64 = 4096;

    /// Windows from `after` (exclusive; the start of the table if none)
    /// towards the end of the table in the walk's direction.
    async fn from(c: ConnRef<'_>, after: Option<i64>, descending: bool) -> Result<IdWindows, AppError> {
        let (min, max): (Option<i64>, Option<i64>) = on!(c, |x| sqlx::query_as(ID_BOUNDS).fetch_one(&mut *x).await)?;
        let (min, max) = (min.unwrap_or(0), max.unwrap_or(-1));
        let (edge, end) = match (descending, after) {
            (true, Some(id)) => (id.min(max + 1), min),
            (true, None) => (max + 1, min),
            (false, Some(id)) => (id.saturating_add(1).max(min), max + 1),
            (false, None) => (min, max + 1),
        };
        Ok(IdWindows { edge, end, width: Self::FIRST_WIDTH, descending })
    }
}

impl Iterator for IdWindows {
    type Item = (i64, i64);

    fn next(&mut self) -> Option<(i64, i64)> {
        let window = if self.descending {
            (self.edge > self.end).then(|| (self.edge.saturating_sub(self.width).max(self.end), self.edge))?
        } else {
            (self.edge < self.end).then(|| (self.edge, self.edge.saturating_add(self.width).min(self.end)))?
        };
        self.edge = if self.descending { window.0 } else { window.1 };
        self.width = self.width.saturating_mul(8);
        Some(window)
    }
}

/// Numbered page for Pleroma's `page`/`page_size` (OFFSET: fine for the first
/// pages Pleroma clients read; deep reads use the `after` cursor).
pub async fn offset_page(
    mut c: ConnRef<'_>,
    filter: &UserFilter,
    page: i64,
    size: i64,
) -> Result<(Vec<UserRow>, HashMap<i64, Vec<String>>), AppError> {
    let sort = Sort::default();
    let shape = filter.shape(&c, sort);
    let walk = Walk { filter, shape: &shape, sort, descending: true, cursor: None };
    let mut skip = (page - 1) * size;
    let rows = if shape.windowed {
        // Windows whose matches all lie before the page are counted, not read.
        let mut rows = Vec::new();
        for window in IdWindows::from(c.reborrow(), None, true).await? {
            if skip > 0 {
                let n = walk.count_in(c.reborrow(), window).await?;
                if n <= skip {
                    skip -= n;
                    continue;
                }
            }
            rows.extend(walk.rows(c.reborrow(), Some(window), size - rows.len() as i64, skip).await?);
            skip = 0;
            if rows.len() as i64 == size {
                break;
            }
        }
        rows
    } else {
        walk.rows(c.reborrow(), None, size, skip).await?
    };
    Ok(split_tags(rows))
}

/// Tags of the given users in one query, each user's in the order added.
pub async fn tags_of(c: ConnRef<'_>, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pairs: Vec<(i64, String)> = on!(c, |x| {
        let mut q = Sql::new("SELECT ut.user_id, t.name FROM user_tags ut JOIN tags t ON t.id = ut.tag_id");
        q.and().push_in("ut.user_id", ids).push(" ORDER BY ut.added, t.name");
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in pairs {
        map.entry(id).or_default().push(name);
    }
    Ok(map)
}

/// How many rows match: exact up to `cap`, else `None` ("more than cap").
/// Counting stops at the cap, so a broad filter costs a bounded walk.
pub async fn count_capped(c: ConnRef<'_>, filter: &UserFilter, cap: i64) -> Result<Option<i64>, AppError> {
    let shape = filter.counting_shape(&c);
    let n: i64 = on!(c, |x| {
        let mut q = Sql::new(format!("SELECT COUNT(*) FROM (SELECT 1 FROM {}", shape.from));
        filter.push_where(&mut q, &shape);
        q.limit(cap + 1).push(") AS capped");
        q.build_query_scalar().fetch_one(&mut *x).await
    })?;
    Ok((n <= cap).then_some(n))
}

/// A number of matching users: exact, or estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Exact(i64),
    About(i64),
}

/// Ends a list query with its LIMIT: written in ([`Sql::limit`]), except in
/// an id window, whose best plan depends on the window's width (see
/// [`IdWindows`]): a bound limit keeps that statement planned per call.
fn push_limit<DB: Dialect>(q: &mut Sql<DB>, n: i64, windowed: bool) {
    if windowed {
        q.push(" LIMIT ").bind(n);
    } else {
        q.limit(n);
    }
}

/// The lowest and highest user id. Two subqueries: SQLite answers a lone MIN
/// or MAX from the index but scans the table for both in one SELECT.
const ID_BOUNDS: &str = "SELECT (SELECT MIN(id) FROM users), (SELECT MAX(id) FROM users)";

/// Exact counts of a PostgreSQL search stop here (see `count_or_estimate`).
pub const SEARCH_SAMPLE: i64 = 100;

/// How many rows match: exact up to `cap`, else an estimate. The newest
/// `cap + 1` matches are read in id order (a bounded walk along the list's
/// own index); how densely they sit in the id range they span, scaled to the
/// whole id range the filter can reach, gives the estimate. Ids follow
/// creation, so the creation bounds narrow that range exactly.
pub async fn count_or_estimate(mut c: ConnRef<'_>, filter: &UserFilter, cap: i64) -> Result<Count, AppError> {
    let sort = Sort::default();
    let mut shape = filter.shape(&c, sort);
    // A search or a tag alone needs no users columns: its index answers by
    // itself, ten times faster than joining each match to its scattered row.
    let only = |f: UserFilter| *filter == f;
    match shape.driver {
        Driver::Search if only(UserFilter { q: filter.q.clone(), ..Default::default() }) => shape.from = "users_search",
        Driver::Tag if only(UserFilter { tags: filter.tags.clone(), ..Default::default() }) => {
            shape.from = "user_tags ut"
        }
        _ => {}
    }
    let expr = sort.expr(shape.driver);
    // A windowed search evaluates its pattern on every row it passes: 1,001
    // matches of "john" are 12,500 rows (7 ms), five times the page itself.
    let cap = if shape.windowed { cap.min(SEARCH_SAMPLE) } else { cap };
    let (n, oldest) = if shape.windowed {
        let (mut n, mut oldest) = (0, None);
        for window in IdWindows::from(c.reborrow(), None, true).await? {
            let (found, min) = newest_matches(c.reborrow(), filter, &shape, expr, Some(window), cap + 1 - n).await?;
            n += found;
            oldest = min.or(oldest);
            if n > cap {
                break;
            }
        }
        (n, oldest)
    } else {
        newest_matches(c.reborrow(), filter, &shape, expr, None, cap + 1).await?
    };
    let Some(oldest) = oldest.filter(|_| n > cap) else { return Ok(Count::Exact(n)) };
    const NEWEST_BEFORE: &str = "SELECT id FROM users WHERE created_at < $1 ORDER BY created_at DESC, id DESC LIMIT 1";
    const OLDEST_FROM: &str = "SELECT id FROM users WHERE created_at >= $1 ORDER BY created_at, id LIMIT 1";
    let (lo, hi): (Option<i64>, Option<i64>) = match (filter.created_after, filter.created_before) {
        // The usual case in one statement.
        (None, None) => on!(c.reborrow(), |x| sqlx::query_as(ID_BOUNDS).fetch_one(&mut *x).await)?,
        (after, before) => {
            let hi = match before {
                Some(t) => {
                    on!(c.reborrow(), |x| sqlx::query_scalar(NEWEST_BEFORE).bind(t).fetch_optional(&mut *x).await)?
                }
                None => {
                    on!(c.reborrow(), |x| sqlx::query_scalar("SELECT MAX(id) FROM users").fetch_one(&mut *x).await)?
                }
            };
            let lo = match after {
                Some(t) => {
                    on!(c.reborrow(), |x| sqlx::query_scalar(OLDEST_FROM).bind(t).fetch_optional(&mut *x).await)?
                }
                None => {
                    on!(c.reborrow(), |x| sqlx::query_scalar("SELECT MIN(id) FROM users").fetch_one(&mut *x).await)?
                }
            };
            (lo, hi)
        }
    };
    let (hi, lo) = (hi.unwrap_or(oldest).max(oldest), lo.unwrap_or(oldest).min(oldest));
    let sampled = (hi - oldest + 1) as f64;
    let reachable = (hi - lo + 1) as f64;
    Ok(Count::About(((n as f64) * reachable / sampled).round() as i64))
}

/// How many of the newest `need` matches there are (within `window`, if
/// given) and the oldest one's key.
async fn newest_matches(
    c: ConnRef<'_>,
    filter: &UserFilter,
    shape: &Shape,
    expr: &str,
    window: Option<(i64, i64)>,
    need: i64,
) -> Result<(i64, Option<i64>), AppError> {
    Ok(on!(c, |x| {
        let mut q = Sql::new(format!("SELECT COUNT(*), MIN(k) FROM (SELECT {expr} AS k FROM {}", shape.from));
        filter.push_where(&mut q, shape);
        if let Some((lo, hi)) = window {
            q.and().push("users.id >= ").bind(lo).push(" AND users.id < ").bind(hi);
        }
        q.push(format!(" ORDER BY {expr} DESC"));
        push_limit(&mut q, need, window.is_some());
        q.push(") AS newest");
        q.build_query_as().fetch_one(&mut *x).await
    })?)
}

/// The whole table's size, cheaply: the planner's statistics (refreshed by
/// ANALYZE, which seeding runs), else an exact count. Takes the caller's
/// connection: a second one per request could starve the pool under load.
pub async fn total_estimate(mut c: ConnRef<'_>) -> Result<i64, AppError> {
    // sqlite_stat1 exists from migration 0013 on; it has a row for users once
    // ANALYZE (seeding, `PRAGMA optimize`) has run.
    const SQLITE: &str = "SELECT COALESCE(MAX(CAST(substr(stat, 1, instr(stat || ' ', ' ') - 1) AS INTEGER)), 0) \
                          FROM sqlite_stat1 WHERE tbl = 'users'";
    const POSTGRES: &str = "SELECT CAST(GREATEST(MAX(reltuples), 0) AS BIGINT) FROM pg_class WHERE relname = 'users'";
    const EXACT: &str = "SELECT COUNT(*) FROM users";
    let estimate: i64 = match c.reborrow() {
        ConnRef::Sqlite(x) => sqlx::query_scalar(SQLITE).fetch_one(&mut *x).await?,
        ConnRef::Postgres(x) => sqlx::query_scalar(POSTGRES).fetch_one(&mut *x).await?,
    };
    if estimate > 0 {
        return Ok(estimate);
    }
    Ok(on!(c, |x| sqlx::query_scalar(EXACT).fetch_one(&mut *x).await)?)
}

/// Every tag name, for the filter's choices.
pub async fn all_tags(c: ConnRef<'_>) -> Result<Vec<String>, AppError> {
    Ok(on!(c, |x| sqlx::query_scalar("SELECT name FROM tags ORDER BY name").fetch_all(&mut *x).await)?)
}

/// Exact number of matches (Pleroma's `count`).
pub async fn count_exact(c: ConnRef<'_>, filter: &UserFilter) -> Result<i64, AppError> {
    let shape = filter.counting_shape(&c);
    Ok(on!(c, |x| {
        let mut q = Sql::new(format!("SELECT COUNT(*) FROM {}", shape.from));
        filter.push_where(&mut q, &shape);
        q.build_query_scalar().fetch_one(&mut *x).await
    })?)
}

/// These users, by id.
pub async fn by_ids(c: ConnRef<'_>, ids: &[i64]) -> Result<Vec<UserRow>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(c, |x| {
        let mut q = Sql::new(format!("SELECT {COLUMNS} FROM users"));
        q.and().push_in("users.id", ids).push(" ORDER BY users.id DESC");
        q.build_query_as().fetch_all(&mut *x).await
    })?)
}

/// One user by numeric id or (case-insensitive) nickname.
pub async fn find(c: ConnRef<'_>, key: &str) -> Result<Option<UserRow>, AppError> {
    Ok(on!(c, |x| {
        let mut q = Sql::new(format!("SELECT {COLUMNS} FROM users"));
        match key.parse::<i64>() {
            Ok(id) => q.and().push("users.id = ").bind(id),
            Err(_) => q.and().push("lower(users.nickname) = lower(").bind(key).push(")"),
        };
        q.build_query_as().fetch_optional(&mut *x).await
    })?)
}
