//! The users' JSON API in Pleroma's shapes (ids are strings): listing and
//! reading here (moderators may), the bulk actions in [`bulk`], accounts and
//! credentials in [`manage`].

pub mod bulk;
pub mod manage;

use std::collections::HashMap;

use crate::server::rejections::{ApiHtmlQuery, ApiPath};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::ModeratorCtx;
use crate::domain::query::nonempty;
use crate::error::AppError;
use crate::features::users::server::COUNT_CAP;
use crate::server::state::AppState;
use crate::server::storage::users_list::{
    self, Count, Cursor, Origin, PageAt, RoleFilter, Sort, Status, UserFilter, UserRow,
};

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Roles {
    admin: bool,
    moderator: bool,
}

/// A user as Pleroma's Admin API returns it, with both the old and the
/// current flag names that Pleroma clients read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiUser {
    id: String,
    nickname: String,
    email: Option<String>,
    display_name: String,
    roles: Roles,
    deactivated: bool,
    is_active: bool,
    local: bool,
    tags: Vec<String>,
    avatar: String,
    approval_pending: bool,
    is_approved: bool,
    confirmation_pending: bool,
    is_confirmed: bool,
    url: String,
    actor_type: String,
    registration_reason: Option<String>,
    /// ISO 8601.
    created_at: String,
}

/// The account's page: here for local accounts, on its instance for remote
/// ones (`name@host`).
pub fn profile_url(nickname: &str, base_url: &str) -> String {
    match nickname.split_once('@') {
        Some((name, host)) => format!("https://{host}/users/{name}"),
        None => format!("{base_url}/users/{nickname}"),
    }
}

/// `url` as clients on other origins need it: paths on this site get its base.
pub fn absolute(base_url: &str, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") { format!("{base_url}{url}") } else { url.to_owned() }
}

/// The account's picture, or the default one: Mastodon clients show a
/// broken image for an empty one.
pub fn avatar_url(avatar: &str, base_url: &str) -> String {
    if avatar.is_empty() { format!("{base_url}/assets/avatar.svg") } else { absolute(base_url, avatar) }
}

pub fn to_api(r: UserRow, tags: Vec<String>, base_url: &str) -> ApiUser {
    let created_at = time::OffsetDateTime::from_unix_timestamp(r.created_at)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    ApiUser {
        id: r.id.to_string(),
        url: profile_url(&r.nickname, base_url),
        roles: Roles { admin: r.is_admin, moderator: r.is_moderator },
        deactivated: !r.is_active,
        is_active: r.is_active,
        approval_pending: !r.is_approved,
        is_approved: r.is_approved,
        confirmation_pending: !r.is_confirmed,
        is_confirmed: r.is_confirmed,
        local: r.local,
        tags,
        avatar: avatar_url(&r.avatar, base_url),
        actor_type: r.actor_type,
        registration_reason: r.registration_reason,
        nickname: r.nickname,
        email: r.email,
        display_name: r.display_name,
        created_at,
    }
}

