//! `GET /users/export.csv?…`: every user matching the list's filters, in its
//! sort order, streamed. Rows are read in keyset batches (each a short query
//! on a pooled connection), so memory stays flat and no connection or lock is
//! held for the whole download, whether it has ten rows or a million.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use http::header;

use super::server::{UsersQuery, parse};
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::users_list::{self, PageAt, Sort, UserFilter, UserRow};
use crate::server::storage::{Db, audit, now};

/// Rows per query and per chunk of the response.
const BATCH: i64 = 1_000;

const HEADER: [&str; 13] = [
    "id",
    "nickname",
    "email",
    "display_name",
    "role",
    "local",
    "active",
    "approved",
    "confirmed",
    "tags",
    "created_at",
    "last_active_at",
    "actor_type",
];

fn iso(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// A spreadsheet must not run user-written text as a formula (OWASP "CSV
/// injection"): such cells get a leading apostrophe.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

fn write_rows(
    rows: &[UserRow],
    tags: &mut std::collections::HashMap<i64, Vec<String>>,
    header: bool,
) -> Result<Bytes, AppError> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 160));
    let fail = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    if header {
        w.write_record(HEADER).map_err(fail)?;
    }
    for r in rows {
        let role = crate::domain::Role::from_flags(r.is_admin, r.is_moderator).map(|r| r.label()).unwrap_or("");
        let t = tags.remove(&r.id).unwrap_or_default().join(" ");
        w.write_record([
            r.id.to_string(),
            cell(&r.nickname),
            cell(r.email.as_deref().unwrap_or("")),
            cell(&r.display_name),
            role.to_owned(),
            r.local.to_string(),
            r.is_active.to_string(),
            r.is_approved.to_string(),
            r.is_confirmed.to_string(),
            cell(&t),
            iso(r.created_at),
            r.last_active_at.map(iso).unwrap_or_default(),
            r.actor_type.clone(),
        ])
        .map_err(fail)?;
    }
    w.into_inner().map(Bytes::from).map_err(|e| AppError::Internal(format!("csv: {e}")))
}

/// Where the stream is: the next page position, or done.
struct Cursor {
    db: Db,
    filter: UserFilter,
    sort: Sort,
    at: Option<PageAt>,
    first: bool,
}

async fn next_chunk(mut c: Cursor) -> Result<Option<(Bytes, Cursor)>, AppError> {
    let Some(at) = c.at.take() else { return Ok(None) };
    let mut conn = c.db.conn().await?;
    let mut page = users_list::list(conn.as_ref(), &c.filter, c.sort, &at, BATCH).await?;
    drop(conn);
    let bytes = write_rows(&page.rows, &mut page.tags, c.first)?;
    c.first = false;
    c.at = page.next.map(PageAt::After);
    Ok(Some((bytes, c)))
}

/// Admins only (a bulk copy of personal data), and logged with its filter.
pub async fn download(
    State(state): State<AppState>,
    ctx: AdminCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = UsersQuery::from_query_string(raw.as_deref().unwrap_or_default()).without_position();
    let p = parse::parse(&query);
    let filter_text = query.query_string(None, None);
    let actor = ctx.staff();
    let mut tx = state.db.begin().await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: actor.into(),
            action: "user.export",
            subject_users: &[],
            data: serde_json::json!({ "query": filter_text }),
            message: if filter_text.is_empty() {
                format!("@{} exported all users as CSV", actor.nickname)
            } else {
                format!("@{} exported users matching {filter_text} as CSV", actor.nickname)
            },
        },
    )
    .await?;
    tx.commit().await?;
    let start = Cursor { db: state.db.clone(), filter: p.filter, sort: p.sort, at: Some(PageAt::First), first: true };
    // The first batch runs before answering, so a failure is a proper error
    // response rather than a truncated download.
    let Some((first, rest)) = next_chunk(start).await? else { return Err(AppError::NotFound) };
    let tail = futures_util::stream::try_unfold(rest, |c| async move {
        next_chunk(c).await.map_err(|e| {
            e.log();
            std::io::Error::other("export interrupted")
        })
    });
    let body = futures_util::stream::once(async { Ok::<_, std::io::Error>(first) });
    let body = futures_util::StreamExt::chain(body, tail);
    let day = time::OffsetDateTime::from_unix_timestamp(now()).map(|t| t.date().to_string()).unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"users-{day}.csv\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
