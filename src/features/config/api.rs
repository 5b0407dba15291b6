//! Pleroma's config endpoints over the registry: `GET|POST /config`,
//! `GET /config/descriptions`, `GET /need_reboot`, `GET /restart`; and
//! Steward's history: `GET /config/history`, `POST /config/history/{id}/revert`.
//!
//! Values travel in Pleroma's shape: a section's value is a keyword list,
//! `[{"tuple": [":idle_minutes", 60]}, …]`; a plain object
//! `{"idle_minutes": 60}` is taken too. Secrets read as `"***"` (set) or
//! `null`; posting `"***"` back keeps the stored secret.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, Edit};
use crate::api::extract::{ApiJson, number};
use crate::auth::{AdminCtx, ModeratorCtx};
use crate::domain::config::{self, GROUP, SECTIONS, SETTINGS, Setting};
use crate::error::AppError;
use crate::server::live::{Resolved, Source};
use crate::server::rejections::{ApiPath, ApiQuery};
use crate::server::state::AppState;
use crate::server::storage::audit::{self, Actor};

/// `":sessions"`.
fn atom(s: &str) -> String {
    format!(":{s}")
}

/// One section in Pleroma's shape, with its children's values; only the
/// stored ones when `only_db`.
fn section_json(r: &Resolved, section: &str, only_db: bool) -> Option<Value> {
    let mut value = Vec::new();
    let (mut db, mut env) = (Vec::new(), Vec::new());
    for s in SETTINGS.iter().filter(|s| s.section == section) {
        let e = &r.values[&s.id()];
        if e.stored.is_some() {
            db.push(atom(s.key));
        }
        if e.source == Source::Environment {
            env.push(atom(s.key));
        }
        let shown = if only_db { e.stored.as_ref() } else { Some(&e.value) };
        if let Some(v) = shown {
            value.push(json!({ "tuple": [atom(s.key), config::redact(s, v)] }));
        }
    }
    (!(only_db && value.is_empty()))
        .then(|| json!({ "group": GROUP, "key": atom(section), "value": value, "db": db, "env": env }))
}

/// Pleroma's config answer: the sections, whether a reload is due, and the
/// config version an edit may name to be refused if anything changed since.
#[derive(Debug, Serialize, ToSchema)]
pub struct Configs {
    #[schema(value_type = Vec<Object>)]
    configs: Vec<Value>,
    need_reboot: bool,
    version: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConfigParams {
    /// `true`: only the settings saved in the database.
    only_db: Option<String>,
}

fn configs(state: &AppState, sections: &[&str], only_db: bool, version: i64) -> Configs {
    let r = state.live.current();
    let configs = sections.iter().filter_map(|s| section_json(&r, s, only_db)).collect();
    Configs { configs, need_reboot: !r.pending_restart(&state.live.applied()).is_empty(), version }
}

/// Every setting's effective value (default < database < environment), by section.
#[utoipa::path(get, path = "/config", params(ConfigParams),
    responses((status = 200, body = Configs), (status = 403, description = "Admins only."),
        (status = 422, description = "`only_db` is not true or false.")),
    tag = "config")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn show(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiQuery(p): ApiQuery<ConfigParams>,
) -> Result<Json<Configs>, AppError> {
    let only_db = match p.only_db.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(AppError::validation("only_db", "only_db is true or false.")),
    };
    let version = state.live.refresh().await?.config_version();
    let all: Vec<&str> = SECTIONS.iter().map(|s| s.key).collect();
    Ok(Json(configs(&state, &all, only_db, version)))
}

/// Pleroma's update body.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ConfigUpdate {
    configs: Vec<ConfigItem>,
    /// The `version` the edit was made on; a stale one answers 409.
    version: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ConfigItem {
    /// Always `":steward"`.
    group: String,
    /// A section, e.g. `":sessions"`.
    key: String,
    /// A keyword list `[{"tuple": [":idle_minutes", 30]}]` or an object `{"idle_minutes": 30}`.
    #[schema(value_type = Object)]
    value: Option<Value>,
    /// `true`: put the section's settings (or only `subkeys`) back to their defaults.
    delete: Option<bool>,
    subkeys: Option<Vec<String>>,
}

