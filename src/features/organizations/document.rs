//! The settings document's replacement (by an admin or a token bound to the
//! organization), every version kept, and the tokens that may replace it.

use serde_json::{Map, Value};

use super::rules::SETTINGS_MAX_BYTES;
use super::service::log_entry;
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::storage::audit::{self, Actor};
use crate::server::storage::organizations::{self as rows, NewVersion};
use crate::server::storage::{Db, tokens};

/// Who replaced a settings document: an admin, or a token bound to the organization.
#[derive(Debug, Clone, Copy)]
pub enum Replacer<'a> {
    Admin(&'a AdminCtx),
    /// The token's owner and label.
    Token {
        owner: Actor<'a>,
        label: &'a str,
    },
}

/// Replaces the whole settings document, keeping the previous one as a
/// version; `expected` (the version the editor read) guards against lost
/// edits. Returns the new version.
#[tracing::instrument(skip_all, fields(organization = id), err(level = "info"))]
pub async fn replace_settings(
    db: &Db,
    by: Replacer<'_>,
    id: i64,
    doc: &Map<String, Value>,
    expected: Option<i64>,
) -> Result<i64, AppError> {
    let after = serde_json::to_string(doc).map_err(AppError::fault)?;
    if after.len() > SETTINGS_MAX_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let (actor, who) = match by {
        Replacer::Admin(ctx) => (Actor::from(ctx.staff()), format!("@{}", ctx.staff().nickname)),
        Replacer::Token { owner, label } => {
            (owner, format!("the organization token \"{label}\" of @{}", owner.nickname))
        }
    };
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        if !rows::lock(tx.conn(), id).await? {
            return Err(AppError::NotFound);
        }
        let (before, version) = rows::settings(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        if let Some(v) = expected
            && v != version
        {
            return Err(AppError::Stale { current: version });
        }
        let next = version + 1;
        rows::put_settings(tx.conn(), id, &after, next).await?;
        rows::record_version(
            tx.conn(),
            NewVersion {
                organization_id: id,
                version: next,
                before: &before,
                after: &after,
                actor_id: actor.id,
                actor_nickname: actor.nickname,
            },
        )
        .await?;
        let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let keys: Vec<&String> = doc.keys().collect();
        audit::record(
            tx.conn(),
            log_entry(
                actor,
                "organization.settings_replace",
                &[],
                serde_json::json!({ "organization_id": id, "version": next, "keys": keys, "bytes": after.len() }),
                format!("{who} replaced the settings document of {} (version {next})", org.name),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    })
    .await
}

/// Creates a token bound to the organization (scope `organization`): it may
/// read and replace that organization's settings document, nothing else.
/// Returns its id and the secret, shown once.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn issue_token(db: &Db, ctx: &AdminCtx, id: i64, label: &str) -> Result<(i64, String), AppError> {
    let label = crate::auth::tokens::parse_label(label)?;
    let staff = ctx.staff();
    let secret = crate::auth::tokens::generate();
    let mut tx = db.begin().await?;
    let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let tid =
        tokens::insert_for_organization(tx.conn(), staff.id, id, label, &crate::auth::tokens::hash(&secret)).await?;
    audit::record(
        tx.conn(),
        log_entry(
            staff.into(),
            "token.create",
            &[staff.id],
            serde_json::json!({ "token_id": tid, "label": label, "scope": "organization", "organization_id": id }),
            format!("@{} created the organization token \"{label}\" for {}", staff.nickname, org.name),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((tid, secret))
}

/// Revokes one of the organization's live tokens; its label.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn revoke_token(db: &Db, ctx: &AdminCtx, id: i64, token_id: i64) -> Result<String, AppError> {
    let staff = ctx.staff();
    let mut tx = db.begin().await?;
    let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let label = rows::revoke_token(tx.conn(), id, token_id).await?.ok_or(AppError::NotFound)?;
    audit::record(
        tx.conn(),
        log_entry(
            staff.into(),
            "token.revoke",
            &[staff.id],
            serde_json::json!({ "token_id": token_id, "label": label, "organization_id": id }),
            format!("@{} revoked the organization token \"{label}\" of {}", staff.nickname, org.name),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(label)
}
