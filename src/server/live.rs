//! The effective value of every registry setting, as this process sees it.
//!
//! Each process keeps one [`Resolved`] snapshot: defaults, overlaid with the
//! settings store (the `runtime` document and the documents bound settings
//! live in), overlaid with the environment given at start. A watcher checks
//! the stored versions every [`WATCH_EVERY`] and reloads when any changed, so
//! a change made through another process applies here within that time; a
//! change made here applies at once ([`Live::refresh`]). Settings marked
//! `restart` are read from the snapshot taken when the app was assembled
//! ([`Live::applied`]) until `/restart` assembles it again.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde_json::Value;

use crate::auth::throttle::Limits;
use crate::domain::config::{self, Setting, Store};
use crate::error::AppError;
use crate::server::config::Secret;
use crate::server::storage::{Db, on};

/// How often a process checks whether another changed a setting.
pub const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Values given at start by flag or environment variable, by setting id.
/// They win over stored values.
#[derive(Clone, Default)]
pub struct Overrides(BTreeMap<String, Value>);

impl Overrides {
    /// Sets `id` (a registry id such as `throttling.registrations_per_ip`).
    pub fn set(&mut self, id: &str, value: impl Into<Value>) {
        debug_assert!(config::find(id).is_some(), "{id} is not a registry setting");
        self.0.insert(id.to_owned(), value.into());
    }

    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }
}

/// Names what is overridden, never the values (the SMTP URL may hold a password).
impl std::fmt::Debug for Overrides {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// Where an effective value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Default,
    Database,
    Environment,
}

/// One setting's effective value, and the stored one (shown even while the
/// environment overrides it).
#[derive(Debug, Clone)]
pub struct Effective {
    pub value: Value,
    pub source: Source,
    pub stored: Option<Value>,
}

/// The role an account made by single sign-on gets (never admin).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvisionRole {
    None,
    Moderator,
}

/// Every setting's effective value, and the typed ones code reads.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub password_sign_in: bool,
    pub sso_provision_role: ProvisionRole,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub login_limits: Limits,
    pub registrations_per_ip: i64,
    pub hibp_url: url::Url,
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    /// The environment's origins when given, the stored ones otherwise.
    pub cors_origins: Vec<String>,
    pub read_concurrency: usize,
    /// By setting id.
    pub values: BTreeMap<String, Effective>,
    /// The stored documents' versions (what the watcher compares).
    versions: BTreeMap<String, i64>,
}

