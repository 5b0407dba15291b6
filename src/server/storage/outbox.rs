//! The mail outbox: every mail Steward sends is a row here first, in the
//! transaction of the change that caused it, so a mail is never sent for a
//! change that rolled back nor lost for one that committed.

use super::{ConnRef, now, on};
use crate::error::AppError;

/// Row states. `held` is mail written in test mode: kept, never sent.
pub const QUEUED: &str = "queued";
pub const HELD: &str = "held";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

pub struct NewMail<'a> {
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub status: &'a str,
}

pub async fn insert(c: ConnRef<'_>, m: NewMail<'_>) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO outbox (kind, to_address, subject, body, status, next_attempt_at, created_at) \
                       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(m.kind)
        .bind(m.to)
        .bind(m.subject)
        .bind(m.body)
        .bind(m.status)
        .bind(now())
        .fetch_one(&mut *c)
        .await)?)
}

/// A row the delivery worker claimed: it holds the lease until `locked_until`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// Leases up to `limit` due queued rows until `lease_until`, oldest due
/// first. Run it in a write transaction of its own: on PostgreSQL `FOR
/// UPDATE SKIP LOCKED` lets several workers claim side by side without
/// waiting for or taking each other's rows; SQLite's single writer
/// (`BEGIN IMMEDIATE`) already serializes the claims.
pub async fn claim(c: ConnRef<'_>, at: i64, lease_until: i64, limit: i64) -> Result<Vec<Claimed>, AppError> {
    const DUE: &str = "SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $2 \
                       AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at, id LIMIT $3";
    const SET: &str = "UPDATE outbox SET locked_until = $1 WHERE id IN";
    const RETURNING: &str = "RETURNING id, to_address, subject, body, attempts";
    Ok(match c {
        ConnRef::Postgres(x) => {
            sqlx::query_as(&format!("{SET} ({DUE} FOR UPDATE SKIP LOCKED) {RETURNING}"))
                .bind(lease_until)
                .bind(at)
                .bind(limit)
                .fetch_all(&mut *x)
                .await?
        }
        ConnRef::Sqlite(x) => {
            sqlx::query_as(&format!("{SET} ({DUE}) {RETURNING}"))
                .bind(lease_until)
                .bind(at)
                .bind(limit)
                .fetch_all(&mut *x)
                .await?
        }
    })
}

/// Records a delivery. Only a row still queued is touched (an admin cannot
/// "retry" it into a second delivery meanwhile: retry needs `failed` or a
/// row not leased).
pub async fn mark_sent(c: ConnRef<'_>, id: i64, at: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, \
                       locked_until = NULL, last_error = NULL WHERE id = $1 AND status = 'queued'";
    on!(c, |c| sqlx::query(SQL).bind(id).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failed attempt: due again at `retry_at`, or `failed` for good
/// when `retry_at` is `None`.
pub async fn mark_attempt_failed(c: ConnRef<'_>, id: i64, error: &str, retry_at: Option<i64>) -> Result<(), AppError> {
    const SQL: &str = "UPDATE outbox SET attempts = attempts + 1, last_error = $2, locked_until = NULL, \
                       status = CASE WHEN $3 THEN 'queued' ELSE 'failed' END, \
                       next_attempt_at = CASE WHEN $3 THEN $4 ELSE next_attempt_at END \
                       WHERE id = $1 AND status = 'queued'";
    on!(c, |c| sqlx::query(SQL)
        .bind(id)
        .bind(error)
        .bind(retry_at.is_some())
        .bind(retry_at.unwrap_or(0))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One outbox row as `/outbox` shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const COLUMNS: &str =
    "id, kind, to_address, subject, body, status, attempts, next_attempt_at, last_error, created_at, sent_at";

/// Where a page of the list starts.
#[derive(Debug, Clone, Copy)]
pub enum Page {
    First,
    /// Rows older than this id.
    Older(i64),
    /// Rows newer than this id.
    Newer(i64),
}

pub struct Listing {
    /// Newest first.
    pub rows: Vec<OutboxRow>,
    pub has_older: bool,
    pub has_newer: bool,
}

/// A keyset page of the outbox, newest first, optionally of one status and kind.
pub async fn list(
    c: ConnRef<'_>,
    status: Option<&str>,
    kind: Option<&str>,
    page: Page,
    size: i64,
) -> Result<Listing, AppError> {
    let (cursor, order, op) = match page {
        Page::First => (i64::MAX, "DESC", "<"),
        Page::Older(id) => (id, "DESC", "<"),
        Page::Newer(id) => (id, "ASC", ">"),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR kind = $2) \
         AND id {op} $3 ORDER BY id {order} LIMIT $4"
    );
    let mut rows: Vec<OutboxRow> =
        on!(c, |c| sqlx::query_as(&sql).bind(status).bind(kind).bind(cursor).bind(size + 1).fetch_all(&mut *c).await)?;
    let more = rows.len() as i64 > size;
    rows.truncate(size as usize);
    Ok(match page {
        Page::First => Listing { rows, has_older: more, has_newer: false },
        Page::Older(_) => Listing { rows, has_older: more, has_newer: true },
        Page::Newer(_) => {
            rows.reverse();
            Listing { rows, has_older: true, has_newer: more }
        }
    })
}

pub async fn get(c: ConnRef<'_>, id: i64) -> Result<Option<OutboxRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)?)
}

/// The kinds present, for the filter.
pub async fn kinds(c: ConnRef<'_>) -> Result<Vec<String>, AppError> {
    const SQL: &str = "SELECT DISTINCT kind FROM outbox ORDER BY kind";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).fetch_all(&mut *c).await)?)
}

/// Makes a failed or queued row due now ("retry now"). A row a worker holds
/// right now is left alone (`None`), so a retry never causes a second send.
pub async fn retry_now(c: ConnRef<'_>, id: i64, at: i64) -> Result<Option<OutboxRow>, AppError> {
    let sql = format!(
        "UPDATE outbox SET status = 'queued', next_attempt_at = $2 \
         WHERE id = $1 AND status IN ('queued', 'failed') AND (locked_until IS NULL OR locked_until < $2) \
         RETURNING {COLUMNS}"
    );
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).bind(at).fetch_optional(&mut *c).await)?)
}
