//! Webhook endpoints, the durable delivery queue and every attempt. A
//! delivery is written in the transaction of the change that caused it, so
//! an event is never sent for a change that rolled back nor lost for one
//! that committed; the worker claims due rows with a lease as the outbox does.

use super::{ConnRef, now, on};
use crate::error::AppError;

pub const QUEUED: &str = "queued";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

/// One endpoint, secrets included (never leaves the server).
#[derive(Clone, sqlx::FromRow)]
pub struct EndpointRow {
    pub id: i64,
    pub kind: String,
    pub app_id: Option<i64>,
    pub url: String,
    pub events: String,
    pub enabled: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for EndpointRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointRow")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl EndpointRow {
    /// The event names it subscribes to; empty means every event.
    pub fn event_list(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }

    /// The previous secret while its grace period lasts.
    pub fn previous_at(&self, at: i64) -> Option<&str> {
        match (&self.previous_secret, self.previous_secret_until) {
            (Some(s), Some(until)) if until > at => Some(s),
            _ => None,
        }
    }
}

const ENDPOINT_COLUMNS: &str = "id, kind, app_id, url, events, enabled, secret, previous_secret, \
                                previous_secret_until, created_at, updated_at";

pub async fn endpoints(c: ConnRef<'_>) -> Result<Vec<EndpointRow>, AppError> {
    let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY kind = 'app', kind, app_id, id");
    Ok(on!(c, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?)
}

pub async fn endpoint(c: ConnRef<'_>, id: i64) -> Result<Option<EndpointRow>, AppError> {
    let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)?)
}

/// The enabled endpoints of one app.
pub async fn app_endpoints(c: ConnRef<'_>, app_id: i64) -> Result<Vec<EndpointRow>, AppError> {
    let sql = format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE kind = 'app' AND app_id = $1 AND enabled ORDER BY id"
    );
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(app_id).fetch_all(&mut *c).await)?)
}

/// The alert endpoint of `kind` at `url`: created with `fresh_secret` when
/// missing (`true` in the answer), its URL brought in step otherwise. One
/// statement, so two transactions racing to create it both end with the one
/// row (the partial unique index on `kind`).
pub async fn ensure_alert(c: ConnRef<'_>, kind: &str, url: &str, fresh_secret: &str) -> Result<(i64, bool), AppError> {
    // `created_at = updated_at` only on the row this statement inserted.
    const SQL: &str = "INSERT INTO webhook_endpoints (kind, url, secret, created_at, updated_at) \
                       VALUES ($1, $2, $3, $4, $4) \
                       ON CONFLICT (kind) WHERE kind <> 'app' DO UPDATE SET url = excluded.url, \
                       updated_at = CASE WHEN webhook_endpoints.url = excluded.url THEN webhook_endpoints.updated_at \
                       ELSE excluded.updated_at END \
                       RETURNING id, secret = $3";
    let at = now();
    let (id, created): (i64, bool) =
        on!(c, |c| sqlx::query_as(SQL).bind(kind).bind(url).bind(fresh_secret).bind(at).fetch_one(&mut *c).await)?;
    Ok((id, created))
}

/// Starts a rotation: `secret` becomes current, the old one signs too until
/// `grace_until`. Returns the endpoint as it was.
pub async fn rotate(c: ConnRef<'_>, id: i64, secret: &str, grace_until: i64) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $3, \
                       secret = $2, updated_at = $4 WHERE id = $1";
    let n = on!(c, |c| sqlx::query(SQL)
        .bind(id)
        .bind(secret)
        .bind(grace_until)
        .bind(now())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Ends a rotation early: only the current secret signs from now on.
pub async fn finish_rotation(c: ConnRef<'_>, id: i64) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE webhook_endpoints SET previous_secret = NULL, previous_secret_until = NULL, \
                       updated_at = $2 WHERE id = $1";
    let n = on!(c, |c| sqlx::query(SQL).bind(id).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Queues one delivery, due now.
pub async fn insert_delivery(
    c: ConnRef<'_>,
    endpoint_id: i64,
    url: &str,
    event: &str,
    payload: &str,
) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO webhook_deliveries (endpoint_id, url, event, payload, status, next_attempt_at, \
                       created_at) VALUES ($1, $2, $3, $4, 'queued', $5, $5) RETURNING id";
    Ok(on!(c, |c| sqlx::query_scalar(SQL)
        .bind(endpoint_id)
        .bind(url)
        .bind(event)
        .bind(payload)
        .bind(now())
        .fetch_one(&mut *c)
        .await)?)
}

/// A delivery the worker claimed: it holds the lease until `locked_until`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub endpoint_id: Option<i64>,
    pub url: String,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
}

/// Leases up to `limit` due queued deliveries until `lease_until`, oldest
/// due first, in a write transaction of its own: `FOR UPDATE SKIP LOCKED`
/// on PostgreSQL, SQLite's single writer elsewhere (see `outbox::claim`).
pub async fn claim(c: ConnRef<'_>, at: i64, lease_until: i64, limit: i64) -> Result<Vec<Claimed>, AppError> {
    const DUE: &str = "SELECT id FROM webhook_deliveries WHERE status = 'queued' AND next_attempt_at <= $2 \
                       AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at, id LIMIT $3";
    const SET: &str = "UPDATE webhook_deliveries SET locked_until = $1 WHERE id IN";
    const RETURNING: &str = "RETURNING id, endpoint_id, url, event, payload, attempts";
    let lock = match c {
        ConnRef::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        ConnRef::Sqlite(_) => "",
    };
    let sql = format!("{SET} ({DUE}{lock}) {RETURNING}");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(lease_until).bind(at).bind(limit).fetch_all(&mut *c).await)?)
}