/// Rows with their tags (from one `tags_of` query) in API shape, in row order.
pub fn to_api_all(rows: Vec<UserRow>, mut tags: HashMap<i64, Vec<String>>, base_url: &str) -> Vec<ApiUser> {
    rows.into_iter()
        .map(|r| {
            let t = tags.remove(&r.id).unwrap_or_default();
            to_api(r, t, base_url)
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// Matching users: exact up to 1,000 (100 for a search on PostgreSQL), above
    /// that an estimate (see `count_estimated`).
    count: i64,
    /// True when `count` is an estimate: how densely the newest 1,001 matches
    /// sit in the id range, scaled to the whole range. Counting a million rows
    /// exactly on every call is what made this list slow; Pleroma's clients use
    /// `count` only to draw the pager.
    count_estimated: bool,
    page_size: i64,
    users: Vec<ApiUser>,
    /// Pass as `after` for the next page (keyset, any depth); null at the end.
    next_cursor: Option<String>,
}

struct ListParams {
    filter: UserFilter,
    page: i64,
    size: i64,
    after: Option<Cursor>,
}

/// ActivityPub actor types an account can have (Pleroma's list).
const ACTOR_TYPES: [&str; 5] = ["Person", "Service", "Application", "Group", "Organization"];

/// Pleroma's query: `query`, `filters=a,b` (ANDed), `tags[]` and
/// `actor_types[]` (repeatable, any of; admin-fe sends them unencoded),
/// `name` (substring, any case), `email` (exact), `page`, `page_size`; plus
/// `after` (a `next_cursor`). Blank values count as absent, except a blank
/// `page` or `page_size`, which is not a number.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    query: Option<String>,
    filters: String,
    #[serde(rename = "tags[]", alias = "tags")]
    tags: Vec<String>,
    #[serde(rename = "actor_types[]", alias = "actor_types")]
    actor_types: Vec<String>,
    name: Option<String>,
    email: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
    after: Option<String>,
}

impl TryFrom<ListQuery> for ListParams {
    type Error = AppError;

    fn try_from(q: ListQuery) -> Result<Self, AppError> {
        let mut filter = UserFilter {
            q: nonempty(&q.query),
            name: nonempty(&q.name),
            email: nonempty(&q.email),
            tags: q.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            actor_types: actor_types(&q.actor_types)?,
            ..Default::default()
        };
        apply_filters(&mut filter, &q.filters)?;
        let page = bounded("page", q.page, 1..=1_000_000, "page must be a whole number from 1 to 1000000")?;
        let size = bounded("page_size", q.page_size, 1..=500, "page_size must be 1 to 500")?;
        let after = nonempty(&q.after)
            .map(|v| Cursor::decode(&v).ok_or_else(|| AppError::validation("after", "after is not a valid cursor")))
            .transpose()?;
        Ok(ListParams { filter, page: page.unwrap_or(1), size: size.unwrap_or(50), after })
    }
}

/// `filters=local,active`: each one narrows the list.
fn apply_filters(filter: &mut UserFilter, filters: &str) -> Result<(), AppError> {
    for f in filters.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        match f {
            "local" => filter.origin = Some(Origin::Local),
            "external" => filter.origin = Some(Origin::External),
            "active" => filter.status = Some(Status::Active),
            "deactivated" => filter.status = Some(Status::Deactivated),
            "need_approval" => filter.status = Some(Status::Pending),
            "unconfirmed" => filter.status = Some(Status::Unconfirmed),
            "is_admin" => filter.role = Some(RoleFilter::Admin),
            "is_moderator" => filter.role = Some(RoleFilter::Moderator),
            other => return Err(AppError::validation("filters", format!("unknown filter {other:?}"))),
        }
    }
    Ok(())
}

/// The known actor types asked for, each once; blanks ignored.
fn actor_types(raw: &[String]) -> Result<Vec<String>, AppError> {
    let mut types: Vec<String> = Vec::new();
    for v in raw.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        if !ACTOR_TYPES.contains(&v) {
            let known = ACTOR_TYPES.join(", ");
            return Err(AppError::validation("actor_types[]", format!("unknown actor type {v:?}: use {known}")));
        }
        if !types.iter().any(|t| t == v) {
            types.push(v.to_owned());
        }
    }
    Ok(types)
}

/// A whole number in `range` when present (even blank), else 422 with `message`.
fn bounded(
    name: &str,
    v: Option<String>,
    range: std::ops::RangeInclusive<i64>,
    message: &str,
) -> Result<Option<i64>, AppError> {
    v.map(|s| s.trim().parse().ok().filter(|n| range.contains(n)).ok_or_else(|| AppError::validation(name, message)))
        .transpose()
}

