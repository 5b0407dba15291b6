//! Reports in Pleroma's shapes: list, grouped by status, one by id, batch
//! state changes (all or nothing), notes. Moderators may use all of these.

use std::collections::HashMap;

use crate::server::rejections::{ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::content::{ApiAccount, ApiActor, ApiStatus, Shapes, iso, remote_actor};
use crate::api::extract::ApiJson;
use crate::api::extract::number;
use crate::auth::ModeratorCtx;
use crate::domain::ReportState;
use crate::error::{AppError, ItemError};
use crate::features::reports::service;
use crate::server::state::AppState;
use crate::server::storage::reports::{self, NoteRow, ReportFilter, ReportRow};
use crate::server::storage::{ConnRef, statuses};

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteUser {
    id: Option<String>,
    nickname: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiNote {
    id: String,
    user_id: Option<String>,
    content: String,
    created_at: String,
    user: NoteUser,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiReport {
    id: String,
    state: String,
    /// The reporter's comment.
    content: String,
    created_at: String,
    updated_at: String,
    /// The reported account.
    account: Option<ApiAccount>,
    /// Who reported: an account here, else the remote instance or an
    /// anonymous reporter (never null).
    actor: ApiActor,
    assigned_account: Option<ApiAccount>,
    statuses: Vec<ApiStatus>,
    notes: Vec<ApiNote>,
}

fn note(n: NoteRow) -> ApiNote {
    ApiNote {
        id: n.id.to_string(),
        user_id: n.author_id.map(|i| i.to_string()),
        content: n.content,
        created_at: iso(n.created_at),
        user: NoteUser { id: n.author_id.map(|i| i.to_string()), nickname: n.author_nickname },
    }
}

/// Everything the given reports embed, loaded with a fixed number of queries.
struct Loaded {
    shapes: Shapes,
    statuses: HashMap<i64, Vec<i64>>,
    notes: HashMap<i64, Vec<NoteRow>>,
}

async fn load(mut c: ConnRef<'_>, base: String, rows: &[ReportRow]) -> Result<Loaded, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let linked = reports::statuses_of(c.reborrow(), &ids).await?;
    let mut sids: Vec<i64> = linked.values().flatten().copied().collect();
    sids.sort_unstable();
    sids.dedup();
    let status_rows = statuses::by_ids(c.reborrow(), &sids).await?;
    let users: Vec<i64> =
        rows.iter().flat_map(|r| [Some(r.account_id), r.reporter_id, r.assignee_id]).flatten().collect();
    let shapes = Shapes::load(c.reborrow(), base, &users, status_rows).await?;
    let notes = reports::notes_of(c.reborrow(), &ids).await?;
    Ok(Loaded { shapes, statuses: linked, notes })
}

impl Loaded {
    fn report(&mut self, r: &ReportRow) -> ApiReport {
        let sids = self.statuses.get(&r.id).cloned().unwrap_or_default();
        ApiReport {
            id: r.id.to_string(),
            state: r.state.clone(),
            content: r.comment.clone(),
            created_at: iso(r.created_at),
            updated_at: iso(r.updated_at),
            account: self.shapes.account(r.account_id),
            actor: match r.reporter_id.and_then(|i| self.shapes.account(i)) {
                Some(a) => ApiActor::Account(Box::new(a)),
                None => ApiActor::Remote(remote_actor(r.uri.as_deref())),
            },
            assigned_account: r.assignee_id.and_then(|i| self.shapes.account(i)),
            statuses: self.shapes.statuses(&sids),
            notes: self.notes.remove(&r.id).unwrap_or_default().into_iter().map(note).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<crate::api::docs::ReportState>)]
    state: Option<String>,
    /// Page size (Pleroma's older name for page_size).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    page: Option<String>,
    /// Default 50.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    page_size: Option<String>,
}

fn state_param(v: Option<&str>) -> Result<Option<ReportState>, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => ReportState::parse(s)
            .map(Some)
            .ok_or_else(|| AppError::validation("state", "state must be open, resolved or closed")),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    total: i64,
    /// The same number under the name Pleroma's documentation uses.
    #[serde(rename = "totalReports")]
    total_reports: i64,
    reports: Vec<ApiReport>,
}

/// Reports, newest first.
#[utoipa::path(get, path = "/reports", params(ListQuery),
    responses((status = 200, body = ReportList),
        (status = 422, description = "state, page, page_size or limit is invalid.")),
    tag = "reports")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn list(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ReportList>, AppError> {
    let filter = ReportFilter { state: state_param(q.state.as_deref())?, ..Default::default() };
    let size = number("page_size", q.page_size.as_deref(), 1..=200)?
        .or(number("limit", q.limit.as_deref(), 1..=200)?)
        .unwrap_or(50);
    let page = number("page", q.page.as_deref(), 1..=1_000_000)?.unwrap_or(1);
    let mut conn = s.db.conn().await?;
    let (rows, total) = reports::numbered(conn.as_ref(), &filter, page, size).await?;
    let mut loaded = load(conn.as_ref(), s.config.base_url(), &rows).await?;
    let reports = rows.iter().map(|r| loaded.report(r)).collect();
    Ok(Json(ReportList { total, total_reports: total, reports }))
}

/// One report.
#[utoipa::path(get, path = "/reports/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ApiReport), (status = 404)), tag = "reports")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, report = id), err(level = "info"))]
pub async fn show(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApiReport>, AppError> {
    let mut conn = s.db.conn().await?;
    let row = reports::find(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    let mut loaded = load(conn.as_ref(), s.config.base_url(), std::slice::from_ref(&row)).await?;
    Ok(Json(loaded.report(&row)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportGroup {
    /// When the latest report in the group was made.
    date: String,
    account: Option<ApiAccount>,
    status: Option<ApiStatus>,
    actors: Vec<ApiAccount>,
    reports: Vec<ApiReport>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupedReports {
    reports: Vec<ReportGroup>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupedQuery {
    /// All states if absent.
    #[param(value_type = Option<crate::api::docs::ReportState>)]
    state: Option<String>,
    /// Groups per response, default 50 (latest first).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    page_size: Option<String>,
}

/// Reports grouped by the status they name, the most recently reported first.
#[utoipa::path(get, path = "/grouped_reports", params(GroupedQuery),
    responses((status = 200, body = GroupedReports), (status = 422, description = "state or page_size is invalid.")),
    tag = "reports")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn grouped(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiQuery(q): ApiQuery<GroupedQuery>,
) -> Result<Json<GroupedReports>, AppError> {
    let state = state_param(q.state.as_deref())?;
    let size = number("page_size", q.page_size.as_deref(), 1..=200)?.unwrap_or(50);
    let mut conn = s.db.conn().await?;
    let (groups, _) = reports::grouped(conn.as_ref(), state, None, size).await?;
    let sids: Vec<i64> = groups.iter().map(|g| g.status_id).collect();
    let naming = reports::reports_naming(conn.as_ref(), &sids, state).await?;
    let mut rids: Vec<i64> = naming.values().flatten().copied().collect();
    rids.sort_unstable();
    rids.dedup();
    let rows = reports::by_ids(conn.as_ref(), &rids).await?;
    let mut loaded = load(conn.as_ref(), s.config.base_url(), &rows).await?;
    let by_id: HashMap<i64, &ReportRow> = rows.iter().map(|r| (r.id, r)).collect();
    let out = groups
        .iter()
        .map(|g| {
            let members: Vec<&ReportRow> =
                naming.get(&g.status_id).into_iter().flatten().filter_map(|id| by_id.get(id).copied()).collect();
            let status = loaded.shapes.status(g.status_id);
            let mut actors: Vec<ApiAccount> = Vec::new();
            let mut seen = Vec::new();
            for r in &members {
                if let Some(a) = r.reporter_id.filter(|a| !seen.contains(a)) {
                    seen.push(a);
                    actors.extend(loaded.shapes.account(a));
                }
            }
            ReportGroup {
                date: iso(g.latest_at),
                account: members.first().and_then(|r| loaded.shapes.account(r.account_id)),
                status,
                actors,
                reports: members.iter().map(|r| loaded.report(r)).collect(),
            }
        })
        .collect();
    Ok(Json(GroupedReports { reports: out }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StateChanges {
    /// Read item by item, so that each bad one is named.
    #[schema(value_type = Vec<ReportChange>, min_items = 1, max_items = 1000)]
    reports: Vec<serde_json::Value>,
}

#[allow(dead_code)] // the document's view of a `reports` item
#[derive(ToSchema)]
pub struct ReportChange {
    /// A report id (a number or a numeric string).
    id: String,
    state: crate::api::docs::ReportState,
}

/// Reads `[{id, state}]`, one error per bad item.
fn parse_changes(items: &[serde_json::Value]) -> Result<Vec<(i64, ReportState)>, AppError> {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let raw_id = item.get("id");
        let id = raw_id.and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())));
        let label = raw_id.map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()));
        let label = label.unwrap_or_else(|| format!("item {i}"));
        let state = item.get("state").and_then(|v| v.as_str()).and_then(ReportState::parse);
        match (id, state) {
            (Some(id), Some(state)) => ok.push((id, state)),
            (None, _) => bad.push(ItemError { id: label, message: "id must be a report id".into() }),
            (Some(_), None) => {
                bad.push(ItemError { id: label, message: "state must be open, resolved or closed".into() })
            }
        }
    }
    if !bad.is_empty() {
        return Err(AppError::Items(bad));
    }
    Ok(ok)
}

/// Changes the state of one or more reports: all or nothing (422 with one
/// error per bad item, `meta.id` naming it); 204 when all applied.
#[utoipa::path(patch, path = "/reports", request_body = StateChanges,
    responses((status = 204),
        (status = 422, description = "Nothing applied: one error per bad item, `meta.id` naming it.")),
    tag = "reports")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, reports = b.reports.len()), err(level = "info"))]
pub async fn change(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiJson(b): ApiJson<StateChanges>,
) -> Result<StatusCode, AppError> {
    let changes = parse_changes(&b.reports)?;
    service::change_states(&s.db, &ctx, &changes, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewNote {
    #[schema(min_length = 1, max_length = 5000)]
    content: String,
}

/// Adds a note to a report.
#[utoipa::path(post, path = "/reports/{id}/notes", params(("id" = i64, Path)), request_body = NewNote,
    responses((status = 204), (status = 404),
        (status = 422, description = "The note is empty or too long.")), tag = "reports")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, report = id), err(level = "info"))]
pub async fn add_note(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NewNote>,
) -> Result<StatusCode, AppError> {
    service::add_note(&s.db, &ctx, id, &b.content).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a note (its author, or an admin).
#[utoipa::path(delete, path = "/reports/{report_id}/notes/{id}", params(("report_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 403, description = "Only the note's author or an admin may delete it."),
        (status = 404)),
    tag = "reports")]
#[tracing::instrument(
    skip_all,
    fields(actor = %ctx.staff().nickname, report = report_id, note = id),
    err(level = "info")
)]
pub async fn delete_note(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiPath((report_id, id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    service::delete_note(&s.db, &ctx, report_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_item_is_named() {
        let items = vec![
            serde_json::json!({"id": "3", "state": "resolved"}),
            serde_json::json!({"id": "4", "state": "done"}),
            serde_json::json!({"state": "closed"}),
        ];
        let Err(AppError::Items(errs)) = parse_changes(&items) else { panic!("expected item errors") };
        assert_eq!(errs.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), vec!["4", "item 2"]);
        assert_eq!(parse_changes(&items[..1]).unwrap(), vec![(3, ReportState::Resolved)]);
    }
}
