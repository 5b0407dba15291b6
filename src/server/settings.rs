//! The one settings store: typed documents ([`Document`]) kept as JSON with
//! a version. Every process reads the stored row when it needs a value, so
//! a change applies everywhere at once without a restart. A change is one
//! transaction: the new version, its history row (before/after, secrets
//! redacted) and its moderation-log entry; an edit made on an older version
//! than the stored one is refused with 409 ([`AppError::Stale`]).

use serde_json::{Map, Value};

use crate::domain::settings::Document;
use crate::error::AppError;
use crate::server::storage::audit::{self, Actor};
use crate::server::storage::settings::{self as rows, NewVersion};
use crate::server::storage::{ConnRef, Db};
use crate::webhooks;

/// A document and the version it was read at (0: never changed, defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<D> {
    pub doc: D,
    pub version: i64,
}

fn decode<D: Document>(value: &str) -> Result<D, AppError> {
    serde_json::from_str(value).map_err(|e| AppError::Internal(format!("stored {} does not parse: {e}", D::KEY)))
}

fn encode<D: Document>(doc: &D) -> Result<String, AppError> {
    serde_json::to_string(doc).map_err(|e| AppError::Internal(format!("{} does not serialize: {e}", D::KEY)))
}

/// The current document on `c` (the defaults at version 0 if never stored).
pub async fn load<D: Document>(c: ConnRef<'_>) -> Result<Versioned<D>, AppError> {
    Ok(match rows::get(c, D::KEY).await? {
        Some(r) => Versioned { doc: decode(&r.value)?, version: r.version },
        None => Versioned { doc: D::default(), version: 0 },
    })
}

/// The current document, read on a pooled connection.
pub async fn get<D: Document>(db: &Db) -> Result<Versioned<D>, AppError> {
    let mut c = db.conn().await?;
    load(c.as_ref()).await
}

/// What a change did: the document before and after. `changed` is false
/// when the edit left the document as it was (no version, no log entry).
pub struct Changed<D> {
    pub before: Versioned<D>,
    pub after: Versioned<D>,
}

impl<D> Changed<D> {
    pub fn changed(&self) -> bool {
        self.before.version != self.after.version
    }
}

/// Changes the document inside the caller's transaction: locks it, refuses
/// a stale `expected` version, applies `edit` (which validates and may
/// refuse), then writes the version, its history and the log entry.
pub async fn change_in<D: Document>(
    mut c: ConnRef<'_>,
    actor: Actor<'_>,
    expected: Option<i64>,
    edit: impl FnOnce(&mut D) -> Result<(), AppError>,
) -> Result<Changed<D>, AppError> {
    let row = rows::lock(c.reborrow(), D::KEY, &encode(&D::default())?).await?;
    let before = Versioned { doc: decode::<D>(&row.value)?, version: row.version };
    if let Some(v) = expected
        && v != before.version
    {
        return Err(AppError::Stale { current: before.version });
    }
    let mut doc = before.doc.clone();
    edit(&mut doc)?;
    if doc == before.doc {
        return Ok(Changed { after: before.clone(), before });
    }
    let version = before.version + 1;
    rows::put(c.reborrow(), D::KEY, &encode(&doc)?, version).await?;
    let (old, new) = (before.doc.redacted(), doc.redacted());
    let (old_s, new_s) = (old.to_string(), new.to_string());
    rows::record_version(
        c.reborrow(),
        NewVersion {
            key: D::KEY,
            version,
            before: (before.version > 0).then_some(old_s.as_str()),
            after: &new_s,
            actor_id: actor.id,
            actor_nickname: actor.nickname,
        },
    )
    .await?;
    let (was, now) = changed_fields(&old, &new);
    audit::record(
        c.reborrow(),
        audit::Entry {
            actor,
            action: "settings.update",
            subject_users: &[],
            message: format!("@{} changed the {}: {}", actor.nickname, D::NAME, describe(&was, &now)),
            data: serde_json::json!({ "key": D::KEY, "version": version, "before": was, "after": now }),
        },
    )
    .await?;
    // The alert names what changed, never the values (they may be secrets).
    webhooks::sync_alert_endpoints(c.reborrow()).await?;
    let alert = serde_json::json!({
        "key": D::KEY,
        "version": version,
        "changed": now.keys().collect::<Vec<_>>(),
        "actor": { "id": actor.id.to_string(), "nickname": actor.nickname },
    });
    webhooks::enqueue_alert(c, webhooks::AlertKind::System, webhooks::SETTINGS_UPDATED, alert).await?;
    Ok(Changed { before, after: Versioned { doc, version } })
}

/// [`change_in`] in a transaction of its own, retried on contention.
pub async fn change<D: Document>(
    db: &Db,
    actor: Actor<'_>,
    expected: Option<i64>,
    edit: impl Fn(&mut D) -> Result<(), AppError>,
) -> Result<Changed<D>, AppError> {
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let changed = change_in(tx.conn(), actor, expected, &edit).await?;
        tx.commit().await?;
        Ok(changed)
    })
    .await
}

/// The top-level fields that differ, as (before, after) objects.
fn changed_fields(old: &Value, new: &Value) -> (Map<String, Value>, Map<String, Value>) {
    let (mut was, mut now) = (Map::new(), Map::new());
    if let (Value::Object(o), Value::Object(n)) = (old, new) {
        for (k, v) in n {
            let prev = o.get(k).cloned().unwrap_or(Value::Null);
            if &prev != v {
                was.insert(k.clone(), prev);
                now.insert(k.clone(), v.clone());
            }
        }
    }
    (was, now)
}

/// `mode invite_only → open, hibp false → true`, each value cut short.
fn describe(was: &Map<String, Value>, now: &Map<String, Value>) -> String {
    fn short(v: &Value) -> String {
        let s = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
    }
    now.iter()
        .map(|(k, v)| format!("{k} {} → {}", short(was.get(k).unwrap_or(&Value::Null)), short(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_described() {
        let old = serde_json::json!({"mode": "invite_only", "approval_required": false, "x": 1});
        let new = serde_json::json!({"mode": "open", "approval_required": false, "x": 1});
        let (was, now) = changed_fields(&old, &new);
        assert_eq!(describe(&was, &now), "mode invite_only → open");
    }
}
