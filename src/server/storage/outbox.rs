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
