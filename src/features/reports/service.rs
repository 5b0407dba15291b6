//! Changing reports: state changes (one or many, all or nothing), notes, and
//! a report page's combined actions in one transaction. Every change writes
//! its moderation-log entry in the same transaction.

use crate::auth::ModeratorCtx;
use crate::domain::{ReportState, Visibility};
use crate::error::{AppError, ItemError};
use crate::features::statuses::service::{self as status_service, StatusAction};
use crate::features::users::service::bulk::{self, BulkAction, Selection};
use crate::server::storage::reports::{self, ReportRow};
use crate::server::storage::{ConnRef, Db, LockTable, audit, lock_rows};

/// Most reports one batch may change.
pub const MAX_BATCH: usize = 1_000;

/// Longest note, in characters.
pub const NOTE_MAX: usize = 5_000;

/// A note's text, trimmed: 1 to [`NOTE_MAX`] characters.
pub fn parse_note(raw: &str) -> Result<&str, AppError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(AppError::validation("content", "Write the note first."));
    }
    if t.chars().count() > NOTE_MAX {
        return Err(AppError::validation("content", format!("Notes are at most {NOTE_MAX} characters.")));
    }
    Ok(t)
}

fn excerpt(s: &str) -> String {
    let mut e: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        e.push('…');
    }
    e
}

async fn record_state(c: ConnRef<'_>, ctx: &ModeratorCtx, r: &ReportRow, to: ReportState) -> Result<(), AppError> {
    let actor = ctx.staff();
    audit::record(
        c,
        audit::Entry {
            actor: actor.into(),
            action: match to {
                ReportState::Open => "report.reopen",
                ReportState::Resolved => "report.resolve",
                ReportState::Closed => "report.close",
            },
            subject_users: &[r.account_id],
            data: serde_json::json!({ "report_id": r.id, "state": to.as_str(), "was": r.state }),
            message: format!(
                "@{} updated report #{} (on user @{}) with '{}' state",
                actor.nickname,
                r.id,
                r.account_nickname,
                to.as_str()
            ),
        },
    )
    .await
    .map(drop)
}

async fn add_note_in(mut c: ConnRef<'_>, ctx: &ModeratorCtx, r: &ReportRow, text: &str) -> Result<i64, AppError> {
    let actor = ctx.staff();
    let id = reports::add_note(c.reborrow(), r.id, actor.id, &actor.nickname, text).await?;
    audit::record(
        c,
        audit::Entry {
            actor: actor.into(),
            action: "report.note",
            subject_users: &[r.account_id],
            data: serde_json::json!({ "report_id": r.id, "note_id": id }),
            message: format!(
                "@{} added a note to report #{} (on user @{}): \"{}\"",
                actor.nickname,
                r.id,
                r.account_nickname,
                excerpt(text)
            ),
        },
    )
    .await?;
    Ok(id)
}

/// Sets each report's state, with an optional note on each, all or nothing:
/// any unknown id fails the batch with one error per bad id.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, reports = changes.len()))]
pub async fn change_states(
    db: &Db,
    ctx: &ModeratorCtx,
    changes: &[(i64, ReportState)],
    note: Option<&str>,
) -> Result<Vec<ReportRow>, AppError> {
    if changes.is_empty() {
        return Err(AppError::validation("reports", "Choose at least one report."));
    }
    if changes.len() > MAX_BATCH {
        return Err(AppError::validation("reports", format!("Change at most {MAX_BATCH} reports in one request.")));
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty()).map(parse_note).transpose()?;
    db.retrying(|| change_states_once(db, ctx, changes, note)).await
}

