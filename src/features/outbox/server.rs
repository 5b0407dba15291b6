//! `/outbox` data: one keyset page with its filters, and one mail.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The statuses the filter offers.
pub const STATUSES: [&str; 4] = ["queued", "sent", "failed", "held"];

/// The page's URL query, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutboxQuery {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: i64,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub next_attempt_at: i64,
}

impl OutboxItem {
    /// "Retry now" applies to mail not sent yet (held mail is never sent).
    pub fn retryable(&self) -> bool {
        self.status == "queued" || self.status == "failed"
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxPageData {
    pub items: Vec<OutboxItem>,
    pub has_older: bool,
    pub has_newer: bool,
    pub kinds: Vec<String>,
    /// Parameters that were ignored, and why.
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailDetail {
    pub item: OutboxItem,
    pub body: String,
}

pub const PAGE_SIZE: i64 = 50;

#[server(input = leptos::server_fn::codec::Json)]
pub async fn outbox_page(query: OutboxQuery) -> Result<OutboxPageData, AppError> {
    list(&crate::auth::admin()?, query).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn outbox_mail(id: i64) -> Result<MailDetail, AppError> {
    one(&crate::auth::admin()?, id).await
}

#[cfg(feature = "ssr")]
impl From<crate::server::storage::outbox::OutboxRow> for OutboxItem {
    fn from(r: crate::server::storage::outbox::OutboxRow) -> Self {
        OutboxItem {
            id: r.id,
            kind: r.kind,
            to: r.to_address,
            subject: r.subject,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
            next_attempt_at: r.next_attempt_at,
        }
    }
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn list(ctx: &crate::auth::AdminCtx, query: OutboxQuery) -> Result<OutboxPageData, AppError> {
    use crate::domain::query::nonempty;
    use crate::server::state::AppState;
    use crate::server::storage::outbox::{self, Page};

    let mut notices = Vec::new();
    let status = nonempty(&query.status).filter(|s| {
        let known = STATUSES.contains(&s.as_str());
        if !known {
            notices.push(format!("Ignored status={s:?}: use one of {}.", STATUSES.join(", ")));
        }
        known
    });
    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let kinds = outbox::kinds(conn.as_ref()).await?;
    let kind = nonempty(&query.kind).filter(|k| {
        let known = kinds.contains(k);
        if !known {
            notices.push(format!("Ignored kind={k:?}: no mail of that kind."));
        }
        known
    });
    let mut cursor = |name: &str, v: &Option<String>| {
        let raw = nonempty(v)?;
        let id = raw.parse::<i64>().ok().filter(|n| *n > 0);
        if id.is_none() {
            notices.push(format!("Ignored {name}={raw:?}: not a page position. Showing the newest mail."));
        }
        id
    };
    let page = match (cursor("before", &query.before), cursor("after", &query.after)) {
        (Some(id), _) => Page::Older(id),
        (None, Some(id)) => Page::Newer(id),
        (None, None) => Page::First,
    };
    let listing = outbox::list(conn.as_ref(), status.as_deref(), kind.as_deref(), page, PAGE_SIZE).await?;
    Ok(OutboxPageData {
        items: listing.rows.into_iter().map(Into::into).collect(),
        has_older: listing.has_older,
        has_newer: listing.has_newer,
        kinds,
        notices,
    })
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, outbox_id = id), err(level = "info"))]
async fn one(ctx: &crate::auth::AdminCtx, id: i64) -> Result<MailDetail, AppError> {
    let state = crate::server::state::AppState::get()?;
    let mut conn = state.db.conn().await?;
    let row = crate::server::storage::outbox::get(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    let body = row.body.clone();
    Ok(MailDetail { item: row.into(), body })
}

/// Makes a queued or failed mail due now, in one transaction with its log
/// entry. `NotFound` when there is no such mail or it is not retryable now
/// (sent, held, or being sent this moment).
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, outbox_id = id), err(level = "info"))]
pub async fn retry(db: &crate::server::storage::Db, ctx: &crate::auth::AdminCtx, id: i64) -> Result<(), AppError> {
    use crate::server::storage::{audit, now, outbox};
    db.retrying(|| async move {
        let mut tx = db.begin().await?;
        let row = outbox::retry_now(tx.conn(), id, now()).await?.ok_or(AppError::NotFound)?;
        let actor = ctx.staff();
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: actor.into(),
                action: "outbox.retry",
                subject_users: &[],
                data: serde_json::json!({ "outbox_id": id, "kind": row.kind }),
                message: format!("@{} retried the {} mail #{id}", actor.nickname, row.kind),
            },
        )
        .await?;
        tx.commit().await
    })
    .await
}
