//! `GET /moderation_log` in Pleroma's shape: `{items:[{id,data,time,message}],total}`.

use crate::server::rejections::ApiQuery;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::audit::{self, LogFilter, LogRow};

#[derive(Debug, Deserialize, IntoParams)]
pub struct LogParams {
    /// Page number (default 1).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    page: Option<String>,
    /// Entries per page (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    page_size: Option<String>,
    /// ISO 8601 date or datetime (UTC), inclusive.
    start_date: Option<String>,
    /// ISO 8601 date or datetime (UTC), inclusive.
    end_date: Option<String>,
    /// Only entries by this actor id.
    #[param(value_type = Option<i64>)]
    user_id: Option<String>,
    /// Substring of the message, case-insensitive.
    search: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogItem {
    id: i64,
    /// `{actor:{id,nickname}, action, subject_ids, …}` plus the entry's details.
    #[schema(value_type = Object)]
    data: serde_json::Value,
    /// Unix seconds.
    time: i64,
    message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogList {
    items: Vec<LogItem>,
    total: i64,
}

fn positive(name: &str, raw: &Option<String>, default: i64, max: i64) -> Result<i64, AppError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| AppError::validation(name, format!("{name} must be a whole number from 1 to {max}"))),
    }
}

/// Accepts `2005-08-09T18:31:42`, RFC 3339, or a plain date.
fn instant(name: &str, raw: &Option<String>, end_of_day: bool) -> Result<Option<i64>, AppError> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let Some(s) = raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(Some(t.unix_timestamp()));
    }
    if let Ok(t) =
        time::PrimitiveDateTime::parse(s, format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"))
    {
        return Ok(Some(t.assume_utc().unix_timestamp()));
    }
    crate::domain::query::parse_day(s, end_of_day).map(Some).ok_or_else(|| {
        AppError::validation(name, format!("{name} must be an ISO 8601 date or datetime, like 2005-08-09T18:31:42"))
    })
}

fn to_item(r: LogRow) -> LogItem {
    let mut data: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&r.data).unwrap_or_default();
    let subjects: serde_json::Value = serde_json::from_str(&r.subject_ids).unwrap_or_default();
    data.insert(
        "actor".into(),
        serde_json::json!({ "id": r.actor_id.map(|i| i.to_string()), "nickname": r.actor_nickname, "type": "user" }),
    );
    data.insert("action".into(), r.action.into());
    // admin-fe links "#id" in a report entry's message to the report.
    if let Some(id) = data.get("report_id").and_then(serde_json::Value::as_i64) {
        data.insert("subject".into(), serde_json::json!({ "type": "report", "id": id.to_string() }));
    }
    data.insert(
        "subject_ids".into(),
        serde_json::Value::Array(subjects.as_array().into_iter().flatten().map(|v| v.to_string().into()).collect()),
    );
    LogItem { id: r.id, data: data.into(), time: r.created_at, message: r.message }
}

/// The moderation log, newest first.
#[utoipa::path(
    get,
    path = "/moderation_log",
    params(LogParams),
    responses(
        (status = 200, body = LogList),
        (status = 403, description = "Admins only."),
        (status = 422, description = "A parameter is invalid; `meta.param` names it."),
    ),
    tag = "moderation log"
)]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiQuery(p): ApiQuery<LogParams>,
) -> Result<Json<LogList>, AppError> {
    let page = positive("page", &p.page, 1, 1_000_000)?;
    let size = positive("page_size", &p.page_size, 50, 500)?;
    let actor_id = match p.user_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(s.parse::<i64>().map_err(|_| AppError::validation("user_id", "user_id must be a user id"))?),
    };
    let filter = LogFilter {
        actor_id,
        from: instant("start_date", &p.start_date, false)?,
        to: instant("end_date", &p.end_date, true)?,
        search: p.search.filter(|s| !s.trim().is_empty()),
        ..Default::default()
    };
    let mut conn = state.db.conn().await?;
    let (rows, total) = audit::numbered(conn.as_ref(), &filter, page, size).await?;
    Ok(Json(LogList { items: rows.into_iter().map(to_item).collect(), total }))
}
