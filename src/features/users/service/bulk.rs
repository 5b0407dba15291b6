//! Bulk actions on users: one function that checks the role, applies the
//! action in one transaction and writes its moderation-log entry there too.

use serde::{Deserialize, Serialize};

/// What a bulk request does to its users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    Activate,
    Deactivate,
    Tag(Vec<String>),
    Untag(Vec<String>),
    Grant(Group),
    Revoke(Group),
    ConfirmEmail,
    /// Mails a fresh confirmation link to each unconfirmed user with an
    /// address; the links start at `base_url` (the instance's public URL).
    ResendConfirmation {
        base_url: String,
    },
    ForcePasswordReset,
    Approve,
    Delete,
}

/// Pleroma's permission groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Group {
    Admin,
    Moderator,
}

impl Group {
    pub fn parse(s: &str) -> Option<Group> {
        match s {
            "admin" => Some(Group::Admin),
            "moderator" => Some(Group::Moderator),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Group::Admin => "admin",
            Group::Moderator => "moderator",
        }
    }
}

impl BulkAction {
    /// Moderators may activate and deactivate; everything else is for admins.
    pub fn admin_only(&self) -> bool {
        !matches!(self, BulkAction::Activate | BulkAction::Deactivate)
    }

    pub fn key(&self) -> &'static str {
        match self {
            BulkAction::Activate => "user.activate",
            BulkAction::Deactivate => "user.deactivate",
            BulkAction::Tag(_) => "user.tag",
            BulkAction::Untag(_) => "user.untag",
            BulkAction::Grant(_) => "user.grant_role",
            BulkAction::Revoke(_) => "user.revoke_role",
            BulkAction::ConfirmEmail => "user.confirm_email",
            BulkAction::ResendConfirmation { .. } => "user.resend_confirmation",
            BulkAction::ForcePasswordReset => "user.force_password_reset",
            BulkAction::Approve => "user.approve",
            BulkAction::Delete => "user.delete",
        }
    }

    /// A Pleroma-style sentence: `@admin added tags: a, b to users: @x, @y`.
    /// `actor` is written as given (`@admin` in the log, `You` in a flash).
    pub fn message(&self, actor: &str, users: &[String]) -> String {
        let mut who = users.iter().take(MESSAGE_NAMES).map(|n| format!("@{n}")).collect::<Vec<_>>().join(", ");
        if users.len() > MESSAGE_NAMES {
            who.push_str(&format!(" and {} more", users.len() - MESSAGE_NAMES));
        }
        match self {
            BulkAction::Activate => format!("{actor} activated users: {who}"),
            BulkAction::Deactivate => format!("{actor} deactivated users: {who}"),
            BulkAction::Tag(t) => format!("{actor} added tags: {} to users: {who}", t.join(", ")),
            BulkAction::Untag(t) => format!("{actor} removed tags: {} from users: {who}", t.join(", ")),
            BulkAction::Grant(g) => format!("{actor} made {who} {}", g.name()),
            BulkAction::Revoke(g) => format!("{actor} revoked {} role from {who}", g.name()),
            BulkAction::ConfirmEmail => format!("{actor} confirmed email for users: {who}"),
            BulkAction::ResendConfirmation { .. } => format!("{actor} re-sent confirmation email for users: {who}"),
            BulkAction::ForcePasswordReset => format!("{actor} forced password reset for users: {who}"),
            BulkAction::Approve => format!("{actor} approved users: {who}"),
            BulkAction::Delete => format!("{actor} deleted users: {who}"),
        }
    }
}

/// The word a user must type to confirm deletion.
pub const DELETE_CONFIRMATION: &str = "delete";

/// A message names at most this many users (the log links every one).
const MESSAGE_NAMES: usize = 20;

/// An action on "all users matching the filter" may touch at most this many.
pub const MAX_FILTER_USERS: i64 = 100_000;
/// Most users one request may name (by id or nickname); more goes by filter.
pub const MAX_LISTED: usize = 1_000;

/// Splits `"a, b,,c"` into clean tag names (1–64 characters each).
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, crate::error::AppError> {
    let tags: Vec<String> =
        raw.iter().flat_map(|r| r.split(',')).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    if tags.is_empty() {
        return Err(crate::error::AppError::validation("tags", "name at least one tag"));
    }
    if let Some(bad) = tags.iter().find(|t| t.chars().count() > 64) {
        return Err(crate::error::AppError::validation("tags", format!("tag {bad:?} is longer than 64 characters")));
    }
    Ok(tags)
}

#[cfg(feature = "ssr")]
pub use service::{Selection, apply, apply_and_read, apply_in};

