//! Changing registry settings: one transaction for the whole change, each
//! touched document versioned through the settings store (history row and
//! moderation-log entry included), stale edits refused, the sign-in guard
//! checked on the result, and this process's snapshot refreshed after.

use std::collections::BTreeMap;

use serde_json::Value;

use super::check::check;
use crate::domain::config::{self, Setting, Store};
use crate::domain::settings::{Document, InstanceConfig, InstanceSettings, RegistrationPolicy, Restrictions, Runtime};
use crate::error::AppError;
use crate::server::settings;
use crate::server::state::AppState;
use crate::server::storage::ConnRef;
use crate::server::storage::audit::{self, Actor};
use crate::server::storage::settings::{self as rows, HistoryRow};

/// The documents registry settings live in, in the order they are locked.
pub const DOCUMENTS: [&str; 5] =
    [InstanceConfig::KEY, InstanceSettings::KEY, RegistrationPolicy::KEY, Restrictions::KEY, Runtime::KEY];

/// One setting to change.
#[derive(Debug, Clone)]
pub struct Edit {
    pub setting: &'static Setting,
    /// The new value; `None` puts the default back (Pleroma's `delete`).
    pub value: Option<Value>,
    /// The value the editor saw; if the stored one differs now, the edit is
    /// refused (409) rather than overwriting a change it never saw.
    pub was: Option<Value>,
}

/// What a change did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The settings whose stored value changed.
    pub changed: Vec<&'static Setting>,
    /// The config version after the change ([`config_version`]).
    pub version: i64,
}

/// The value of `s` stored in `doc` (a document's JSON), or its default.
pub fn value_in(s: &Setting, doc: Option<&Value>) -> Value {
    doc.and_then(|d| s.lookup(d)).cloned().unwrap_or_else(|| s.default_value())
}