/// What one attempt found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub url: String,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
}

/// What the attempt leaves the delivery as.
#[derive(Debug, Clone, Copy)]
pub enum Next {
    Delivered,
    RetryAt(i64),
    GiveUp,
}

/// Records an attempt and its effect on the delivery, if the delivery is
/// still queued (`false` otherwise: nothing written).
pub async fn record_attempt(mut c: ConnRef<'_>, id: i64, o: &Outcome, next: Next) -> Result<bool, AppError> {
    const UPDATE: &str = "UPDATE webhook_deliveries SET attempts = attempts + 1, locked_until = NULL, url = $2, \
                          last_status_code = $3, last_latency_ms = $4, last_response = $5, last_error = $6, \
                          status = $7, next_attempt_at = $8, delivered_at = $9 \
                          WHERE id = $1 AND status = 'queued' RETURNING attempts";
    const INSERT: &str = "INSERT INTO webhook_attempts (delivery_id, attempt, status_code, latency_ms, response, \
                          error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    let at = now();
    let (status, next_at, delivered_at) = match next {
        Next::Delivered => (DELIVERED, at, Some(at)),
        Next::RetryAt(t) => (QUEUED, t, None),
        Next::GiveUp => (FAILED, at, None),
    };
    let attempt: Option<i64> = on!(c.reborrow(), |c| sqlx::query_scalar(UPDATE)
        .bind(id)
        .bind(&o.url)
        .bind(o.status_code)
        .bind(o.latency_ms)
        .bind(&o.response)
        .bind(&o.error)
        .bind(status)
        .bind(next_at)
        .bind(delivered_at)
        .fetch_optional(&mut *c)
        .await)?;
    let Some(attempt) = attempt else { return Ok(false) };
    on!(c, |c| sqlx::query(INSERT)
        .bind(id)
        .bind(attempt)
        .bind(o.status_code)
        .bind(o.latency_ms)
        .bind(&o.response)
        .bind(&o.error)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(true)
}

/// One delivery as the log shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub endpoint_id: Option<i64>,
    pub url: String,
    pub event: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub locked_until: Option<i64>,
    pub last_status_code: Option<i64>,
    pub last_latency_ms: Option<i64>,
    pub last_response: Option<String>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

const DELIVERY_COLUMNS: &str = "id, endpoint_id, url, event, payload, status, attempts, next_attempt_at, \
                                locked_until, last_status_code, last_latency_ms, last_response, last_error, \
                                created_at, delivered_at";

/// A page of deliveries, newest first, optionally of one endpoint and
/// status; one more row than `size` tells whether a next page exists.
pub async fn deliveries(
    c: ConnRef<'_>,
    endpoint_id: Option<i64>,
    status: Option<&str>,
    offset: i64,
    size: i64,
) -> Result<(Vec<DeliveryRow>, bool), AppError> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ($1 IS NULL OR endpoint_id = $1) \
         AND ($2 IS NULL OR status = $2) ORDER BY id DESC LIMIT $3 OFFSET $4"
    );
    let mut rows: Vec<DeliveryRow> = on!(c, |c| sqlx::query_as(&sql)
        .bind(endpoint_id)
        .bind(status)
        .bind(size + 1)
        .bind(offset)
        .fetch_all(&mut *c)
        .await)?;
    let more = rows.len() as i64 > size;
    rows.truncate(size as usize);
    Ok((rows, more))
}

pub async fn delivery(c: ConnRef<'_>, id: i64) -> Result<Option<DeliveryRow>, AppError> {
    let sql = format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1");
    Ok(on!(c, |c| sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub attempt: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
}

pub async fn attempts(c: ConnRef<'_>, delivery_id: i64) -> Result<Vec<AttemptRow>, AppError> {
    const SQL: &str = "SELECT id, attempt, status_code, latency_ms, response, error, created_at \
                       FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id";
    Ok(on!(c, |c| sqlx::query_as(SQL).bind(delivery_id).fetch_all(&mut *c).await)?)
}
