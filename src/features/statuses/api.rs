//! Statuses: the latest (all, one account's, one instance's), change one,
//! delete one, and `/stats`. Moderators may use these; `godmode` (private and
//! direct statuses) is admin-only and every such request is logged.

use crate::server::rejections::{ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::content::{ApiStatus, Shapes};
use crate::api::extract::ApiJson;
use crate::api::extract::number;
use crate::auth::{AdminCtx, ModeratorCtx};
use crate::domain::Visibility;
use crate::error::AppError;
use crate::features::statuses::service::{self, StatusAction};
use crate::server::state::AppState;
use crate::server::storage::statuses::{self, Origin, Start, StatusFilter};
use crate::server::storage::users_list;
use crate::server::storage::{LockTable, lock_rows};

/// Query of the status lists. Booleans are `true`/`false` as Pleroma sends them.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    page_size: Option<String>,
    /// Only statuses of local accounts.
    #[param(value_type = Option<bool>)]
    local_only: Option<String>,
    /// Include private and direct statuses (admins only; logged).
    #[param(value_type = Option<bool>)]
    godmode: Option<String>,
    /// Include reblogs.
    #[param(value_type = Option<bool>)]
    with_reblogs: Option<String>,
    /// Statuses older than this id (keyset paging; wins over `page`).
    #[param(value_type = Option<i64>)]
    max_id: Option<String>,
    /// Page number, from 1 (Pleroma's paging).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 10000)]
    page: Option<String>,
}

fn flag(name: &str, v: &Option<String>) -> Result<bool, AppError> {
    match v.as_deref().map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(AppError::validation(name, format!("{name} must be true or false"))),
    }
}

struct Parsed {
    filter: StatusFilter,
    size: i64,
    start: Start,
    /// Asked for private and direct statuses too (admins only).
    godmode: bool,
}

fn parse(q: &ListQuery) -> Result<Parsed, AppError> {
    let size = match q.page_size.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 20,
        Some(s) => s
            .parse()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| AppError::validation("page_size", "page_size must be 1 to 100"))?,
    };
    let before = match q.max_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(s.parse().map_err(|_| AppError::validation("max_id", "max_id must be a status id"))?),
    };
    let page = number("page", q.page.as_deref(), 1..=10_000)?.unwrap_or(1);
    let start = if before.is_some() { Start::Before(before) } else { Start::Skip((page - 1) * size) };
    let filter = StatusFilter {
        local_only: flag("local_only", &q.local_only)?,
        with_reblogs: flag("with_reblogs", &q.with_reblogs)?,
        ..Default::default()
    };
    Ok(Parsed { filter, size, start, godmode: flag("godmode", &q.godmode)? })
}

/// Lists statuses, with their total when `counted`; godmode needs an admin
/// and is logged with `scope`.
async fn list_for(
    s: &AppState,
    admin: Option<AdminCtx>,
    mut p: Parsed,
    scope: String,
    counted: bool,
) -> Result<(Vec<ApiStatus>, Option<i64>), AppError> {
    if p.godmode {
        let admin = admin.ok_or(AppError::Forbidden)?;
        service::log_godmode(&s.db, &admin, &scope).await?;
        p.filter.godmode = Some(admin.godmode());
    }
    let mut conn = s.db.conn().await?;
    let (rows, _) = statuses::list(conn.as_ref(), &p.filter, p.start, p.size).await?;
    let total = if counted { Some(statuses::count(conn.as_ref(), &p.filter).await?) } else { None };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let shapes = Shapes::load(conn.as_ref(), s.config.base_url(), &[], rows).await?;
    Ok((shapes.statuses(&ids), total))
}

/// The latest statuses, newest first.
#[utoipa::path(get, path = "/statuses", params(ListQuery),
    responses((status = 200, body = Vec<ApiStatus>), (status = 403, description = "godmode needs an admin."),
        (status = 422)), tag = "statuses")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    admin: Option<AdminCtx>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ApiStatus>>, AppError> {
    let p = parse(&q)?;
    Ok(Json(list_for(&s, admin, p, "all statuses".into(), false).await?.0))
}

