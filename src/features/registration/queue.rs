//! The approval queue: accounts registered while approval was required (or
//! the review window was active) wait here. Approving reuses the users'
//! approve action; rejecting deletes the account with the moderator's
//! reason. Either way the applicant gets a mail, queued in the same
//! transaction as the change and its log entry.

use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::features::users::service::bulk::{self, BulkAction, Selection};
use crate::mail::{self, compose};
use crate::server::storage::registrations::{self, Pending};
use crate::server::storage::{Db, LockTable, audit, lock_rows, users_bulk};

/// Longest rejection reason, in characters.
pub const REASON_MAX: usize = 1_000;

pub fn parse_reason(raw: &str) -> Result<&str, AppError> {
    let r = raw.trim();
    if r.is_empty() {
        return Err(AppError::validation("reason", "Give the applicant a reason; it is sent to them."));
    }
    if r.chars().count() > REASON_MAX {
        return Err(AppError::validation("reason", format!("Write at most {REASON_MAX} characters.")));
    }
    Ok(r)
}

/// The waiting account `id`, or 404 (unknown, or already decided).
async fn waiting(c: crate::server::storage::ConnRef<'_>, id: i64) -> Result<Pending, AppError> {
    registrations::pending_by_id(c, id).await?.ok_or(AppError::NotFound)
}

/// Approves `id` and mails the applicant.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = id))]
pub async fn approve(db: &Db, ctx: &AdminCtx, id: i64, login_url: &str) -> Result<Pending, AppError> {
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        lock_rows(tx.conn(), LockTable::Users, &[id]).await?;
        let p = waiting(tx.conn(), id).await?;
        bulk::apply_in(tx.conn(), &ctx.as_moderator(), &BulkAction::Approve, Selection::Ids(&[id])).await?;
        if let Some(email) = &p.email {
            mail::queue(tx.conn(), &compose::approved(email, &p.nickname, login_url)).await?;
        }
        tx.commit().await?;
        Ok(p)
    })
    .await
}

/// Rejects `id`: the account is deleted, the reason logged and mailed.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = id))]
pub async fn reject(db: &Db, ctx: &AdminCtx, id: i64, reason: &str) -> Result<Pending, AppError> {
    let reason = parse_reason(reason)?;
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        lock_rows(tx.conn(), LockTable::Users, &[id]).await?;
        let p = waiting(tx.conn(), id).await?;
        let actor = ctx.staff();
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: actor.into(),
                action: "user.reject",
                subject_users: &[id],
                data: serde_json::json!({ "nicknames": [p.nickname], "reason": reason }),
                message: format!("@{} rejected the registration of @{}: \"{reason}\"", actor.nickname, p.nickname),
            },
        )
        .await?;
        users_bulk::delete(tx.conn(), &[id]).await?;
        if let Some(email) = &p.email {
            mail::queue(tx.conn(), &compose::rejected(email, &p.nickname, reason)).await?;
        }
        tx.commit().await?;
        Ok(p)
    })
    .await
}