impl Resolved {
    /// Resolves every setting from the stored documents (key → (JSON, version)).
    fn from_parts(docs: &BTreeMap<String, (Value, i64)>, env: &Overrides) -> Resolved {
        let values: BTreeMap<String, Effective> =
            config::SETTINGS.iter().map(|s| (s.id(), effective(s, docs, env))).collect();
        let v = |id: &str| values.get(id).map(|e| e.value.clone()).unwrap_or(Value::Null);
        let int = |id: &str| v(id).as_i64().unwrap_or(0);
        let text = |id: &str| v(id).as_str().map(str::to_owned);
        let minutes = |id: &str| Duration::from_secs(int(id).max(0) as u64 * 60);
        Resolved {
            password_sign_in: v("auth.password_sign_in").as_bool().unwrap_or(true),
            sso_provision_role: match text("auth.sso_provision_role").as_deref() {
                Some("moderator") => ProvisionRole::Moderator,
                _ => ProvisionRole::None,
            },
            session_idle: minutes("sessions.idle_minutes"),
            session_absolute: Duration::from_secs(int("sessions.max_hours").max(0) as u64 * 3600),
            login_limits: Limits {
                per_account: int("throttling.login_failures_per_account"),
                per_ip: int("throttling.login_failures_per_ip"),
                window_secs: int("throttling.login_window_minutes") * 60,
            },
            registrations_per_ip: int("throttling.registrations_per_ip"),
            hibp_url: text("registration.hibp_url")
                .and_then(|u| u.parse().ok())
                .unwrap_or_else(|| "https://api.pwnedpasswords.com".parse().expect("a valid URL")),
            smtp_url: text("email.smtp_url").filter(|s| !s.is_empty()).map(Secret),
            mail_from: text("email.from").unwrap_or_else(|| "Steward <steward@localhost>".into()),
            cors_origins: v("cors.allowed_origins")
                .as_array()
                .map(|a| a.iter().filter_map(|o| o.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
            read_concurrency: match int("limits.read_concurrency") {
                n if n > 0 => n as usize,
                _ => 2 * std::thread::available_parallelism().map_or(2, |n| n.get()),
            },
            values,
            versions: docs.iter().map(|(k, (_, v))| (k.clone(), *v)).collect(),
        }
    }

    /// The config version: the sum of the versions of the documents holding
    /// registry settings (each only grows, so the sum changes with any change).
    pub fn config_version(&self) -> i64 {
        let docs: std::collections::BTreeSet<&str> = config::SETTINGS.iter().map(|s| s.document()).collect();
        docs.iter().filter_map(|d| self.versions.get(*d)).sum()
    }

    /// The settings marked `restart` whose value differs from `applied`'s.
    pub fn pending_restart(&self, applied: &Resolved) -> Vec<&'static Setting> {
        config::SETTINGS
            .iter()
            .filter(|s| s.restart)
            .filter(|s| self.values.get(&s.id()).map(|e| &e.value) != applied.values.get(&s.id()).map(|e| &e.value))
            .collect()
    }
}

/// The stored value of `s`, if the store holds one: a key of the runtime
/// document, or a field of a bound document that differs from its default.
fn stored(s: &Setting, docs: &BTreeMap<String, (Value, i64)>) -> Option<Value> {
    let (doc, version) = docs.get(s.document())?;
    let field = s.lookup(doc)?;
    match s.store {
        Store::Runtime => Some(field.clone()),
        Store::Doc { .. } => (*version > 0 && *field != s.default_value()).then(|| field.clone()),
    }
}

fn effective(s: &Setting, docs: &BTreeMap<String, (Value, i64)>, env: &Overrides) -> Effective {
    let stored = stored(s, docs);
    let (value, source) = match (env.get(&s.id()), &stored) {
        (Some(v), _) => (v.clone(), Source::Environment),
        (None, Some(v)) => (v.clone(), Source::Database),
        (None, None) => (s.default_value(), Source::Default),
    };
    Effective { value, source, stored }
}

/// This process's view of the settings.
#[derive(Clone)]
pub struct Live {
    db: Db,
    env: Arc<Overrides>,
    current: Arc<RwLock<Arc<Resolved>>>,
    /// The snapshot the running app was assembled with (restart settings).
    applied: Arc<RwLock<Arc<Resolved>>>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").field("env", &self.env).finish_non_exhaustive()
    }
}

impl Live {
    /// Reads the store once; call [`Live::watch`] to follow changes.
    pub async fn load(db: Db, env: Overrides) -> Result<Live, AppError> {
        let resolved = Arc::new(Resolved::from_parts(&read_docs(&db).await?, &env));
        Ok(Live {
            db,
            env: Arc::new(env),
            current: Arc::new(RwLock::new(resolved.clone())),
            applied: Arc::new(RwLock::new(resolved)),
        })
    }