/// A page of one account's statuses and how many there are in all.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusPage {
    total: i64,
    activities: Vec<ApiStatus>,
}

/// One account's latest statuses (by nickname or id), as Pleroma answers
/// them and admin-fe's user page reads them: `{total, activities}`.
#[utoipa::path(get, path = "/users/{nickname}/statuses", params(("nickname" = String, Path), ListQuery),
    responses((status = 200, body = StatusPage), (status = 403, description = "godmode needs an admin."),
        (status = 404), (status = 422)),
    tag = "statuses")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = %key), err(level = "info"))]
pub async fn of_user(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    admin: Option<AdminCtx>,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<StatusPage>, AppError> {
    let mut p = parse(&q)?;
    let mut conn = s.db.conn().await?;
    let user = users_list::find(conn.as_ref(), &key).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    p.filter.account_id = Some(user.id);
    let (activities, total) = list_for(&s, admin, p, format!("@{}", user.nickname), true).await?;
    Ok(Json(StatusPage { total: total.unwrap_or_default(), activities }))
}

/// One instance's latest statuses (remote accounts `name@host`). A bare
/// array: Pleroma answers `{total, activities}` here, but admin-fe, the
/// client this serves, reads an array (`statuses.data.length`).
#[utoipa::path(get, path = "/instances/{host}/statuses", params(("host" = String, Path), ListQuery),
    responses((status = 200, body = Vec<ApiStatus>), (status = 403, description = "godmode needs an admin."),
        (status = 404),
        (status = 422, description = "host is not a domain name, or a query parameter is invalid.")),
    tag = "statuses")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, host = %host), err(level = "info"))]
pub async fn of_instance(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    admin: Option<AdminCtx>,
    ApiPath(host): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<ApiStatus>>, AppError> {
    let host = host_param(&host)?;
    let mut p = parse(&q)?;
    p.filter.host = Some(host.clone());
    Ok(Json(list_for(&s, admin, p, format!("instance {host}"), false).await?.0))
}

/// Whether `host` names this instance: admin-fe asks for the local statuses
/// with the address it signed in at, host and port (`127.0.0.1:3000`).
fn is_own_host(s: &AppState, host: &str) -> bool {
    let Ok(base) = url::Url::parse(&s.config.base_url()) else { return false };
    let name = base.host_str().unwrap_or_default().to_lowercase();
    host == name || base.port().is_some_and(|port| host == format!("{name}:{port}"))
}

/// An instance's host, lowercased; refused unless it looks like a domain.
fn host_param(host: &str) -> Result<String, AppError> {
    let host = host.trim().to_lowercase();
    if host.is_empty() || !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':')) {
        return Err(AppError::validation("host", "host must be a domain name such as example.org"));
    }
    Ok(host)
}

async fn one(s: &AppState, id: i64) -> Result<ApiStatus, AppError> {
    let mut conn = s.db.conn().await?;
    let row = statuses::find(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    let shapes = Shapes::load(conn.as_ref(), s.config.base_url(), &[], vec![row]).await?;
    shapes.status(id).ok_or(AppError::NotFound)
}

/// One status, deleted or not (private ones only for admins).
#[utoipa::path(get, path = "/statuses/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ApiStatus), (status = 404)), tag = "statuses")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, status = id), err(level = "info"))]
pub async fn show(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    admin: Option<AdminCtx>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApiStatus>, AppError> {
    let status = one(&s, id).await?;
    let private = Visibility::parse(&status.visibility).is_some_and(Visibility::is_private);
    if private && admin.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(Json(status))
}

/// `sensitive` as a boolean or the strings "true"/"false" (Pleroma accepts both).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Loose {
    Bool(bool),
    Text(String),
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    sensitive: Option<Loose>,
    #[schema(value_type = Option<crate::api::docs::SettableVisibility>)]
    visibility: Option<String>,
}

/// Marks a status (not) sensitive and/or changes its visibility; logged.
#[utoipa::path(put, path = "/statuses/{id}", params(("id" = i64, Path)), request_body = StatusChange,
    responses((status = 200, body = ApiStatus), (status = 404), (status = 422)), tag = "statuses")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, status = id), err(level = "info"))]
