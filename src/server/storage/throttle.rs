//! Failed sign-ins, counted in the database so that every process behind a
//! load balancer enforces the same limits.

use super::{ConnRef, on};
use crate::error::AppError;

pub async fn record_failure(c: ConnRef<'_>, key: &str, at: i64) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO login_failures (key, at) VALUES ($1, $2)";
    on!(c, |c| sqlx::query(SQL).bind(key).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Makes checking and counting attempts of these keys one step on
/// PostgreSQL (transaction-scoped advisory locks, taken in the order given),
/// so a burst cannot all pass the check before any is counted. SQLite's
/// write transaction already does this.
pub async fn lock_keys(c: ConnRef<'_>, keys: &[&str]) -> Result<(), AppError> {
    if let ConnRef::Postgres(x) = c {
        for key in keys {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(*key).execute(&mut *x).await?;
        }
    }
    Ok(())
}

pub async fn failures_since(c: ConnRef<'_>, key: &str, since: i64) -> Result<i64, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2";
    Ok(on!(c, |c| sqlx::query_scalar(SQL).bind(key).bind(since).fetch_one(&mut *c).await)?)
}

pub async fn clear(c: ConnRef<'_>, key: &str) -> Result<(), AppError> {
    const SQL: &str = "DELETE FROM login_failures WHERE key = $1";
    on!(c, |c| sqlx::query(SQL).bind(key).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes one failure of `key` at `at` (rows have no id: SQLite's rowid and
/// PostgreSQL's ctid pick one).
pub async fn forget_one(c: ConnRef<'_>, key: &str, at: i64) -> Result<(), AppError> {
    match c {
        ConnRef::Sqlite(x) => {
            const SQL: &str = "DELETE FROM login_failures WHERE rowid = \
                (SELECT rowid FROM login_failures WHERE key = $1 AND at = $2 LIMIT 1)";
            sqlx::query(SQL).bind(key).bind(at).execute(&mut *x).await?;
        }
        ConnRef::Postgres(x) => {
            const SQL: &str = "DELETE FROM login_failures WHERE ctid = \
                (SELECT ctid FROM login_failures WHERE key = $1 AND at = $2 LIMIT 1)";
            sqlx::query(SQL).bind(key).bind(at).execute(&mut *x).await?;
        }
    }
    Ok(())
}

/// Drops failures older than any window still being enforced.
pub async fn prune(c: ConnRef<'_>, before: i64) -> Result<u64, AppError> {
    const SQL: &str = "DELETE FROM login_failures WHERE at < $1";
    Ok(on!(c, |c| sqlx::query(SQL).bind(before).execute(&mut *c).await.map(|r| r.rows_affected()))?)
}