    /// The current snapshot (cheap: an `Arc` clone).
    pub fn current(&self) -> Arc<Resolved> {
        self.current.read().map(|r| r.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The snapshot the running app was assembled with.
    pub fn applied(&self) -> Arc<Resolved> {
        self.applied.read().map(|r| r.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Marks the current snapshot as applied (after `/restart` reassembled the app).
    pub fn mark_applied(&self) -> Arc<Resolved> {
        let now = self.current();
        if let Ok(mut a) = self.applied.write() {
            *a = now.clone();
        }
        now
    }

    pub fn overrides(&self) -> &Overrides {
        &self.env
    }

    /// Re-reads the store now (after a change made by this process).
    pub async fn refresh(&self) -> Result<Arc<Resolved>, AppError> {
        let fresh = Arc::new(Resolved::from_parts(&read_docs(&self.db).await?, &self.env));
        if let Ok(mut c) = self.current.write() {
            *c = fresh.clone();
        }
        Ok(fresh)
    }

    /// Follows changes made by other processes (run it as one of the app's tasks).
    pub async fn watch(self) {
        let mut tick = tokio::time::interval(WATCH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match read_versions(&self.db).await {
                Ok(v) if v == self.current().versions => {}
                Ok(_) => {
                    if let Err(e) = self.refresh().await {
                        e.log();
                    }
                }
                Err(e) => tracing::debug!(error = %e, "could not check the settings' versions"),
            }
        }
    }
}

async fn read_docs(db: &Db) -> Result<BTreeMap<String, (Value, i64)>, AppError> {
    const SQL: &str = "SELECT key, value, version FROM settings";
    let mut c = db.conn().await?;
    let rows: Vec<(String, String, i64)> = on!(c.as_ref(), |c| sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(|(k, v, n)| (k, (serde_json::from_str(&v).unwrap_or(Value::Null), n))).collect())
}

async fn read_versions(db: &Db) -> Result<BTreeMap<String, i64>, AppError> {
    const SQL: &str = "SELECT key, version FROM settings";
    let mut c = db.conn().await?;
    let rows: Vec<(String, i64)> = on!(c.as_ref(), |c| sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(pairs: &[(&str, Value, i64)]) -> BTreeMap<String, (Value, i64)> {
        pairs.iter().map(|(k, v, n)| ((*k).to_owned(), (v.clone(), *n))).collect()
    }

    #[test]
    fn the_environment_wins_over_the_store_which_wins_over_the_default() {
        let d = docs(&[
            ("runtime", serde_json::json!({"throttling.registrations_per_ip": 3, "sessions.max_hours": 2}), 4),
            ("registration", serde_json::json!({"mode": "open"}), 1),
        ]);
        let mut env = Overrides::default();
        env.set("sessions.max_hours", 7);
        let r = Resolved::from_parts(&d, &env);
        assert_eq!(r.registrations_per_ip, 3);
        assert_eq!(r.values["throttling.registrations_per_ip"].source, Source::Database);
        assert_eq!(r.session_absolute, Duration::from_secs(7 * 3600));
        assert_eq!(r.values["sessions.max_hours"].source, Source::Environment);
        assert_eq!(r.values["sessions.max_hours"].stored, Some(serde_json::json!(2)));
        assert_eq!(r.login_limits.per_account, 5, "the default");
        assert_eq!(r.values["registration.mode"].value, "open");
        assert_eq!(r.values["registration.approval_required"].source, Source::Default);
    }

    #[test]
    fn a_bound_document_at_version_zero_holds_only_defaults() {
        let d = docs(&[("registration", serde_json::json!({"mode": "open"}), 0)]);
        let r = Resolved::from_parts(&d, &Overrides::default());
        assert_eq!(r.values["registration.mode"].source, Source::Default);
        assert_eq!(r.values["registration.mode"].value, "invite_only");
    }

    #[test]
    fn restart_settings_that_changed_are_pending() {
        let before = Resolved::from_parts(&BTreeMap::new(), &Overrides::default());
        let d = docs(&[(
            "runtime",
            serde_json::json!({"limits.read_concurrency": 3, "throttling.login_window_minutes": 9}),
            1,
        )]);
        let after = Resolved::from_parts(&d, &Overrides::default());
        let pending: Vec<String> = after.pending_restart(&before).iter().map(|s| s.id()).collect();
        assert_eq!(pending, ["limits.read_concurrency"]);
    }
}