/// The `(child key, value)` pairs of a keyword list or object.
fn pairs(value: &Value, param: &str) -> Result<Vec<(String, Value)>, AppError> {
    let bad = || AppError::validation(param, "Send a keyword list [{\"tuple\": [\":key\", value]}] or an object.");
    match value {
        Value::Object(map) => Ok(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Value::Array(items) => items
            .iter()
            .map(|item| match item.get("tuple").and_then(Value::as_array).map(Vec::as_slice) {
                Some([Value::String(k), v]) => Ok((k.clone(), v.clone())),
                _ => Err(bad()),
            })
            .collect(),
        _ => Err(bad()),
    }
}

fn child(section: &str, key: &str, param: &str) -> Result<&'static Setting, AppError> {
    config::find_pleroma(section, key)
        .ok_or_else(|| AppError::validation(param, format!("{key} is not a setting of :{section}.")))
}

/// What a Pleroma body asks for: the edits, the sections they touch, and
/// the config version the editor read (if sent).
#[derive(Debug)]
struct Asked {
    edits: Vec<Edit>,
    sections: Vec<&'static str>,
    version: Option<i64>,
}

fn edits_of(body: &Value) -> Result<Asked, AppError> {
    let obj = body.as_object().ok_or_else(|| AppError::validation("configs", "Send {\"configs\": [...]}."))?;
    if let Some(k) = obj.keys().find(|k| !matches!(k.as_str(), "configs" | "version")) {
        return Err(AppError::validation(k, format!("{k} is not a field of this request.")));
    }
    let version = match obj.get("version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| AppError::validation("version", "version is a number."))?),
    };
    let items = obj
        .get("configs")
        .and_then(Value::as_array)
        .ok_or_else(|| AppError::validation("configs", "configs is a list of {group, key, value}."))?;
    let (mut edits, mut sections) = (Vec::new(), Vec::new());
    for (i, item) in items.iter().enumerate() {
        let p = |f: &str| format!("configs[{i}].{f}");
        let group = item.get("group").and_then(Value::as_str);
        if group != Some(GROUP) {
            return Err(AppError::validation(&p("group"), format!("Steward's settings are all in the {GROUP} group.")));
        }
        let key = item.get("key").and_then(Value::as_str).unwrap_or_default();
        let section = SECTIONS
            .iter()
            .find(|s| s.key == key.trim_start_matches(':'))
            .ok_or_else(|| AppError::validation(&p("key"), format!("{key:?} is not a section of {GROUP}.")))?;
        sections.push(section.key);
        if item.get("delete").and_then(Value::as_bool) == Some(true) {
            let keys: Vec<String> = match item.get("subkeys") {
                Some(Value::Array(ks)) => ks.iter().map(|k| k.as_str().unwrap_or_default().to_owned()).collect(),
                _ => SETTINGS.iter().filter(|s| s.section == section.key).map(|s| s.key.to_owned()).collect(),
            };
            for k in keys {
                edits.push(Edit { setting: child(section.key, &k, &p("subkeys"))?, value: None, was: None });
            }
            continue;
        }
        let value = item.get("value").ok_or_else(|| AppError::validation(&p("value"), "value is required."))?;
        for (k, v) in pairs(value, &p("value"))? {
            let setting = child(section.key, &k, &p("value"))?;
            // A secret read back as "***" is the stored one, unchanged.
            if setting.is_secret() && v == "***" {
                continue;
            }
            edits.push(Edit { setting, value: Some(v), was: None });
        }
    }
    Ok(Asked { edits, sections, version })
}

/// Saves settings in Pleroma's shape; all or nothing, one version per
/// touched document, each in the moderation log.
#[utoipa::path(post, path = "/config", request_body = ConfigUpdate,
    responses((status = 200, body = Configs, description = "The touched sections as now in force."),
        (status = 400, description = "Malformed JSON."), (status = 403, description = "Admins only."),
        (status = 409, description = "`version` is stale; `meta.current_version` is the current one."),
        (status = 422, description = "An unknown section or setting, or an invalid value; `meta.param` names it.")),
    tag = "config")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn update(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Configs>, AppError> {
    let Asked { edits, mut sections, version } = edits_of(&body)?;
    let outcome = service::apply(&state, Actor::from(ctx.staff()), &edits, version, None).await?;
    sections.dedup();
    Ok(Json(configs(&state, &sections, false, outcome.version)))
}

/// A setting as Pleroma's descriptions show it, with Steward's extras.
fn describe(s: &Setting) -> Value {
    let ty: Value = match s.kind {
        config::Kind::Origins | config::Kind::Domains => json!(["list", "string"]),
        k => json!(k.type_name()),
    };
    let suggestions: Vec<&str> = match s.kind {
        config::Kind::Choice(c) => c.to_vec(),
        _ => s.suggestions.to_vec(),
    };
    let mut d = json!({
        "key": atom(s.key),
        "type": ty,
        "label": s.label,
        "description": s.description,
        "suggestions": suggestions,
        "default": config::redact(s, &s.default_value()),
        "requires_restart": s.restart,
        "env": s.env,
        "write_only": s.is_secret(),
    });
    if let config::Kind::Integer { min, max } = s.kind {
        d["min"] = json!(min);
        d["max"] = json!(max);
    }
    d
}

/// The registry as Pleroma's `config/descriptions`.
pub fn descriptions() -> Vec<Value> {
    SECTIONS
        .iter()
        .map(|sec| {
            let children: Vec<Value> = SETTINGS.iter().filter(|s| s.section == sec.key).map(describe).collect();
            json!({
                "group": GROUP,
                "key": atom(sec.key),
                "type": "group",
                "label": sec.label,
                "description": sec.description,
                "children": children,
            })
        })
        .collect()
}

/// What each setting is: type, default, help, suggestions, restart.
#[utoipa::path(get, path = "/config/descriptions",
    responses((status = 200, body = Vec<Object>), (status = 403, description = "Admins only.")), tag = "config")]