/// Sets (or, for `None`, resets) each setting's field in a document's JSON.
fn write(doc: &mut Value, edits: &[(&'static Setting, Option<Value>)]) {
    for (s, value) in edits {
        match s.store {
            Store::Runtime => {
                if let Value::Object(map) = doc {
                    match value {
                        Some(v) => map.insert(s.id(), v.clone()),
                        None => map.remove(&s.id()),
                    };
                }
            }
            Store::Doc { path, .. } => {
                let mut at = &mut *doc;
                let mut keys = path.split('.').peekable();
                while let Some(k) = keys.next() {
                    let Value::Object(map) = at else { break };
                    if keys.peek().is_none() {
                        map.insert(k.to_owned(), value.clone().unwrap_or_else(|| s.default_value()));
                        break;
                    }
                    at = map.entry(k.to_owned()).or_insert_with(|| Value::Object(Default::default()));
                }
            }
        }
    }
}

/// Applies `edits` to document `D` inside the caller's transaction.
async fn change_doc<D: Document>(
    c: ConnRef<'_>,
    actor: Actor<'_>,
    edits: &[(&'static Setting, Option<Value>)],
) -> Result<bool, AppError> {
    let changed = settings::change_in::<D>(c, actor, None, |doc| {
        let mut json = serde_json::to_value(&*doc).map_err(|e| AppError::Internal(e.to_string()))?;
        write(&mut json, edits);
        *doc = serde_json::from_value(json).map_err(|e| {
            let param = edits.first().map(|(s, _)| s.id()).unwrap_or_default();
            AppError::validation(&param, format!("That value does not fit: {e}"))
        })?;
        Ok(())
    })
    .await?;
    Ok(changed.changed())
}

/// The stored documents (JSON) of the registry, locked for the transaction.
async fn lock_all(mut c: ConnRef<'_>) -> Result<BTreeMap<&'static str, (Value, i64)>, AppError> {
    let mut docs = BTreeMap::new();
    for key in DOCUMENTS {
        let row = rows::lock(c.reborrow(), key, &default_json(key)?).await?;
        let value = serde_json::from_str(&row.value).map_err(|e| AppError::Internal(format!("stored {key}: {e}")))?;
        docs.insert(key, (value, row.version));
    }
    Ok(docs)
}

fn default_json(key: &str) -> Result<String, AppError> {
    let v = match key {
        InstanceConfig::KEY => serde_json::to_string(&InstanceConfig::default()),
        InstanceSettings::KEY => serde_json::to_string(&InstanceSettings::default()),
        RegistrationPolicy::KEY => serde_json::to_string(&RegistrationPolicy::default()),
        Restrictions::KEY => serde_json::to_string(&Restrictions::default()),
        _ => serde_json::to_string(&Runtime::default()),
    };
    v.map_err(|e| AppError::Internal(e.to_string()))
}

/// Applies `edits` as one change. `expected` (the config version the editor
/// read) refuses the whole change with 409 if anything changed since;
/// per-edit `was` values refuse only what the editor did not see. `note`
/// adds a log entry of its own (a revert names the version it undid).
pub async fn apply(
    state: &AppState,
    actor: Actor<'_>,
    edits: &[Edit],
    expected: Option<i64>,
    note: Option<(&str, String, Value)>,
) -> Result<Outcome, AppError> {
    let mut clean: Vec<(&'static Setting, Option<Value>)> = Vec::with_capacity(edits.len());
    for e in edits {
        let value = e.value.as_ref().map(|v| check(e.setting, v)).transpose()?;
        clean.retain(|(s, _)| s.id() != e.setting.id());
        clean.push((e.setting, value));
    }
    let outcome = state
        .db
        .retrying(|| async {
            let mut tx = state.db.begin().await?;
            let docs = lock_all(tx.conn()).await?;
            // The config version, as `live::Resolved::config_version` counts it.
            let current: i64 = docs.values().map(|(_, v)| v).sum();
            if let Some(v) = expected
                && v != current
            {
                return Err(AppError::Stale { current });
            }
            for e in edits {
                let now = value_in(e.setting, docs.get(e.setting.document()).map(|(d, _)| d));
                if let Some(was) = &e.was
                    && !e.setting.is_secret()
                    && *was != now
                {
                    return Err(AppError::Conflict {
                        param: e.setting.id(),
                        message: format!(
                            "{} was changed by someone else since you opened the page: it is now {}; you saw {}. Nothing was saved.",
                            e.setting.label,
                            shown(e.setting, &now),
                            shown(e.setting, was),
                        ),
                    });
                }
            }
            let changed: Vec<&'static Setting> = clean
                .iter()
                .filter(|(s, v)| {
                    let now = value_in(s, docs.get(s.document()).map(|(d, _)| d));
                    v.clone().unwrap_or_else(|| s.default_value()) != now
                })
                .map(|(s, _)| *s)
                .collect();
            let mut touched = 0;
            for key in DOCUMENTS {
                let mine: Vec<_> = clean.iter().filter(|(s, _)| s.document() == key).cloned().collect();
                if mine.is_empty() {
                    continue;
                }
                let did = match key {
                    InstanceConfig::KEY => change_doc::<InstanceConfig>(tx.conn(), actor, &mine).await?,
                    InstanceSettings::KEY => change_doc::<InstanceSettings>(tx.conn(), actor, &mine).await?,
                    RegistrationPolicy::KEY => change_doc::<RegistrationPolicy>(tx.conn(), actor, &mine).await?,
                    Restrictions::KEY => change_doc::<Restrictions>(tx.conn(), actor, &mine).await?,
                    _ => change_doc::<Runtime>(tx.conn(), actor, &mine).await?,
                };
                touched += i64::from(did);
            }
            sign_in_guard(tx.conn(), state).await?;
            if let Some((action, message, data)) = &note
                && touched > 0
            {
                let entry = audit::Entry { actor, action, subject_users: &[], message: message.clone(), data: data.clone() };
                audit::record(tx.conn(), entry).await?;
            }
            tx.commit().await?;
            Ok(Outcome { changed, version: current + touched })
        })
        .await?;
    state.live.refresh().await?;
    Ok(outcome)
}

/// A value as a message may show it.
pub fn shown(s: &Setting, v: &Value) -> String {
    match config::redact(s, v) {
        Value::Null => "(not set)".into(),
        Value::String(t) => format!("\"{t}\""),
        other => other.to_string(),
    }
}

/// Nobody may be locked out: password sign-in may be off (stored and not
/// overridden by the environment) only while single sign-on can let an
/// admin in.
async fn sign_in_guard(mut c: ConnRef<'_>, state: &AppState) -> Result<(), AppError> {
    let runtime = settings::load::<Runtime>(c.reborrow()).await?.doc;
    let id = "auth.password_sign_in";
    let env = state.live.overrides().get(id).and_then(Value::as_bool);
    let stored = runtime.0.get(id).and_then(Value::as_bool).unwrap_or(true);
    if env.unwrap_or(stored) {
        return Ok(());
    }
    let sso = settings::load::<InstanceConfig>(c.reborrow()).await?.doc.sso;
    crate::features::sso::guard::password_sign_in_may_be_turned_off(c, &sso).await
}

/// One setting's change in a kept version (values as history keeps them:
/// secrets redacted).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldChange {
    pub setting: String,
    pub label: String,
    pub before: Value,
    pub after: Value,
}

/// The registry settings a kept version changed.
pub fn changes(row: &HistoryRow) -> Vec<FieldChange> {
    let parse = |s: &str| serde_json::from_str::<Value>(s).ok();
    let (before, after) = (row.before.as_deref().and_then(parse), parse(&row.after));
    config::SETTINGS
        .iter()
        .filter(|s| s.document() == row.key)
        .filter_map(|s| {
            let (b, a) = (value_in(s, before.as_ref()), value_in(s, after.as_ref()));
            (b != a).then(|| FieldChange { setting: s.id(), label: s.label.into(), before: b, after: a })
        })
        .collect()
}

/// Undoes the kept version `id`: each setting it changed goes back to its
/// value before, as a new version. Refused (409) for a setting changed again
/// since; secrets are not kept in history, so they are left as they are.
/// Returns the outcome and the secrets left alone.
pub async fn revert(state: &AppState, actor: Actor<'_>, id: i64) -> Result<(Outcome, Vec<String>), AppError> {
    let row = {
        let mut c = state.db.conn().await?;
        rows::history_entry(c.as_ref(), id).await?
    };
    let row = row.filter(|r| DOCUMENTS.contains(&r.key.as_str())).ok_or(AppError::NotFound)?;
    let mut edits = Vec::new();
    let mut skipped = Vec::new();
    for ch in changes(&row) {
        let s = config::find(&ch.setting).ok_or(AppError::NotFound)?;
        if s.is_secret() {
            skipped.push(s.id());
            continue;
        }
        let value = match s.store {
            // Absent before: the default was in force; remove the key.
            Store::Runtime if ch.before == s.default_value() => None,
            _ => Some(ch.before.clone()),
        };
        edits.push(Edit { setting: s, value, was: Some(ch.after.clone()) });
    }
    if edits.is_empty() {
        return Err(AppError::validation("id", "That version changed nothing that can be reverted."));
    }
    let note = (
        "settings.revert",
        format!("@{} reverted version {} of the {} (change #{})", actor.nickname, row.version, row.key, row.id),
        serde_json::json!({ "reverted": row.id, "key": row.key, "version": row.version }),
    );
    let outcome = apply(state, actor, &edits, None, Some(note)).await?;
    Ok((outcome, skipped))
}

/// Pages of kept versions of the registry's documents, newest first.
pub async fn history(state: &AppState, before_id: Option<i64>, limit: i64) -> Result<Vec<HistoryRow>, AppError> {
    let mut c = state.db.conn().await?;
    rows::history(c.as_ref(), &DOCUMENTS, before_id, limit).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_sets_nested_fields_and_resets_to_defaults() {
        let idle = config::find("sessions.idle_minutes").unwrap();
        let sso = config::find("sso.enabled").unwrap();
        let mut rt = serde_json::json!({});
        write(&mut rt, &[(idle, Some(Value::from(30)))]);
        assert_eq!(rt, serde_json::json!({"sessions.idle_minutes": 30}));
        write(&mut rt, &[(idle, None)]);
        assert_eq!(rt, serde_json::json!({}));
        let mut ic = serde_json::json!({"sso": {"enabled": false, "issuer": "https://id.example.org/"}});
        write(&mut ic, &[(sso, Some(Value::Bool(true)))]);
        assert_eq!(ic["sso"]["enabled"], true);
        assert_eq!(ic["sso"]["issuer"], "https://id.example.org/");
        assert_eq!(value_in(sso, Some(&ic)), true);
        assert_eq!(value_in(idle, None), 60);
    }

    #[test]
    fn a_version_names_the_settings_it_changed() {
        let row = HistoryRow {
            id: 7,
            key: "runtime".into(),
            version: 2,
            before: Some(r#"{"sessions.idle_minutes": 30}"#.into()),
            after: r#"{"sessions.idle_minutes": 45, "email.smtp_url": "***"}"#.into(),
            actor_id: Some(1),
            actor_nickname: "admin".into(),
            created_at: 0,
        };
        let ch = changes(&row);
        assert_eq!(ch.len(), 2);
        assert_eq!(ch[0].setting, "sessions.idle_minutes");
        assert_eq!((ch[0].before.clone(), ch[0].after.clone()), (Value::from(30), Value::from(45)));
        assert_eq!(ch[1].setting, "email.smtp_url");
    }
}
