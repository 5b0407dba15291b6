//! Clerk's allowlist and blocklist identifiers: parsing, and adding or
//! removing one in a transaction with its moderation-log entry.

use super::validate;
use crate::error::AppError;
use crate::server::storage::Db;
use crate::server::storage::audit::{self, Actor};
use crate::server::storage::restriction_identifiers::{self as rows, ALLOWLIST, BLOCKLIST, MAX_PER_LIST, Row};

/// Which list: `allowlist` or `blocklist`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Allow,
    Block,
}

impl List {
    pub fn key(self) -> &'static str {
        match self {
            List::Allow => ALLOWLIST,
            List::Block => BLOCKLIST,
        }
    }

    pub fn parse(raw: &str) -> Option<List> {
        match raw {
            ALLOWLIST => Some(List::Allow),
            BLOCKLIST => Some(List::Block),
            _ => None,
        }
    }

    /// Clerk's object name for an entry of this list.
    pub fn object(self) -> &'static str {
        match self {
            List::Allow => "allowlist_identifier",
            List::Block => "blocklist_identifier",
        }
    }
}

/// An identifier as stored: trimmed, lower case, an address or a domain.
pub fn parse(raw: &str) -> Result<(String, &'static str), AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(AppError::validation("identifier", "Enter an email address or a domain."));
    }
    if s.contains('@') {
        Ok((validate::email("identifier", s)?.to_lowercase(), "email_address"))
    } else {
        Ok((validate::domain("identifier", s)?, "domain"))
    }
}

/// Adds `raw` to `list`; 409 when it is already there.
pub async fn add(db: &Db, actor: Actor<'_>, list: List, raw: &str) -> Result<Row, AppError> {
    let (identifier, kind) = parse(raw)?;
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        if rows::count(tx.conn(), list.key()).await? >= MAX_PER_LIST {
            return Err(AppError::validation("identifier", format!("The {} is full ({MAX_PER_LIST}).", list.key())));
        }
        let row = rows::insert(tx.conn(), list.key(), &identifier, kind, actor.id).await?.ok_or_else(|| {
            AppError::conflict("identifier", format!("{identifier} is already on the {}.", list.key()))
        })?;
        audit::record(
            tx.conn(),
            audit::Entry {
                actor,
                action: "restriction.add",
                subject_users: &[],
                message: format!("@{} added {identifier} to the {}", actor.nickname, list.key()),
                data: serde_json::json!({ "list": list.key(), "identifier": identifier, "identifier_type": kind,
                    "before": null, "after": identifier }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}

/// Removes entry `id` from `list`; 404 when it is not there.
pub async fn remove(db: &Db, actor: Actor<'_>, list: List, id: i64) -> Result<Row, AppError> {
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let row = rows::delete(tx.conn(), list.key(), id).await?.ok_or(AppError::NotFound)?;
        audit::record(
            tx.conn(),
            audit::Entry {
                actor,
                action: "restriction.remove",
                subject_users: &[],
                message: format!("@{} removed {} from the {}", actor.nickname, row.identifier, list.key()),
                data: serde_json::json!({ "list": list.key(), "identifier": row.identifier,
                    "before": row.identifier, "after": null }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}