#[cfg(feature = "ssr")]
mod service {
    use super::{BulkAction, Group};
    use super::{MAX_FILTER_USERS, MAX_LISTED};
    use crate::auth::ModeratorCtx;
    use crate::error::AppError;
    use crate::server::storage::users_bulk::{self, Flag, Target};
    use std::collections::HashMap;

    use crate::server::storage::users_list::{self, UserFilter, UserRow};
    use crate::server::storage::{ConnRef, Db, LockTable, audit, lock_rows};

    /// Who a bulk action applies to.
    #[derive(Clone, Copy)]
    pub enum Selection<'a> {
        Ids(&'a [i64]),
        Nicknames(&'a [String]),
        /// Everyone matching the filter, which must still be exactly
        /// `expected` users (the count the admin confirmed).
        Filter {
            filter: &'a UserFilter,
            expected: i64,
        },
    }

    /// Applies `action` to the selected users in one transaction with its log
    /// entry; nothing changes if any check fails. Returns the users touched.
    pub async fn apply(
        db: &Db,
        ctx: &ModeratorCtx,
        action: &BulkAction,
        who: Selection<'_>,
    ) -> Result<Vec<Target>, AppError> {
        db.retrying(|| async move {
            let mut tx = db.begin().await?;
            let targets = apply_in(tx.conn(), ctx, action, who).await?;
            tx.commit().await?;
            Ok(targets)
        })
        .await
    }

    /// [`apply`], then the touched users as they are now with their tags,
    /// read in the same transaction: the answer needs no second wait for a
    /// connection behind a crowd of readers.
    pub async fn apply_and_read(
        db: &Db,
        ctx: &ModeratorCtx,
        action: &BulkAction,
        who: Selection<'_>,
    ) -> Result<(Vec<UserRow>, HashMap<i64, Vec<String>>), AppError> {
        db.retrying(|| async move {
            let mut tx = db.begin().await?;
            let targets = apply_in(tx.conn(), ctx, action, who).await?;
            let ids: Vec<i64> = targets.iter().map(|t| t.id).collect();
            let rows = users_list::by_ids(tx.conn(), &ids).await?;
            let tags = users_list::tags_of(tx.conn(), &ids).await?;
            tx.commit().await?;
            Ok((rows, tags))
        })
        .await
    }

    /// [`apply`] inside the caller's transaction (a report's combined actions).
    #[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, action = ?action))]
    pub async fn apply_in(
        mut c: ConnRef<'_>,
        ctx: &ModeratorCtx,
        action: &BulkAction,
        who: Selection<'_>,
    ) -> Result<Vec<Target>, AppError> {
        let actor = ctx.staff();
        if action.admin_only() && !actor.is_admin() {
            return Err(AppError::Forbidden);
        }
        let listed = match who {
            Selection::Ids(ids) => ids.len(),
            Selection::Nicknames(n) => n.len(),
            Selection::Filter { .. } => 0,
        };
        if listed > MAX_LISTED {
            return Err(AppError::validation(
                "nicknames",
                format!("Name at most {MAX_LISTED} users in one request, or act on a filter."),
            ));
        }
        let targets = match who {
            Selection::Ids(ids) => users_bulk::by_ids(c.reborrow(), ids).await?,
            Selection::Nicknames(n) => users_bulk::by_nicknames(c.reborrow(), n).await?,
            Selection::Filter { filter, expected } => {
                let found = users_bulk::by_filter(c.reborrow(), filter, MAX_FILTER_USERS).await?;
                if found.len() as i64 > MAX_FILTER_USERS {
                    return Err(AppError::validation(
                        "filter",
                        format!("More than {MAX_FILTER_USERS} users match; narrow the filter."),
                    ));
                }
                if found.len() as i64 != expected {
                    return Err(AppError::conflict(
                        "filter",
                        format!(
                            "The filter now matches {} users, not {expected}. Check the list and confirm again.",
                            found.len()
                        ),
                    ));
                }
                found
            }
        };
        let includes_self = targets.iter().any(|t| t.id == actor.id);
        match action {
            BulkAction::Revoke(Group::Admin) if includes_self => {
                // 403, as Pleroma answers.
                return Err(AppError::Denied("You cannot revoke your own admin role.".into()));
            }
            BulkAction::Deactivate | BulkAction::Delete if includes_self => {
                return Err(AppError::validation("nicknames", "you cannot deactivate or delete your own account"));
            }
            _ => {}
        }
        if !actor.is_admin()
            && let Some(staff) = targets.iter().find(|t| t.is_admin || t.is_moderator)
        {
            return Err(AppError::Denied(format!(
                "@{} is staff: only an admin can act on an admin's or moderator's account.",
                staff.nickname
            )));
        }
        let ids: Vec<i64> = targets.iter().map(|t| t.id).collect();
        lock_rows(c.reborrow(), LockTable::Users, &ids).await?;
        match action {
            BulkAction::Activate => users_bulk::set_flag(c.reborrow(), &ids, Flag::Active, true).await.map(drop)?,
            BulkAction::Deactivate => users_bulk::set_flag(c.reborrow(), &ids, Flag::Active, false).await.map(drop)?,
            BulkAction::Tag(tags) => users_bulk::add_tags(c.reborrow(), &ids, tags).await?,
            BulkAction::Untag(tags) => users_bulk::remove_tags(c.reborrow(), &ids, tags).await?,
            BulkAction::Grant(g) | BulkAction::Revoke(g) => {
                let flag = if *g == Group::Admin { Flag::Admin } else { Flag::Moderator };
                let value = matches!(action, BulkAction::Grant(_));
                users_bulk::set_flag(c.reborrow(), &ids, flag, value).await.map(drop)?
            }
            BulkAction::ConfirmEmail => {
                users_bulk::set_flag(c.reborrow(), &ids, Flag::Confirmed, true).await.map(drop)?
            }
            BulkAction::ResendConfirmation { base_url } => {
                for (id, nickname, email) in users_bulk::unconfirmed_emails(c.reborrow(), &ids).await? {
                    crate::mail::send_confirmation(c.reborrow(), base_url, id, &nickname, &email).await?;
                }
            }
            BulkAction::ForcePasswordReset => {
                users_bulk::set_flag(c.reborrow(), &ids, Flag::PasswordResetPending, true).await?;
                users_bulk::end_sessions_and_tokens(c.reborrow(), &ids).await?
            }
            BulkAction::Approve => users_bulk::set_flag(c.reborrow(), &ids, Flag::Approved, true).await.map(drop)?,
            BulkAction::Delete => users_bulk::delete(c.reborrow(), &ids).await.map(drop)?,
        }
        let names: Vec<String> = targets.iter().map(|t| t.nickname.clone()).collect();
        // Every user is linked to the entry; its data names the first few.
        let listed = &names[..names.len().min(100)];
        let mut data = match action {
            BulkAction::Tag(t) | BulkAction::Untag(t) => serde_json::json!({ "tags": t, "nicknames": listed }),
            BulkAction::Grant(g) | BulkAction::Revoke(g) => {
                serde_json::json!({ "permission": g.name(), "nicknames": listed })
            }
            _ => serde_json::json!({ "nicknames": listed }),
        };
        if let Selection::Filter { .. } = who {
            data["count"] = names.len().into();
            data["selection"] = "filter".into();
        }
        audit::record(
            c.reborrow(),
            audit::Entry {
                actor: actor.into(),
                action: action.key(),
                subject_users: &ids,
                data,
                message: action.message(&format!("@{}", actor.nickname), &names),
            },
        )
        .await?;
        if let BulkAction::Grant(g) | BulkAction::Revoke(g) = action {
            let alert = serde_json::json!({
                "role": g.name(),
                "granted": matches!(action, BulkAction::Grant(_)),
                "users": targets.iter().take(100)
                    .map(|t| serde_json::json!({ "id": t.id.to_string(), "nickname": t.nickname }))
                    .collect::<Vec<_>>(),
                "count": targets.len(),
                "actor": { "id": actor.id.to_string(), "nickname": actor.nickname },
            });
            use crate::webhooks::{AlertKind, STAFF_ROLE_CHANGED, enqueue_alert};
            enqueue_alert(c, AlertKind::System, STAFF_ROLE_CHANGED, alert).await?;
        }
        tracing::info!(users = targets.len(), "applied with its log entry");
        Ok(targets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_like_pleromas() {
        let users = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            BulkAction::Tag(vec!["foo".into(), "bar".into()]).message("@admin", &users),
            "@admin added tags: foo, bar to users: @a, @b"
        );
        assert_eq!(BulkAction::Grant(Group::Admin).message("@admin", &users[..1]), "@admin made @a admin");
        assert!(BulkAction::Delete.admin_only() && !BulkAction::Deactivate.admin_only());
    }

    #[test]
    fn tags_split_on_commas_and_must_exist() {
        assert_eq!(parse_tags(&["a, b".into(), "c".into()]).unwrap(), vec!["a", "b", "c"]);
        assert_eq!(parse_tags(&[" , ".into()]).unwrap_err().param(), Some("tags"));
    }
}