async fn change_states_once(
    db: &Db,
    ctx: &ModeratorCtx,
    changes: &[(i64, ReportState)],
    note: Option<&str>,
) -> Result<Vec<ReportRow>, AppError> {
    let mut tx = db.begin().await?;
    let mut ids: Vec<i64> = changes.iter().map(|c| c.0).collect();
    ids.sort_unstable();
    ids.dedup();
    lock_rows(tx.conn(), LockTable::Reports, &ids).await?;
    let found = reports::by_ids(tx.conn(), &ids).await?;
    let missing: Vec<ItemError> = ids
        .iter()
        .filter(|id| !found.iter().any(|r| r.id == **id))
        .map(|id| ItemError { id: id.to_string(), message: format!("report {id} does not exist") })
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Items(missing));
    }
    for (id, state) in changes {
        let r = found.iter().find(|r| r.id == *id).expect("checked above");
        reports::set_state(tx.conn(), &[*id], *state).await?;
        record_state(tx.conn(), ctx, r, *state).await?;
        if let Some(n) = note {
            add_note_in(tx.conn(), ctx, r, n).await?;
        }
    }
    tx.commit().await?;
    tracing::info!("report states changed with their log entries");
    Ok(found)
}

#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, report = report_id))]
pub async fn add_note(db: &Db, ctx: &ModeratorCtx, report_id: i64, raw: &str) -> Result<i64, AppError> {
    let text = parse_note(raw)?;
    db.retrying(|| async move {
        let mut tx = db.begin().await?;
        let r = reports::find(tx.conn(), report_id).await?.ok_or(AppError::NotFound)?;
        let id = add_note_in(tx.conn(), ctx, &r, text).await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// Deletes a note: its author may, and any admin.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, report = report_id, note = note_id))]
pub async fn delete_note(db: &Db, ctx: &ModeratorCtx, report_id: i64, note_id: i64) -> Result<(), AppError> {
    db.retrying(|| delete_note_once(db, ctx, report_id, note_id)).await
}

async fn delete_note_once(db: &Db, ctx: &ModeratorCtx, report_id: i64, note_id: i64) -> Result<(), AppError> {
    let actor = ctx.staff();
    let mut tx = db.begin().await?;
    let r = reports::find(tx.conn(), report_id).await?.ok_or(AppError::NotFound)?;
    let note = reports::find_note(tx.conn(), report_id, note_id).await?.ok_or(AppError::NotFound)?;
    if note.author_id != Some(actor.id) && !actor.is_admin() {
        return Err(AppError::Forbidden);
    }
    reports::delete_note(tx.conn(), note_id).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: actor.into(),
            action: "report.note_delete",
            subject_users: &[r.account_id],
            data: serde_json::json!({ "report_id": r.id, "note_id": note_id }),
            message: format!(
                "@{} deleted a note by @{} from report #{}: \"{}\"",
                actor.nickname,
                note.author_nickname,
                r.id,
                excerpt(&note.content)
            ),
        },
    )
    .await?;
    tx.commit().await
}

/// Assigns the report to the caller, or releases it.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, report = report_id, take = take))]
pub async fn assign(db: &Db, ctx: &ModeratorCtx, report_id: i64, take: bool) -> Result<(), AppError> {
    db.retrying(|| assign_once(db, ctx, report_id, take)).await
}

async fn assign_once(db: &Db, ctx: &ModeratorCtx, report_id: i64, take: bool) -> Result<(), AppError> {
    let actor = ctx.staff();
    let mut tx = db.begin().await?;
    let r = reports::find(tx.conn(), report_id).await?.ok_or(AppError::NotFound)?;
    reports::set_assignee(tx.conn(), r.id, take.then_some(actor.id)).await?;
    let message = if take {
        format!("@{} assigned report #{} to themselves", actor.nickname, r.id)
    } else {
        format!("@{} unassigned report #{}", actor.nickname, r.id)
    };
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: actor.into(),
            action: if take { "report.assign" } else { "report.unassign" },
            subject_users: &[r.account_id],
            data: serde_json::json!({ "report_id": r.id }),
            message,
        },
    )
    .await?;
    tx.commit().await
}