pub async fn update(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StatusChange>,
) -> Result<Json<ApiStatus>, AppError> {
    let sensitive = match b.sensitive {
        None => None,
        Some(Loose::Bool(v)) => Some(v),
        Some(Loose::Text(t)) => match t.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => return Err(AppError::validation("sensitive", "sensitive must be true or false")),
        },
    };
    let visibility = match b.visibility.as_deref() {
        None => None,
        Some(v) => Some(Visibility::parse(v).filter(|v| *v != Visibility::Direct).ok_or_else(|| {
            AppError::validation("visibility", "Unsupported visibility: use public, unlisted or private")
        })?),
    };
    if sensitive.is_none() && visibility.is_none() {
        return Err(AppError::validation("sensitive", "send sensitive and/or visibility"));
    }
    let mut tx = s.db.begin().await?;
    // Locked before it is read: two moderators making the same change at once
    // must apply and log it once (on PostgreSQL both would otherwise read the
    // status as it was and each log the change).
    lock_rows(tx.conn(), LockTable::Statuses, &[id]).await?;
    let Some(now) = statuses::find(tx.conn(), id).await?.filter(|st| st.deleted_at.is_none()) else {
        return Err(AppError::NotFound);
    };
    // admin-fe sends both fields on every change: only a real change is
    // applied and logged.
    if let Some(v) = sensitive.filter(|v| *v != now.sensitive) {
        service::apply_in(tx.conn(), &ctx, StatusAction::Sensitive(v), &[id]).await?;
    }
    if let Some(v) = visibility.filter(|v| *v != now.visibility()) {
        service::apply_in(tx.conn(), &ctx, StatusAction::Visibility(v), &[id]).await?;
    }
    tx.commit().await?;
    Ok(Json(one(&s, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Empty {}

/// Deletes a status (it stays visible, marked deleted, in its reports); logged.
#[utoipa::path(delete, path = "/statuses/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Empty), (status = 404)), tag = "statuses")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, status = id), err(level = "info"))]
pub async fn delete(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Empty>, AppError> {
    let mut conn = s.db.conn().await?;
    let found = statuses::find(conn.as_ref(), id).await?;
    drop(conn);
    if found.is_none_or(|st| st.deleted_at.is_some()) {
        return Err(AppError::NotFound);
    }
    service::apply(&s.db, &ctx, StatusAction::Delete, &[id]).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusVisibility {
    public: i64,
    unlisted: i64,
    private: i64,
    direct: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    status_visibility: StatusVisibility,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Only statuses of this instance's accounts.
    instance: Option<String>,
}

/// Live statuses per visibility, of every account or of one instance's.
#[utoipa::path(get, path = "/stats", params(StatsQuery), responses((status = 200, body = Stats),
    (status = 422, description = "instance is not a domain name.")), tag = "statuses")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn stats(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<Stats>, AppError> {
    let host = q.instance.as_deref().filter(|h| !h.trim().is_empty()).map(host_param).transpose()?;
    let mut conn = s.db.conn().await?;
    let rows = match host {
        Some(h) if is_own_host(&s, &h) => statuses::count_by_visibility_on(conn.as_ref(), Origin::Local).await?,
        Some(h) => statuses::count_by_visibility_on(conn.as_ref(), Origin::Host(&h)).await?,
        None => statuses::count_by_visibility(conn.as_ref()).await?,
    };
    let n = |v: &str| rows.iter().find(|(k, _)| k == v).map_or(0, |r| r.1);
    Ok(Json(Stats {
        status_visibility: StatusVisibility {
            public: n("public"),
            unlisted: n("unlisted"),
            private: n("private"),
            direct: n("direct"),
        },
    }))
}
