//! Checking a nickname and password, shared by the sign-in form and OAuth's
//! password grant: throttled per account and IP, counted before the hash,
//! the same answer for a wrong password and an unknown nickname.

use super::{password, throttle};
use crate::domain::Staff;
use crate::error::AppError;
use crate::server::storage::Db;
use crate::server::storage::users::{self, LoginRow};

/// Why a sign-in was refused.
#[derive(Debug)]
pub enum Refused {
    /// Too many failures for this account or IP: wait this many minutes.
    Throttled { minutes: i64 },
    /// Wrong password, unknown nickname, not staff or deactivated: one answer.
    Wrong,
}

impl Refused {
    pub fn message(&self) -> String {
        match self {
            Refused::Throttled { minutes } => super::sign_in_throttled(*minutes),
            Refused::Wrong => super::SIGN_IN_WRONG.to_owned(),
        }
    }
}

/// The staff member `nickname` and `password` prove, with their row (the
/// caller checks `password_reset_pending` and uses `session_epoch`).
pub async fn check(
    db: &Db,
    limits: throttle::Limits,
    nickname: &str,
    password_given: &str,
    ip: &str,
) -> Result<Result<(LoginRow, Staff), Refused>, AppError> {
    if nickname.len() > 200 || password_given.len() > 1024 {
        return Ok(Err(Refused::Wrong));
    }
    // The attempt counts as a failure before the password is hashed, in one
    // transaction with the check: a flood is capped by the throttle, not by
    // how many hashes the machine can run.
    let mut tx = db.begin().await?;
    if let Some(minutes) = throttle::check(tx.conn(), limits, nickname, ip).await? {
        tracing::warn!(%ip, "sign-in throttled");
        return Ok(Err(Refused::Throttled { minutes }));
    }
    let attempt = throttle::record_failure(tx.conn(), nickname, ip).await?;
    let row = users::find_for_login(tx.conn(), nickname.trim()).await?;
    tx.commit().await?;
    let stored = row.as_ref().and_then(|r| r.password_hash.clone());
    let verified = password::verify(password_given.to_owned(), stored).await?;
    let Some((row, staff)) = row.filter(|_| verified).and_then(|r| r.staff().map(|s| (r, s))) else {
        tracing::info!(%ip, "sign-in failed");
        return Ok(Err(Refused::Wrong));
    };
    let mut tx = db.begin().await?;
    throttle::clear_account(tx.conn(), nickname).await?;
    throttle::forget(tx.conn(), &attempt).await?;
    tx.commit().await?;
    Ok(Ok((row, staff)))
}
