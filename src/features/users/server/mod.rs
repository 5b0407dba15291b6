//! `/users` data: the URL query parsed leniently (a bad value falls back to
//! its default with a notice, never an error) and one keyset page.

pub mod detail;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The list's URL query as typed; `tag` repeats.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsersQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub origin: Option<String>,
    pub role: Option<String>,
    pub tag: Vec<String>,
    pub domain: Option<String>,
    pub created_after: Option<String>,
    pub created_before: Option<String>,
    pub sort: Option<String>,
    pub per_page: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
}

impl UsersQuery {
    /// Reads a raw query string (`tag` repeats; unknown keys are ignored).
    pub fn from_query_string(raw: &str) -> UsersQuery {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.trim_start_matches('?')).unwrap_or_default();
        let mut q = UsersQuery::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "q" => &mut q.q,
                "status" => &mut q.status,
                "origin" => &mut q.origin,
                "role" => &mut q.role,
                "domain" => &mut q.domain,
                "created_after" => &mut q.created_after,
                "created_before" => &mut q.created_before,
                "sort" => &mut q.sort,
                "per_page" => &mut q.per_page,
                "after" => &mut q.after,
                "before" => &mut q.before,
                "tag" => {
                    q.tag.push(v);
                    continue;
                }
                _ => continue,
            };
            *slot = Some(v);
        }
        q
    }

    /// The same view from its first page (no position).
    pub fn without_position(&self) -> UsersQuery {
        UsersQuery { after: None, before: None, ..self.clone() }
    }

    /// The list's URL for this view, with the page position replaced.
    pub fn href(&self, after: Option<&str>, before: Option<&str>) -> String {
        let qs = self.query_string(after, before);
        if qs.is_empty() { "/users".into() } else { format!("/users?{qs}") }
    }

    /// The query string for this view, with the page position replaced.
    pub fn query_string(&self, after: Option<&str>, before: Option<&str>) -> String {
        let singles = [
            ("q", &self.q),
            ("status", &self.status),
            ("origin", &self.origin),
            ("role", &self.role),
            ("domain", &self.domain),
            ("created_after", &self.created_after),
            ("created_before", &self.created_before),
            ("sort", &self.sort),
            ("per_page", &self.per_page),
        ];
        let mut pairs: Vec<(&str, &str)> =
            singles.iter().filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (*k, v))).collect();
        for t in &self.tag {
            pairs.push(("tag", t));
        }
        if let Some(a) = after {
            pairs.push(("after", a));
        }
        if let Some(b) = before {
            pairs.push(("before", b));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserItem {
    pub id: i64,
    pub nickname: String,
    pub email: Option<String>,
    pub display_name: String,
    pub role: Option<String>,
    pub local: bool,
    pub active: bool,
    pub approved: bool,
    pub confirmed: bool,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub last_active_at: Option<i64>,
}

#[cfg(feature = "ssr")]
impl UserItem {
    pub fn from_row(r: crate::server::storage::users_list::UserRow, tags: Vec<String>) -> Self {
        UserItem {
            role: crate::domain::Role::from_flags(r.is_admin, r.is_moderator).map(|r| r.label().to_owned()),
            tags,
            id: r.id,
            nickname: r.nickname,
            email: r.email,
            display_name: r.display_name,
            local: r.local,
            active: r.is_active,
            approved: r.is_approved,
            confirmed: r.is_confirmed,
            created_at: r.created_at,
            last_active_at: r.last_active_at,
        }
    }
}

/// A count for people: `950`, `12k`, `1.2M`.
pub fn human(n: i64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 10_000 => format!("{:.0}k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

/// How many users match: exact, or an estimate.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub enum Total {
    Exact(i64),
    About(i64),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UsersPageData {
    pub users: Vec<UserItem>,
    pub total: Total,
    /// Whether any filter is set (not the page position or sort).
    pub filtered: bool,
    pub next: Option<String>,
    pub prev: Option<String>,
    pub notices: Vec<String>,
    /// Whether the viewer may use admin-only bulk actions.
    pub can_admin: bool,
    /// This exact view's URL, for returning after a bulk action.
    pub here: String,
}

pub const DEFAULT_PER_PAGE: i64 = 50;
/// Filtered totals are counted exactly up to this many matches, estimated beyond.
pub const COUNT_CAP: i64 = 1_000;

#[cfg(feature = "ssr")]
pub mod parse {
    //! Raw query to storage filter, collecting notices for what was ignored.

    use super::*;
    use crate::domain::query::{nonempty, parse_day};
    use crate::server::storage::users_list::{Cursor, Origin, PageAt, RoleFilter, Sort, Status, UserFilter};

    pub struct Parsed {
        pub filter: UserFilter,
        pub sort: Sort,
        pub per_page: i64,
        pub at: PageAt,
        pub notices: Vec<String>,
    }

    pub fn parse(q: &UsersQuery) -> Parsed {
        let mut notices = Vec::new();
        let mut choice = |name: &str, v: &Option<String>, allowed: &str| -> Option<String> {
            let raw = nonempty(v)?;
            if allowed.split('|').any(|a| a == raw) {
                Some(raw)
            } else {
                notices.push(format!("Ignored {name}={raw:?}: use one of {}.", allowed.replace('|', ", ")));
                None
            }
        };
        let status = choice("status", &q.status, "active|deactivated|pending|unconfirmed").map(|s| match s.as_str() {
            "active" => Status::Active,
            "deactivated" => Status::Deactivated,
            "pending" => Status::Pending,
            _ => Status::Unconfirmed,
        });
        let origin = choice("origin", &q.origin, "local|external")
            .map(|s| if s == "local" { Origin::Local } else { Origin::External });
        let role = choice("role", &q.role, "admin|moderator")
            .map(|s| if s == "admin" { RoleFilter::Admin } else { RoleFilter::Moderator });
        let sort = match nonempty(&q.sort) {
            None => Sort::default(),
            Some(raw) => Sort::parse(&raw).unwrap_or_else(|| {
                notices.push(format!("Ignored sort={raw:?}: showing newest first."));
                Sort::default()
            }),
        };
        let per_page = match nonempty(&q.per_page) {
            None => DEFAULT_PER_PAGE,
            Some(raw) => match raw.parse::<i64>() {
                Ok(n) if (10..=200).contains(&n) => n,
                _ => {
                    notices.push(format!("Ignored per_page={raw:?}: use 10 to 200. Showing {DEFAULT_PER_PAGE}."));
                    DEFAULT_PER_PAGE
                }
            },
        };
        let mut day = |name: &str, v: &Option<String>| {
            let raw = nonempty(v)?;
            let t = parse_day(&raw, false);
            if t.is_none() {
                notices.push(format!("Ignored {name}={raw:?}: use a date like 2026-01-31."));
            }
            t
        };
        let created_after = day("created_after", &q.created_after);
        let created_before = day("created_before", &q.created_before);
        let domain = nonempty(&q.domain).map(|d| d.trim_start_matches('@').to_lowercase());
        let tags = q.tag.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
        let mut cursor = |name: &str, v: &Option<String>| {
            let raw = nonempty(v)?;
            let c = Cursor::decode(&raw);
            if c.is_none() {
                notices.push(format!("Ignored {name}: that page position is not valid. Showing the first page."));
            }
            c
        };
        let at = match (cursor("after", &q.after), cursor("before", &q.before)) {
            (Some(c), _) => PageAt::After(c),
            (None, Some(c)) => PageAt::Before(c),
            _ => PageAt::First,
        };
        let filter = UserFilter {
            q: nonempty(&q.q),
            status,
            origin,
            role,
            tags,
            domain,
            created_after,
            created_before,
            ..Default::default()
        };
        Parsed { filter, sort, per_page, at, notices }
    }
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn users_page(query: UsersQuery) -> Result<UsersPageData, AppError> {
    users_for(&crate::auth::moderator()?, query).await
}

/// One page of the user list, in a span naming the viewer.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn users_for(ctx: &crate::auth::ModeratorCtx, query: UsersQuery) -> Result<UsersPageData, AppError> {
    use crate::server::state::AppState;
    use crate::server::storage::users_list;

    let p = parse::parse(&query);
    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let page = users_list::list(conn.as_ref(), &p.filter, p.sort, &p.at, p.per_page).await?;
    let total = if p.filter.is_empty() {
        Total::About(users_list::total_estimate(conn.as_ref()).await?)
    } else {
        match users_list::count_or_estimate(conn.as_ref(), &p.filter, COUNT_CAP).await? {
            users_list::Count::Exact(n) => Total::Exact(n),
            users_list::Count::About(n) => Total::About(n),
        }
    };
    let mut tags = page.tags;
    let users = page
        .rows
        .into_iter()
        .map(|r| {
            let t = tags.remove(&r.id).unwrap_or_default();
            UserItem::from_row(r, t)
        })
        .collect();
    let next = page.next.map(|c| query.href(Some(&c.encode()), None));
    let prev = page.prev.map(|c| query.href(None, Some(&c.encode())));
    Ok(UsersPageData {
        users,
        total,
        filtered: !p.filter.is_empty(),
        next,
        prev,
        notices: p.notices,
        can_admin: ctx.staff().is_admin(),
        here: query.href(query.after.as_deref(), query.before.as_deref()),
    })
}

/// Every tag, for the filter's choices.
#[server]
pub async fn user_tags() -> Result<Vec<String>, AppError> {
    tags_for(&crate::auth::moderator()?).await
}

/// Every tag, in a span naming the viewer.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn tags_for(ctx: &crate::auth::ModeratorCtx) -> Result<Vec<String>, AppError> {
    use crate::server::state::AppState;
    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    crate::server::storage::users_list::all_tags(conn.as_ref()).await
}
