//! Moderating statuses: mark sensitive, change visibility, delete. Each call
//! writes one log entry per status in the caller's transaction, so a
//! report's combined actions commit or fail together.

use crate::auth::ModeratorCtx;
use crate::domain::Visibility;
use crate::error::AppError;
use crate::server::storage::statuses::{self, StatusRow};
use crate::server::storage::{ConnRef, Db, LockTable, audit, lock_rows};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    Sensitive(bool),
    Visibility(Visibility),
    Delete,
}

impl StatusAction {
    fn key(self) -> &'static str {
        match self {
            StatusAction::Sensitive(true) => "status.sensitive",
            StatusAction::Sensitive(false) => "status.unsensitive",
            StatusAction::Visibility(_) => "status.visibility",
            StatusAction::Delete => "status.delete",
        }
    }

    /// Pleroma's sentence: `@mod updated status #12, set sensitive: 'true'` (its
    /// source writes `##{id}`: a `#` and an interpolation).
    pub fn message(self, actor: &str, status: &StatusRow) -> String {
        let id = status.id;
        let of = format!("by @{}", status.account_nickname);
        match self {
            StatusAction::Sensitive(v) => format!("{actor} updated status #{id} {of}, set sensitive: '{v}'"),
            StatusAction::Visibility(v) => {
                format!("{actor} updated status #{id} {of}, set visibility: '{}'", v.as_str())
            }
            StatusAction::Delete => format!("{actor} deleted status #{id} {of}"),
        }
    }
}

/// Applies `action` to live statuses `ids` inside the caller's transaction;
/// unknown or already deleted ids fail the whole call. Returns the statuses
/// as they were before.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, action = ?action, statuses = ids.len()))]
pub async fn apply_in(
    mut c: ConnRef<'_>,
    ctx: &ModeratorCtx,
    action: StatusAction,
    ids: &[i64],
) -> Result<Vec<StatusRow>, AppError> {
    let actor = ctx.staff();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    lock_rows(c.reborrow(), LockTable::Statuses, ids).await?;
    let found = statuses::by_ids(c.reborrow(), ids).await?;
    let live: Vec<&StatusRow> = found.iter().filter(|s| s.deleted_at.is_none()).collect();
    if let Some(missing) = ids.iter().find(|id| !live.iter().any(|s| s.id == **id)) {
        return Err(AppError::validation("status_ids", format!("status {missing} does not exist or was deleted")));
    }
    match action {
        StatusAction::Sensitive(v) => statuses::set_sensitive(c.reborrow(), ids, v).await?,
        StatusAction::Visibility(v) => statuses::set_visibility(c.reborrow(), ids, v).await?,
        StatusAction::Delete => statuses::mark_deleted(c.reborrow(), ids).await?,
    };
    let who = format!("@{}", actor.nickname);
    for s in &live {
        let data = match action {
            StatusAction::Sensitive(v) => serde_json::json!({ "status_id": s.id, "sensitive": v }),
            StatusAction::Visibility(v) => {
                serde_json::json!({ "status_id": s.id, "visibility": v.as_str(), "was": s.visibility })
            }
            StatusAction::Delete => serde_json::json!({ "status_id": s.id }),
        };
        audit::record(
            c.reborrow(),
            audit::Entry {
                actor: actor.into(),
                action: action.key(),
                subject_users: &[s.account_id],
                data,
                message: action.message(&who, s),
            },
        )
        .await?;
    }
    tracing::info!("applied with its log entries");
    Ok(found)
}

/// [`apply_in`] in its own transaction.
pub async fn apply(db: &Db, ctx: &ModeratorCtx, action: StatusAction, ids: &[i64]) -> Result<Vec<StatusRow>, AppError> {
    db.retrying(|| async move {
        let mut tx = db.begin().await?;
        let before = apply_in(tx.conn(), ctx, action, ids).await?;
        tx.commit().await?;
        Ok(before)
    })
    .await
}

/// Records that an admin looked at private and direct statuses (godmode);
/// only admins get this far.
#[tracing::instrument(skip_all, fields(actor = %admin.staff().nickname, scope = %scope))]
pub async fn log_godmode(db: &Db, admin: &crate::auth::AdminCtx, scope: &str) -> Result<(), AppError> {
    let staff = admin.staff();
    let mut tx = db.begin().await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: staff.into(),
            action: "status.godmode",
            subject_users: &[],
            data: serde_json::json!({ "scope": scope }),
            message: format!("@{} viewed private and direct statuses (godmode): {scope}", staff.nickname),
        },
    )
    .await?;
    tx.commit().await
}
