//! Data for `/config` and `/config/history`, admins only. Generated from the
//! registry: one section per `SECTIONS` entry, one field per setting. A
//! secret's value never leaves the server: the page learns only whether one
//! is set.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The control a setting is edited with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Control {
    Checkbox,
    Number {
        min: i64,
        max: i64,
    },
    Select(Vec<String>),
    /// An `<input>` of this type (`text`, `url`, `email`) and its longest value.
    Input {
        kind: String,
        max: usize,
    },
    /// Write-only: empty means keep, a "Clear" box removes it.
    Secret,
    /// One entry per line.
    Lines,
}

/// One setting as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingView {
    pub id: String,
    pub label: String,
    pub description: String,
    pub control: Control,
    /// The value the form edits (stored, else the default), as the field shows it.
    pub value: String,
    /// That value's JSON, sent back so a change made since is noticed.
    pub was: String,
    /// `default`, `database` or `environment`.
    pub source: String,
    /// The variable that overrides the stored value, if the setting has one.
    pub env: Option<String>,
    /// While the variable is set: the value in effect (secrets as `***`).
    pub env_value: Option<String>,
    /// Whether a value is stored (rather than the default).
    pub saved: bool,
    pub restart: bool,
    /// For secrets: whether one is stored.
    pub secret_set: bool,
    pub suggestions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionView {
    pub key: String,
    pub label: String,
    pub description: String,
    pub settings: Vec<SettingView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigPageData {
    /// The sections with at least one setting matching the search.
    pub sections: Vec<SectionView>,
    /// The search, trimmed.
    pub query: String,
    /// Labels of saved settings that wait for a reload.
    pub pending: Vec<String>,
}

/// One field of one kept version: "Label: before → after".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeView {
    pub setting: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub id: i64,
    pub nickname: String,
    pub created_at: i64,
    pub document: String,
    pub version: i64,
    pub changes: Vec<ChangeView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPageData {
    pub items: Vec<HistoryItem>,
    /// The `before` of the next (older) page, if there is one.
    pub next_before: Option<i64>,
    /// Whether this is a later page (a link back to the newest is useful).
    pub paged: bool,
    pub notices: Vec<String>,
}

pub const HISTORY_PAGE: i64 = 20;

#[server(input = leptos::server_fn::codec::Json)]
pub async fn config_page(q: Option<String>) -> Result<ConfigPageData, AppError> {
    ssr::page(&crate::auth::admin()?, q.unwrap_or_default()).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn config_history(before: Option<String>) -> Result<HistoryPageData, AppError> {
    ssr::history(&crate::auth::admin()?, before).await
}

/// A value as the page writes it in a sentence: `(not set)`, `on`/`off`,
/// lists joined by commas, secrets as `***`.
pub fn readable(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "(not set)".into(),
        Value::Bool(true) => "on".into(),
        Value::Bool(false) => "off".into(),
        Value::String(s) if s.is_empty() => "(empty)".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "(none)".into(),
        Value::Array(items) => items.iter().map(readable).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use serde_json::Value;

    use super::*;
    use crate::auth::AdminCtx;
    use crate::domain::config::{self, Kind, SECTIONS, SETTINGS, Setting};
    use crate::features::config::service;
    use crate::server::live::{Effective, Source};
    use crate::server::state::AppState;

    /// A value as its form field holds it.
    pub fn field_text(s: &Setting, v: &Value) -> String {
        match (s.kind, v) {
            (Kind::Secret, _) | (_, Value::Null) => String::new(),
            (_, Value::String(t)) => t.clone(),
            (_, Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("\n"),
            (_, other) => other.to_string(),
        }
    }

    fn control(s: &Setting) -> Control {
        match s.kind {
            Kind::Boolean => Control::Checkbox,
            Kind::Integer { min, max } => Control::Number { min, max },
            Kind::Choice(c) => Control::Select(c.iter().map(|c| (*c).to_owned()).collect()),
            Kind::Text { max, .. } => Control::Input { kind: "text".into(), max },
            Kind::Url => Control::Input { kind: "url".into(), max: 2000 },
            Kind::Email => Control::Input { kind: "email".into(), max: 320 },
            Kind::Secret => Control::Secret,
            Kind::Origins | Kind::Domains => Control::Lines,
        }
    }

    /// Whether `s` matches the search `q` (lower-cased) by label, id or description.
    pub fn matches(s: &Setting, q: &str) -> bool {
        q.is_empty()
            || s.label.to_lowercase().contains(q)
            || s.id().to_lowercase().contains(q)
            || s.description.to_lowercase().contains(q)
    }

    pub fn view_of(s: &Setting, e: &Effective) -> SettingView {
        let edited = e.stored.clone().unwrap_or_else(|| s.default_value());
        let source = match e.source {
            Source::Default => "default",
            Source::Database => "database",
            Source::Environment => "environment",
        };
        SettingView {
            id: s.id(),
            label: s.label.into(),
            description: s.description.into(),
            control: control(s),
            value: field_text(s, &edited),
            was: if s.is_secret() { String::new() } else { edited.to_string() },
            source: source.into(),
            env: s.env.map(str::to_owned),
            env_value: (e.source == Source::Environment).then(|| readable(&config::redact(s, &e.value))),
            saved: e.stored.is_some(),
            restart: s.restart,
            secret_set: s.is_secret() && !edited.is_null(),
            suggestions: s.suggestions.iter().map(|x| (*x).to_owned()).collect(),
        }
    }

    #[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
    pub async fn page(ctx: &AdminCtx, q: String) -> Result<ConfigPageData, AppError> {
        let state = AppState::get()?;
        let r = state.live.refresh().await?;
        let query: String = q.trim().chars().take(100).collect();
        let needle = query.to_lowercase();
        let sections = SECTIONS
            .iter()
            .map(|sec| SectionView {
                key: sec.key.into(),
                label: sec.label.into(),
                description: sec.description.into(),
                settings: SETTINGS
                    .iter()
                    .filter(|s| s.section == sec.key && matches(s, &needle))
                    .filter_map(|s| r.values.get(&s.id()).map(|e| view_of(s, e)))
                    .collect(),
            })
            .filter(|sec| !sec.settings.is_empty())
            .collect();
        let pending = r.pending_restart(&state.live.applied()).iter().map(|s| s.label.to_owned()).collect();
        Ok(ConfigPageData { sections, query, pending })
    }

    #[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
    pub async fn history(ctx: &AdminCtx, before: Option<String>) -> Result<HistoryPageData, AppError> {
        let state = AppState::get()?;
        let mut notices = Vec::new();
        let before = crate::domain::query::nonempty(&before).and_then(|raw| {
            let n = raw.parse::<i64>().ok().filter(|n| *n > 0);
            if n.is_none() {
                notices.push(format!("Ignored before={raw:?}: not a change number. Showing the newest changes."));
            }
            n
        });
        let rows = service::history(&state, before, HISTORY_PAGE + 1).await?;
        let more = rows.len() as i64 > HISTORY_PAGE;
        let items: Vec<HistoryItem> = rows
            .iter()
            .take(HISTORY_PAGE as usize)
            .map(|r| HistoryItem {
                id: r.id,
                nickname: r.actor_nickname.clone(),
                created_at: r.created_at,
                document: r.key.clone(),
                version: r.version,
                changes: service::changes(r)
                    .into_iter()
                    .map(|c| {
                        let shown = |v: &Value| match config::find(&c.setting) {
                            Some(s) => readable(&config::redact(s, v)),
                            None => readable(v),
                        };
                        ChangeView {
                            before: shown(&c.before),
                            after: shown(&c.after),
                            setting: c.setting,
                            label: c.label,
                        }
                    })
                    .collect(),
            })
            .collect();
        let next_before = if more { items.last().map(|i| i.id) } else { None };
        Ok(HistoryPageData { items, next_before, paged: before.is_some(), notices })
    }
}
