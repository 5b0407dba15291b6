//! Sign-in throttling per account and per IP address, counted in the database.
//! The account key is the nickname as typed, whether or not it exists, so the
//! answer never tells which nicknames are real.

use crate::error::AppError;
use crate::server::storage::{ConnRef, now, throttle};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_account: i64,
    pub per_ip: i64,
    pub window_secs: i64,
}

fn account_key(nickname: &str) -> String {
    format!("account:{}", nickname.trim().to_lowercase())
}

fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// `Some(minutes to wait)` when either limit is reached within the window.
/// Run it in the transaction that then records the attempt.
pub async fn check(mut c: ConnRef<'_>, limits: Limits, nickname: &str, ip: &str) -> Result<Option<i64>, AppError> {
    let since = now() - limits.window_secs;
    let minutes = (limits.window_secs + 59) / 60;
    let (account, ip) = (account_key(nickname), ip_key(ip));
    // Always the IP first, then the account: one order, no deadlock.
    throttle::lock_keys(c.reborrow(), &[&ip, &account]).await?;
    if throttle::failures_since(c.reborrow(), &account, since).await? >= limits.per_account
        || throttle::failures_since(c.reborrow(), &ip, since).await? >= limits.per_ip
    {
        return Ok(Some(minutes));
    }
    Ok(None)
}

/// A failure as recorded, so a sign-in that turns out right can take back
/// its IP's count.
pub struct Attempt {
    ip_key: String,
    at: i64,
}

pub async fn record_failure(mut c: ConnRef<'_>, nickname: &str, ip: &str) -> Result<Attempt, AppError> {
    let at = now();
    let ip_key = ip_key(ip);
    throttle::record_failure(c.reborrow(), &account_key(nickname), at).await?;
    throttle::record_failure(c, &ip_key, at).await?;
    Ok(Attempt { ip_key, at })
}

/// Takes back one failure counted against the IP for an attempt that succeeded.
pub async fn forget(c: ConnRef<'_>, attempt: &Attempt) -> Result<(), AppError> {
    throttle::forget_one(c, &attempt.ip_key, attempt.at).await
}

pub async fn clear_account(c: ConnRef<'_>, nickname: &str) -> Result<(), AppError> {
    throttle::clear(c, &account_key(nickname)).await
}

/// Counts an OAuth client registration from `ip` against the per-IP limit of
/// the throttle window (`Err(TooManyRequests)` beyond it), so a script
/// cannot fill the table.
pub async fn check_apps(mut c: ConnRef<'_>, limits: Limits, ip: &str) -> Result<(), AppError> {
    let key = format!("apps:{ip}");
    throttle::lock_keys(c.reborrow(), &[&key]).await?;
    if throttle::failures_since(c.reborrow(), &key, now() - limits.window_secs).await? >= limits.per_ip {
        return Err(AppError::TooManyRequests("Too many apps registered from this address. Try again later.".into()));
    }
    throttle::record_failure(c, &key, now()).await
}

/// Counts a public registration (or "forgot password" request) from `ip`
/// against `per_hour` (`Err(TooManyRequests)` beyond it), whether it then
/// succeeds or not: a script cannot create accounts or send mail in bulk.
pub async fn check_public(mut c: ConnRef<'_>, what: &str, per_hour: i64, ip: &str) -> Result<(), AppError> {
    let key = format!("{what}:{ip}");
    throttle::lock_keys(c.reborrow(), &[&key]).await?;
    if throttle::failures_since(c.reborrow(), &key, now() - 3600).await? >= per_hour {
        return Err(AppError::TooManyRequests("Too many attempts from this address. Try again in an hour.".into()));
    }
    throttle::record_failure(c, &key, now()).await
}