/// What a moderator chose on a report's page, to apply in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub sensitive: Vec<i64>,
    pub visibility: Option<(Visibility, Vec<i64>)>,
    pub delete: Vec<i64>,
    pub deactivate: bool,
    pub state: Option<ReportState>,
    pub note: Option<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.sensitive.is_empty()
            && self.visibility.as_ref().is_none_or(|(_, ids)| ids.is_empty())
            && self.delete.is_empty()
            && !self.deactivate
            && self.state.is_none()
            && self.note.is_none()
    }

    /// One line per step, for the confirmation and the flash message.
    pub fn describe(&self, account: &str) -> Vec<String> {
        let list = |ids: &[i64]| ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ");
        let mut out = Vec::new();
        if !self.sensitive.is_empty() {
            out.push(format!("Mark status {} sensitive", list(&self.sensitive)));
        }
        if let Some((v, ids)) = self.visibility.as_ref().filter(|(_, ids)| !ids.is_empty()) {
            out.push(format!("Make status {} {}", list(ids), v.as_str()));
        }
        if !self.delete.is_empty() {
            out.push(format!("Delete status {}", list(&self.delete)));
        }
        if self.deactivate {
            out.push(format!("Deactivate @{account}"));
        }
        if let Some(n) = &self.note {
            out.push(format!("Add the note \"{}\"", excerpt(n)));
        }
        if let Some(s) = self.state {
            out.push(match s {
                ReportState::Open => "Reopen the report".to_owned(),
                ReportState::Resolved => "Resolve the report".to_owned(),
                ReportState::Closed => "Close the report".to_owned(),
            });
        }
        out
    }
}

/// Applies every step of `plan` to report `id` in one transaction with their
/// log entries; any failure changes nothing. Statuses must belong to the report.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, report = id))]
pub async fn act(db: &Db, ctx: &ModeratorCtx, id: i64, plan: &Plan) -> Result<ReportRow, AppError> {
    if plan.is_empty() {
        return Err(AppError::validation("actions", "Choose at least one action."));
    }
    let note = plan.note.as_deref().map(parse_note).transpose()?;
    db.retrying(|| act_once(db, ctx, id, plan, note)).await
}

async fn act_once(
    db: &Db,
    ctx: &ModeratorCtx,
    id: i64,
    plan: &Plan,
    note: Option<&str>,
) -> Result<ReportRow, AppError> {
    let mut tx = db.begin().await?;
    let r = reports::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let named = reports::statuses_of(tx.conn(), &[id]).await?.remove(&id).unwrap_or_default();
    let vis_ids = plan.visibility.as_ref().map(|(_, ids)| ids.as_slice()).unwrap_or_default();
    let all = plan.sensitive.iter().chain(vis_ids).chain(&plan.delete);
    if let Some(stray) = all.clone().find(|s| !named.contains(s)) {
        return Err(AppError::validation("status_ids", format!("status {stray} is not part of this report")));
    }
    status_service::apply_in(tx.conn(), ctx, StatusAction::Sensitive(true), &plan.sensitive).await?;
    if let Some((v, ids)) = &plan.visibility {
        status_service::apply_in(tx.conn(), ctx, StatusAction::Visibility(*v), ids).await?;
    }
    status_service::apply_in(tx.conn(), ctx, StatusAction::Delete, &plan.delete).await?;
    if plan.deactivate {
        bulk::apply_in(tx.conn(), ctx, &BulkAction::Deactivate, Selection::Ids(&[r.account_id])).await?;
    }
    if let Some(n) = note {
        add_note_in(tx.conn(), ctx, &r, n).await?;
    }
    if let Some(s) = plan.state {
        reports::set_state(tx.conn(), &[id], s).await?;
        record_state(tx.conn(), ctx, &r, s).await?;
    }
    tx.commit().await?;
    tracing::info!("report actions applied with their log entries");
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_describe_every_step_in_order() {
        let p = Plan {
            sensitive: vec![3],
            delete: vec![4, 5],
            deactivate: true,
            state: Some(ReportState::Resolved),
            note: Some("spam wave".into()),
            ..Default::default()
        };
        assert_eq!(
            p.describe("bob"),
            vec![
                "Mark status #3 sensitive",
                "Delete status #4, #5",
                "Deactivate @bob",
                "Add the note \"spam wave\"",
                "Resolve the report"
            ]
        );
        assert!(Plan::default().is_empty());
        assert!(parse_note("   ").is_err());
        assert_eq!(parse_note(&"x".repeat(NOTE_MAX + 1)).unwrap_err().param(), Some("content"));
    }
}