pub async fn show_descriptions(_ctx: AdminCtx) -> Json<Vec<Value>> {
    Json(descriptions())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedReboot {
    /// Whether a saved setting waits for `/restart` to take effect in this process.
    need_reboot: bool,
    /// The settings waiting (their ids).
    pending: Vec<String>,
}

/// Whether saved settings wait for `/restart` (admin-fe polls this on every page).
#[utoipa::path(get, path = "/need_reboot", responses((status = 200, body = NeedReboot)), tag = "config")]
pub async fn need_reboot(State(state): State<AppState>, _ctx: ModeratorCtx) -> Json<NeedReboot> {
    let pending: Vec<String> =
        state.live.current().pending_restart(&state.live.applied()).iter().map(|s| s.id()).collect();
    Json(NeedReboot { need_reboot: !pending.is_empty(), pending })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Restarted {
    /// The settings this reload put into effect.
    applied: Vec<String>,
    need_reboot: bool,
}

/// Reassembles the app in this process from the current settings (session
/// idle timeout, read admission, the mail worker's server); requests in
/// flight finish first. Logged.
#[utoipa::path(get, path = "/restart",
    responses((status = 200, body = Restarted), (status = 403, description = "Admins only.")), tag = "config")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn restart(State(state): State<AppState>, ctx: AdminCtx) -> Result<Json<Restarted>, AppError> {
    let applied: Vec<String> = reload(&state, Actor::from(ctx.staff())).await?;
    Ok(Json(Restarted { applied, need_reboot: false }))
}

/// Reloads and logs it; the ids of the settings it put into effect.
pub async fn reload(state: &AppState, actor: Actor<'_>) -> Result<Vec<String>, AppError> {
    let before = state.live.applied();
    let now = state.reloader.reload(state).await?;
    let applied: Vec<String> = now.pending_restart(&before).iter().map(|s| s.id()).collect();
    let mut tx = state.db.begin().await?;
    let message = match applied.as_slice() {
        [] => format!("@{} reloaded Steward's settings", actor.nickname),
        ids => format!("@{} reloaded Steward's settings, applying {}", actor.nickname, ids.join(", ")),
    };
    let entry = audit::Entry {
        actor,
        action: "settings.reload",
        subject_users: &[],
        message,
        data: json!({ "applied": applied }),
    };
    audit::record(tx.conn(), entry).await?;
    tx.commit().await?;
    Ok(applied)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct HistoryParams {
    /// Versions older than this change id (the previous page's `next_before`).
    before: Option<String>,
    /// At most this many (1–200, default 50).
    limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// The change id a revert names.
    id: i64,
    /// The document: runtime, registration, instance, instance_config, restrictions.
    document: String,
    version: i64,
    #[schema(value_type = Object)]
    actor: Value,
    created_at: i64,
    #[schema(value_type = Vec<Object>)]
    changes: Vec<service::FieldChange>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    versions: Vec<HistoryEntry>,
    next_before: Option<i64>,
}

/// Every change to the registry's settings, newest first, with what changed.
#[utoipa::path(get, path = "/config/history", params(HistoryParams),
    responses((status = 200, body = History), (status = 403, description = "Admins only."),
        (status = 422, description = "`before` or `limit` is not a number in range.")),
    tag = "config")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn history(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiQuery(p): ApiQuery<HistoryParams>,
) -> Result<Json<History>, AppError> {
    let limit = number("limit", p.limit.as_deref(), 1..=200)?.unwrap_or(50);
    let before = number("before", p.before.as_deref(), 1..=i64::MAX)?;
    let rows = service::history(&state, before, limit).await?;
    let next_before = (rows.len() as i64 == limit).then(|| rows.last().map(|r| r.id)).flatten();
    let versions = rows
        .iter()
        .map(|r| HistoryEntry {
            id: r.id,
            document: r.key.clone(),
            version: r.version,
            actor: json!({ "id": r.actor_id.map(|i| i.to_string()), "nickname": r.actor_nickname }),
            created_at: r.created_at,
            changes: service::changes(r),
        })
        .collect();
    Ok(Json(History { versions, next_before }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Reverted {
    reverted: i64,
    /// The settings put back.
    changed: Vec<String>,
    /// Secrets the version changed; history does not keep them, so they stay as they are.
    secrets_left: Vec<String>,
    version: i64,
}

/// Puts back the values a change replaced, as a new version. 409 if one of
/// them changed again since (nothing is applied then).
#[utoipa::path(post, path = "/config/history/{id}/revert", params(("id" = String, Path)),
    responses((status = 200, body = Reverted), (status = 403, description = "Admins only."),
        (status = 404, description = "No such change."),
        (status = 409, description = "A setting changed again since; `meta.param` names it."),
        (status = 422, description = "The change has nothing that can be reverted.")),
    tag = "config")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn revert(
    State(state): State<AppState>,
    ctx: AdminCtx,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Reverted>, AppError> {
    let id: i64 = id.parse().ok().filter(|n| *n > 0).ok_or(AppError::NotFound)?;
    let (outcome, secrets_left) = service::revert(&state, Actor::from(ctx.staff()), id).await?;
    let changed = outcome.changed.iter().map(|s| s.id()).collect();
    Ok(Json(Reverted { reverted: id, changed, secrets_left, version: outcome.version }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_lists_and_objects_both_read() {
        let tuples = json!([{"tuple": [":idle_minutes", 30]}, {"tuple": [":max_hours", 2]}]);
        assert_eq!(
            pairs(&tuples, "v").unwrap(),
            vec![(":idle_minutes".into(), json!(30)), (":max_hours".into(), json!(2))]
        );
        assert_eq!(pairs(&json!({"idle_minutes": 30}), "v").unwrap(), vec![("idle_minutes".into(), json!(30))]);
        assert!(pairs(&json!([{"tuple": [1, 2]}]), "v").is_err());
        assert!(pairs(&json!("x"), "v").is_err());
    }

    #[test]
    fn a_body_becomes_edits_or_a_named_refusal() {
        let body = json!({"configs": [
            {"group": ":steward", "key": ":sessions", "value": [{"tuple": [":idle_minutes", 30]}]},
            {"group": ":steward", "key": ":sso", "value": {"client_secret": "***", "enabled": true}},
            {"group": ":steward", "key": ":throttling", "delete": true, "subkeys": [":login_window_minutes"]},
        ]});
        let Asked { edits, sections, version } = edits_of(&body).unwrap();
        let ids: Vec<String> = edits.iter().map(|e| e.setting.id()).collect();
        assert_eq!(ids, ["sessions.idle_minutes", "sso.enabled", "throttling.login_window_minutes"]);
        assert_eq!(edits[2].value, None);
        assert_eq!(sections, ["sessions", "sso", "throttling"]);
        assert_eq!(version, None);
        let param = |b: Value| edits_of(&b).unwrap_err().to_json()["errors"][0]["meta"]["param"].clone();
        assert_eq!(
            param(json!({"configs": [{"group": ":pleroma", "key": ":sessions", "value": []}]})),
            "configs[0].group"
        );
        assert_eq!(param(json!({"configs": [{"group": ":steward", "key": ":nope", "value": []}]})), "configs[0].key");
        assert_eq!(
            param(json!({"configs": [{"group": ":steward", "key": ":sessions", "value": {"nope": 1}}]})),
            "configs[0].value"
        );
        assert_eq!(param(json!([])), "configs");
        assert_eq!(param(json!({"configs": [], "extra": 1})), "extra");
    }

    #[test]
    fn descriptions_cover_every_setting() {
        let d = descriptions();
        let n: usize = d.iter().map(|s| s["children"].as_array().unwrap().len()).sum();
        assert_eq!(n, SETTINGS.len());
        let secret =
            d.iter().flat_map(|s| s["children"].as_array().unwrap()).find(|c| c["key"] == ":client_secret").unwrap();
        assert_eq!(secret["write_only"], true);
    }
}
