//! Content intake under `/api/v1/intake`: the community software posts the
//! statuses and reports Steward moderates. Intake-scoped tokens only (admin
//! tokens are refused, and intake tokens never reach the admin API). A
//! repeated `uri` returns the stored id instead of a duplicate, so senders
//! can retry safely.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::extract::ApiJson;
use crate::auth::IntakeCtx;
use crate::domain::Visibility;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::reports::{self, NewReport};
use crate::server::storage::statuses::{self, NewStatus};
use crate::server::storage::{now, users_list};

const CONTENT_MAX: usize = 100_000;
const MEDIA_MAX: usize = 16;
const COMMENT_MAX: usize = 5_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeMedia {
    #[serde(rename = "type")]
    #[schema(value_type = crate::api::docs::MediaType)]
    kind: String,
    /// An http(s) URL, or a path on this server.
    #[schema(max_length = 2000)]
    url: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeStatus {
    /// The author's nickname (`name` or `name@host`); the account must exist.
    account: String,
    /// The sender's id for the status; repeats return the stored one.
    uri: Option<String>,
    /// HTML; sanitized whenever it is shown.
    #[serde(default)]
    #[schema(max_length = 100000)]
    content: String,
    #[serde(default)]
    spoiler_text: String,
    /// Public if absent.
    #[schema(value_type = Option<crate::api::docs::Visibility>)]
    visibility: Option<String>,
    #[serde(default)]
    sensitive: bool,
    /// RFC 3339; now if absent.
    #[schema(format = DateTime)]
    created_at: Option<String>,
    /// The id of the status this one reblogs.
    reblog_of: Option<i64>,
    #[serde(default)]
    #[schema(max_items = 16)]
    media_attachments: Vec<IntakeMedia>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stored {
    id: String,
    /// True when `uri` was already stored and nothing new was written.
    duplicate: bool,
}

fn parse_time(v: Option<&str>) -> Result<i64, AppError> {
    match v {
        None => Ok(now()),
        Some(s) => time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map(|t| t.unix_timestamp())
            .map_err(|_| AppError::validation("created_at", "created_at must be an RFC 3339 time")),
    }
}

fn media_url_ok(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://") || (u.starts_with('/') && !u.starts_with("//")))
        && u.len() <= 2_000
}

/// Stores a status.
#[utoipa::path(post, path = "/statuses", request_body = IntakeStatus,
    responses((status = 201, body = Stored),
        (status = 200, body = Stored, description = "Already stored under this uri."),
        (status = 403, description = "Intake-scoped tokens only."),
        (status = 422, description = "A field is invalid or names an unknown account or status.")), tag = "intake")]
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn status(
    State(s): State<AppState>,
    _ctx: IntakeCtx,
    ApiJson(b): ApiJson<IntakeStatus>,
) -> Result<(StatusCode, Json<Stored>), AppError> {
    let visibility = match b.visibility.as_deref() {
        None => Visibility::Public,
        Some(v) => Visibility::parse(v).ok_or_else(|| {
            AppError::validation("visibility", "visibility must be public, unlisted, private or direct")
        })?,
    };
    if b.content.chars().count() > CONTENT_MAX {
        return Err(AppError::validation("content", format!("content is at most {CONTENT_MAX} characters")));
    }
    if b.media_attachments.len() > MEDIA_MAX {
        return Err(AppError::validation("media_attachments", format!("at most {MEDIA_MAX} attachments")));
    }
    let mut media = Vec::with_capacity(b.media_attachments.len());
    for m in &b.media_attachments {
        if !matches!(m.kind.as_str(), "image" | "gifv" | "video" | "audio" | "unknown") {
            return Err(AppError::validation("media_attachments", "type must be image, gifv, video, audio or unknown"));
        }
        if !media_url_ok(&m.url) {
            return Err(AppError::validation(
                "media_attachments",
                "url must be an http(s) URL or a path on this server",
            ));
        }
        media.push((m.kind.clone(), m.url.clone(), m.description.chars().take(1_500).collect()));
    }
    let created_at = parse_time(b.created_at.as_deref())?;
    let mut tx = s.db.begin().await?;
    if let Some(uri) = &b.uri
        && let Some(id) = statuses::id_by_uri(tx.conn(), uri).await?
    {
        return Ok((StatusCode::OK, Json(Stored { id: id.to_string(), duplicate: true })));
    }
    let account = users_list::find(tx.conn(), &b.account)
        .await?
        .ok_or_else(|| AppError::validation("account", format!("no account named {:?}", b.account)))?;
    if let Some(r) = b.reblog_of
        && statuses::find(tx.conn(), r).await?.is_none()
    {
        return Err(AppError::validation("reblog_of", format!("status {r} does not exist")));
    }
    let id = statuses::insert(
        tx.conn(),
        &NewStatus {
            account_id: account.id,
            uri: b.uri.as_deref(),
            content: &b.content,
            spoiler_text: &b.spoiler_text,
            visibility,
            sensitive: b.sensitive,
            local: account.local,
            reblog_of_id: b.reblog_of,
            created_at,
            media: &media,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Stored { id: id.to_string(), duplicate: false })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeReport {
    /// The reported account's nickname.
    account: String,
    /// Who reported; absent for anonymous or remote reports.
    reporter: Option<String>,
    /// Statuses of the reported account this report names.
    #[serde(default)]
    status_ids: Vec<i64>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    comment: String,
    uri: Option<String>,
}

/// Stores a report (open).
#[utoipa::path(post, path = "/reports", request_body = IntakeReport,
    responses((status = 201, body = Stored),
        (status = 200, body = Stored, description = "Already stored under this uri."),
        (status = 403, description = "Intake-scoped tokens only."),
        (status = 422, description = "A field is invalid or names an unknown account or status.")), tag = "intake")]
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn report(
    State(s): State<AppState>,
    _ctx: IntakeCtx,
    ApiJson(b): ApiJson<IntakeReport>,
) -> Result<(StatusCode, Json<Stored>), AppError> {
    if b.comment.chars().count() > COMMENT_MAX {
        return Err(AppError::validation("comment", format!("comment is at most {COMMENT_MAX} characters")));
    }
    let mut tx = s.db.begin().await?;
    if let Some(uri) = &b.uri
        && let Some(id) = reports::id_by_uri(tx.conn(), uri).await?
    {
        return Ok((StatusCode::OK, Json(Stored { id: id.to_string(), duplicate: true })));
    }
    let account = users_list::find(tx.conn(), &b.account)
        .await?
        .ok_or_else(|| AppError::validation("account", format!("no account named {:?}", b.account)))?;
    let reporter = match &b.reporter {
        None => None,
        Some(n) => Some(
            users_list::find(tx.conn(), n)
                .await?
                .ok_or_else(|| AppError::validation("reporter", format!("no account named {n:?}")))?
                .id,
        ),
    };
    let mut ids = b.status_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    let found = statuses::by_ids(tx.conn(), &ids).await?;
    if let Some(bad) = ids.iter().find(|id| !found.iter().any(|s| s.id == **id && s.account_id == account.id)) {
        return Err(AppError::validation(
            "status_ids",
            format!("status {bad} is not a status of @{}", account.nickname),
        ));
    }
    let id = reports::insert(
        tx.conn(),
        &NewReport {
            reporter_id: reporter,
            account_id: account.id,
            comment: b.comment.trim(),
            status_ids: &ids,
            uri: b.uri.as_deref(),
            created_at: now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Stored { id: id.to_string(), duplicate: false })))
}
