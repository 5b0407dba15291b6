//! Counts per day for the dashboard's charts.

use super::{ConnRef, on};
use crate::error::AppError;

/// What a chart counts; each reads one table's indexed `created_at`.
#[derive(Debug, Clone, Copy)]
pub enum Series {
    Registrations,
    Reports,
}

pub const DAY: i64 = 86_400;

/// `(day number since the epoch, rows created that day)` from `since` on,
/// days without rows left out.
pub async fn per_day(c: ConnRef<'_>, series: Series, since: i64) -> Result<Vec<(i64, i64)>, AppError> {
    let table = match series {
        Series::Registrations => "users",
        Series::Reports => "reports",
    };
    let sql = format!(
        "SELECT created_at / {DAY} AS day, COUNT(*) FROM {table} WHERE created_at >= $1 \
         GROUP BY created_at / {DAY} ORDER BY day"
    );
    Ok(on!(c, |x| sqlx::query_as(&sql).bind(since).fetch_all(&mut *x).await)?)
}

/// Registrations waiting for an admin's approval.
pub async fn pending_approvals(c: ConnRef<'_>) -> Result<i64, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM users WHERE NOT is_approved";
    Ok(on!(c, |x| sqlx::query_scalar(SQL).fetch_one(&mut *x).await)?)
}