/// Users, newest first (creation order), in Pleroma's shape.
#[utoipa::path(
    get,
    path = "/users",
    params(
        ("query" = Option<String>, Query, description = "Substring of nickname, email or display name"),
        ("filters" = Option<String>, Query, description = "Comma-separated: local, external, active, deactivated, need_approval, unconfirmed, is_admin, is_moderator (ANDed)"),
        ("tags[]" = Option<Vec<String>>, Query, description = "Any of these tags"),
        ("actor_types[]" = Option<Vec<String>>, Query, description = "Any of these actor types: Person, Service, Application, Group, Organization"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 1000000),
        ("page_size" = Option<i64>, Query, minimum = 1, maximum = 500, description = "Default 50"),
        ("after" = Option<String>, Query, description = "A next_cursor from an earlier page: keyset paging at any depth"),
    ),
    responses((status = 200, body = UserList),
        (status = 422, description = "A filter, actor type, page, page_size or after is invalid.")),
    tag = "users"
)]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    ApiHtmlQuery(query): ApiHtmlQuery<ListQuery>,
) -> Result<Json<UserList>, AppError> {
    let ListParams { filter, page, size, after } = query.try_into()?;
    let mut conn = state.db.conn().await?;
    let (count, count_estimated) = match users_list::count_or_estimate(conn.as_ref(), &filter, COUNT_CAP).await? {
        Count::Exact(n) => (n, false),
        Count::About(n) => (n, true),
    };
    let base = state.config.base_url();
    let (rows, tags, next) = match after {
        Some(cur) => {
            let p = users_list::list(conn.as_ref(), &filter, Sort::default(), &PageAt::After(cur), size).await?;
            (p.rows, p.tags, p.next)
        }
        None => {
            let (rows, tags) = users_list::offset_page(conn.as_ref(), &filter, page, size).await?;
            let next = (rows.len() as i64 == size).then(|| rows.last().map(|r| r.cursor(Sort::default()))).flatten();
            (rows, tags, next)
        }
    };
    let users = to_api_all(rows, tags, &base);
    Ok(Json(UserList { count, count_estimated, page_size: size, users, next_cursor: next.map(|c| c.encode()) }))
}

/// One user by id or nickname.
#[utoipa::path(get, path = "/users/{nickname_or_id}", params(("nickname_or_id" = String, Path)),
    responses((status = 200, body = ApiUser), (status = 404)), tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = %key), err(level = "info"))]
pub async fn show(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<ApiUser>, AppError> {
    let mut conn = state.db.conn().await?;
    let row = users_list::find(conn.as_ref(), &key).await?.ok_or(AppError::NotFound)?;
    let tags = users_list::tags_of(conn.as_ref(), &[row.id]).await?;
    to_api_all(vec![row], tags, &state.config.base_url()).pop().map(Json).ok_or(AppError::NotFound)
}

/// One user's chats (Pleroma's direct-message chats), which admin-fe's user
/// page lists. Steward stores no chats, so a known user has none.
#[utoipa::path(get, path = "/users/{nickname_or_id}/chats", params(("nickname_or_id" = String, Path)),
    responses((status = 200, body = Vec<serde_json::Value>, description = "Always empty: Steward keeps no chats."),
        (status = 404)), tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = %key), err(level = "info"))]
pub async fn chats(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<Vec<serde_json::Value>>, AppError> {
    let mut conn = state.db.conn().await?;
    users_list::find(conn.as_ref(), &key).await?.ok_or(AppError::NotFound)?;
    Ok(Json(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> Result<ListParams, AppError> {
        serde_html_form::from_str::<ListQuery>(query).unwrap().try_into()
    }

    fn param_of(query: &str) -> Option<String> {
        params(query).err().and_then(|e| e.param().map(str::to_owned))
    }

    #[test]
    fn repeated_keys_fill_lists_and_blanks_count_as_absent() {
        let p = params("tags[]=vip&tags[]=+&tags[]=beta&actor_types[]=Service&actor_types[]=Service&query=+&page=2")
            .unwrap();
        assert_eq!(p.filter.tags, ["vip", "beta"]);
        assert_eq!(p.filter.actor_types, ["Service"]);
        assert_eq!((p.filter.q, p.page, p.size), (None, 2, 50));
        assert_eq!(params("tags=vip").unwrap().filter.tags, ["vip"], "the [] suffix is optional");
    }

    #[test]
    fn out_of_range_or_unknown_values_name_their_parameter() {
        assert_eq!(param_of("page="), Some("page".into()));
        assert_eq!(param_of("page_size=501"), Some("page_size".into()));
        assert_eq!(param_of("actor_types[]=Robot"), Some("actor_types[]".into()));
        assert_eq!(param_of("filters=local,shiny"), Some("filters".into()));
        assert_eq!(param_of("after=%%%"), Some("after".into()));
    }
}
