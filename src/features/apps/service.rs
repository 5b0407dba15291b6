//! The rules of an app's registration policy (rw3iss `UpdateAppRequest`):
//! reading a create or PATCH body field by field, the three states of each
//! field (absent: unchanged; `""` / `[]`: cleared; a value: set), and the
//! changes, each one transaction with its moderation-log entry.
//!
//! As the seed says, `null` is read like an absent key (rw3iss does not tell
//! "omit" from "set null"); `""` is what clears. `name` and `status` cannot be
//! cleared.

use serde_json::Value;

use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::features::settings::body::Fields;
use crate::features::settings::validate;
use crate::server::storage::apps::{self, AppRow, AppWebhookRow};
use crate::server::storage::{ConnRef, Db, audit};

/// `active`: sign-ups and sign-ins through the app work; `disabled`: refused.
pub const STATUSES: [&str; 2] = ["active", "disabled"];
/// What `allowed_auth_methods` may hold; `[]` allows every method the instance offers.
pub const AUTH_METHODS: [&str; 4] = ["password", "oidc", "magic_link", "passkey"];
/// Events an app webhook may subscribe to; `[]` is every event.
pub const APP_EVENTS: [&str; 1] = ["user.created"];

/// Every key a create or PATCH body may carry.
pub const FIELDS: [&str; 14] = [
    "name",
    "description",
    "status",
    "allowed_redirect_urls",
    "service_codes",
    "auto_grant_on_signup",
    "frontend_url",
    "allowed_email_domains",
    "allowed_auth_methods",
    "default_organization_id",
    "registration_namespace",
    "registration_namespaces",
    "read_namespaces",
    "webhooks",
];

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 500;
/// Most entries of one list field.
pub const LIST_MAX: usize = 50;
/// Most webhooks of one app.
pub const WEBHOOKS_MAX: usize = 20;
const IDENT_MAX: usize = 64;
const SECRET_MIN: usize = 16;
const SECRET_MAX: usize = 256;

/// An app's policy with its lists parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub status: String,
    pub allowed_redirect_urls: Vec<String>,
    pub service_codes: Vec<String>,
    pub auto_grant_on_signup: bool,
    /// `None`: emails point at the instance's public URL.
    pub frontend_url: Option<String>,
    pub allowed_email_domains: Vec<String>,
    pub allowed_auth_methods: Vec<String>,
    pub default_organization_id: Option<i64>,
    pub registration_namespace: Option<String>,
    pub registration_namespaces: Vec<String>,
    pub read_namespaces: Vec<String>,
}

impl Policy {
    /// The pools new sign-ups may register into: the plural list when it
    /// holds any, else the singular default pool (rw3iss: clearing the legacy
    /// plural list makes the singular one authoritative).
    pub fn registration_pool(&self) -> Vec<String> {
        if self.registration_namespaces.is_empty() {
            self.registration_namespace.iter().cloned().collect()
        } else {
            self.registration_namespaces.clone()
        }
    }

    pub fn of(r: &AppRow) -> Policy {
        let list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
        Policy {
            name: r.name.clone(),
            description: r.description.clone(),
            status: r.status.clone(),
            allowed_redirect_urls: list(&r.allowed_redirect_urls),
            service_codes: list(&r.service_codes),
            auto_grant_on_signup: r.auto_grant_on_signup,
            frontend_url: r.frontend_url.clone(),
            allowed_email_domains: list(&r.allowed_email_domains),
            allowed_auth_methods: list(&r.allowed_auth_methods),
            default_organization_id: r.default_organization_id,
            registration_namespace: r.registration_namespace.clone(),
            registration_namespaces: list(&r.registration_namespaces),
            read_namespaces: list(&r.read_namespaces),
        }
    }

    fn row(&self, id: i64) -> AppRow {
        let list = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        AppRow {
            id,
            name: self.name.clone(),
            description: self.description.clone(),
            status: self.status.clone(),
            allowed_redirect_urls: list(&self.allowed_redirect_urls),
            service_codes: list(&self.service_codes),
            auto_grant_on_signup: self.auto_grant_on_signup,
            frontend_url: self.frontend_url.clone(),
            allowed_email_domains: list(&self.allowed_email_domains),
            allowed_auth_methods: list(&self.allowed_auth_methods),
            default_organization_id: self.default_organization_id,
            registration_namespace: self.registration_namespace.clone(),
            registration_namespaces: list(&self.registration_namespaces),
            read_namespaces: list(&self.read_namespaces),
            created_at: 0,
            updated_at: 0,
        }
    }
}

/// One webhook as a body gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    /// A signing key chosen by the caller; absent keeps the stored one (or
    /// generates one for a new URL).
    pub secret: Option<String>,
}

/// A checked create or PATCH body: `None` leaves a field as it is; for the
/// clearable single values `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct AppEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub allowed_redirect_urls: Option<Vec<String>>,
    pub service_codes: Option<Vec<String>>,
    pub auto_grant_on_signup: Option<bool>,
    pub frontend_url: Option<Option<String>>,
    pub allowed_email_domains: Option<Vec<String>>,
    pub allowed_auth_methods: Option<Vec<String>>,
    pub default_organization_id: Option<Option<i64>>,
    pub registration_namespace: Option<Option<String>>,
    pub registration_namespaces: Option<Vec<String>>,
    pub read_namespaces: Option<Vec<String>>,
    pub webhooks: Option<Vec<WebhookInput>>,
}

impl AppEdit {
    /// Reads a JSON body; every refusal is a 422 naming its field.
    pub fn read(body: Value) -> Result<AppEdit, AppError> {
        let f = Fields::exact(body, "", &FIELDS)?;
        Ok(AppEdit {
            name: match f.opt::<String>("name")? {
                Some(s) => Some(
                    validate::text("name", &s, NAME_MAX)?
                        .ok_or_else(|| AppError::validation("name", "Give the app a name; it cannot be cleared."))?,
                ),
                None => None,
            },
            description: match f.opt::<String>("description")? {
                Some(s) => Some(validate::text("description", &s, DESCRIPTION_MAX)?.unwrap_or_default()),
                None => None,
            },
            status: match f.opt::<String>("status")? {
                Some(s) => Some(one_of("status", &s, &STATUSES)?),
                None => None,
            },
            allowed_redirect_urls: read_list(&f, "allowed_redirect_urls", |p, s| {
                validate::http_url(p, s)?.ok_or_else(|| AppError::validation(p, "An entry is empty."))
            })?,
            service_codes: read_list(&f, "service_codes", ident)?,
            auto_grant_on_signup: f.opt::<bool>("auto_grant_on_signup")?,
            frontend_url: f
                .opt::<String>("frontend_url")?
                .map(|s| validate::http_url("frontend_url", &s))
                .transpose()?,
            allowed_email_domains: read_list(&f, "allowed_email_domains", validate::domain)?,
            allowed_auth_methods: read_list(&f, "allowed_auth_methods", |p, s| one_of(p, s, &AUTH_METHODS))?,
            default_organization_id: f
                .opt::<Value>("default_organization_id")?
                .map(|v| organization_id(&v))
                .transpose()?,
            registration_namespace: match f.opt::<String>("registration_namespace")? {
                Some(s) if s.trim().is_empty() => Some(None),
                Some(s) => Some(Some(ident("registration_namespace", &s)?)),
                None => None,
            },
            registration_namespaces: read_list(&f, "registration_namespaces", ident)?,
            read_namespaces: read_list(&f, "read_namespaces", ident)?,
            webhooks: f.opt::<Vec<Value>>("webhooks")?.map(webhooks).transpose()?,
        })
    }

    /// Applies the edit to `p`; the names of the fields it changed (webhooks
    /// are compared by the caller, against storage).
    fn apply(&self, p: &mut Policy) -> Vec<&'static str> {
        let mut changed = Vec::new();
        macro_rules! set {
            ($($field:ident),*) => {$(
                if let Some(v) = &self.$field && *v != p.$field {
                    p.$field = v.clone();
                    changed.push(stringify!($field));
                }
            )*};
        }
        set!(
            name,
            description,
            status,
            allowed_redirect_urls,
            service_codes,
            auto_grant_on_signup,
            frontend_url,
            allowed_email_domains,
            allowed_auth_methods,
            default_organization_id,
            registration_namespace,
            registration_namespaces,
            read_namespaces
        );
        changed
    }
}

fn one_of(param: &str, raw: &str, allowed: &[&str]) -> Result<String, AppError> {
    let s = raw.trim();
    allowed.iter().find(|a| **a == s).map(|a| (*a).to_owned()).ok_or_else(|| {
        let shown: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
        AppError::validation(param, format!("{shown:?} is not one of: {}.", allowed.join(", ")))
    })
}

/// A pool or service code: letters, digits, `_ . : -`, starting with a letter or digit.
fn ident(param: &str, raw: &str) -> Result<String, AppError> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= IDENT_MAX
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(AppError::validation(
            param,
            format!("Use up to {IDENT_MAX} letters, digits, `_`, `.`, `:` or `-`, starting with a letter or digit."),
        ))
    }
}

/// A list field: each entry checked, duplicates dropped, at most [`LIST_MAX`].
fn read_list(
    f: &Fields,
    key: &str,
    check: impl Fn(&str, &str) -> Result<String, AppError>,
) -> Result<Option<Vec<String>>, AppError> {
    let Some(items) = f.opt::<Vec<String>>(key)? else { return Ok(None) };
    if items.len() > LIST_MAX {
        return Err(AppError::validation(key, format!("Give at most {LIST_MAX} entries.")));
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in &items {
        let v = check(key, item)?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(Some(out))
}

/// `""` clears; an id as a number or a string of digits sets.
fn organization_id(v: &Value) -> Result<Option<i64>, AppError> {
    let bad = || AppError::validation("default_organization_id", "Give an organization's id, or \"\" to clear it.");
    let id = match v {
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| bad())?,
        Value::Number(n) => n.as_i64().ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if id > 0 { Ok(Some(id)) } else { Err(bad()) }
}

fn webhooks(items: Vec<Value>) -> Result<Vec<WebhookInput>, AppError> {
    if items.len() > WEBHOOKS_MAX {
        return Err(AppError::validation("webhooks", format!("Give at most {WEBHOOKS_MAX} webhooks.")));
    }
    let mut out: Vec<WebhookInput> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let prefix = format!("webhooks[{i}]");
        let f = Fields::exact(item, &prefix, &["url", "events", "enabled", "secret"])?;
        let p = |k: &str| f.param(k);
        let url = f
            .opt::<String>("url")?
            .map(|u| validate::http_url(&p("url"), &u))
            .transpose()?
            .flatten()
            .ok_or_else(|| AppError::validation(&p("url"), "Give the webhook's URL."))?;
        if out.iter().any(|w| w.url == url) {
            return Err(AppError::validation(&p("url"), "This URL is listed twice."));
        }
        let mut events: Vec<String> = Vec::new();
        for e in f.opt::<Vec<String>>("events")?.unwrap_or_default() {
            let e = one_of(&p("events"), &e, &APP_EVENTS)?;
            if !events.contains(&e) {
                events.push(e);
            }
        }
        let secret = match f.opt::<String>("secret")? {
            Some(s)
                if s.chars().count() < SECRET_MIN
                    || s.chars().count() > SECRET_MAX
                    || s.chars().any(char::is_control) =>
            {
                return Err(AppError::validation(
                    &p("secret"),
                    format!("A secret has {SECRET_MIN} to {SECRET_MAX} characters on one line."),
                ));
            }
            s => s,
        };
        out.push(WebhookInput { url, events, enabled: f.opt::<bool>("enabled")?.unwrap_or(true), secret });
    }
    Ok(out)
}

/// An app with its webhooks, and any signing key generated by this change
/// (returned once, by endpoint id).
#[derive(Debug, Clone)]
pub struct AppDetail {
    pub id: i64,
    pub policy: Policy,
    pub webhooks: Vec<AppWebhookRow>,
    pub new_secrets: Vec<(i64, String)>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AppDetail {
    fn of(row: &AppRow, webhooks: Vec<AppWebhookRow>) -> AppDetail {
        AppDetail {
            id: row.id,
            policy: Policy::of(row),
            webhooks,
            new_secrets: Vec::new(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Every app with its webhooks, oldest first.
pub async fn list(db: &Db) -> Result<Vec<AppDetail>, AppError> {
    let mut conn = db.conn().await?;
    let rows = apps::list(conn.as_ref()).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut hooks = apps::webhooks(conn.as_ref(), &ids).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let (mine, rest) = hooks.drain(..).partition(|h| h.app_id == r.id);
            hooks = rest;
            AppDetail::of(r, mine)
        })
        .collect())
}

pub async fn find(db: &Db, id: i64) -> Result<AppDetail, AppError> {
    let mut conn = db.conn().await?;
    let row = apps::find(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    let hooks = apps::webhooks(conn.as_ref(), &[id]).await?;
    Ok(AppDetail::of(&row, hooks))
}

async fn check_organization(c: ConnRef<'_>, edit: &AppEdit) -> Result<(), AppError> {
    if let Some(Some(org)) = edit.default_organization_id
        && !apps::organization_exists(c, org).await?
    {
        return Err(AppError::validation("default_organization_id", format!("There is no organization #{org}.")));
    }
    Ok(())
}

/// Makes the stored webhooks of `app_id` exactly `wanted`: a URL that stays
/// keeps its row and secret (unless a new secret is given), a removed URL's
/// row goes, a new URL gets a row with the given or a fresh random secret.
/// Returns whether anything changed and the generated secrets by id.
async fn replace_webhooks(
    mut c: ConnRef<'_>,
    app_id: i64,
    wanted: &[WebhookInput],
) -> Result<(bool, Vec<(i64, String)>), AppError> {
    let stored = apps::webhooks(c.reborrow(), &[app_id]).await?;
    let (mut changed, mut generated) = (false, Vec::new());
    for old in stored.iter().filter(|o| !wanted.iter().any(|w| w.url == o.url)) {
        apps::delete_webhook(c.reborrow(), old.id).await?;
        changed = true;
    }
    for w in wanted {
        let events = serde_json::to_string(&w.events).unwrap_or_else(|_| "[]".into());
        match stored.iter().find(|o| o.url == w.url) {
            Some(old) => {
                let new_secret = w.secret.as_deref().filter(|s| *s != old.secret);
                if old.events != events || old.enabled != w.enabled || new_secret.is_some() {
                    apps::update_webhook(c.reborrow(), old.id, &events, w.enabled, new_secret).await?;
                    changed = true;
                }
            }
            None => {
                let secret = w.secret.clone().unwrap_or_else(crate::auth::tokens::generate);
                let id = apps::insert_webhook(c.reborrow(), app_id, &w.url, &events, w.enabled, &secret).await?;
                if w.secret.is_none() {
                    generated.push((id, secret));
                }
                changed = true;
            }
        }
    }
    Ok((changed, generated))
}

/// Creates an app from a body whose `name` is required.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn create(db: &Db, ctx: &AdminCtx, edit: &AppEdit) -> Result<AppDetail, AppError> {
    if edit.name.is_none() {
        return Err(AppError::validation("name", "Give the app a name."));
    }
    let staff = ctx.staff();
    let mut policy = Policy { status: STATUSES[0].to_owned(), ..Policy::default() };
    edit.apply(&mut policy);
    let mut tx = db.begin().await?;
    check_organization(tx.conn(), edit).await?;
    let id = apps::insert(tx.conn(), &policy.row(0)).await?;
    let (_, new_secrets) = replace_webhooks(tx.conn(), id, edit.webhooks.as_deref().unwrap_or_default()).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: staff.into(),
            action: "app.create",
            subject_users: &[],
            data: serde_json::json!({ "app_id": id, "name": policy.name }),
            message: format!("@{} created app #{id} “{}”", staff.nickname, policy.name),
        },
    )
    .await?;
    let row = apps::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let hooks = apps::webhooks(tx.conn(), &[id]).await?;
    tx.commit().await?;
    Ok(AppDetail { new_secrets, ..AppDetail::of(&row, hooks) })
}

/// Applies a PATCH: only the keys present change. Logs the names of the
/// changed fields (never values: webhooks carry secrets); a body that
/// changes nothing writes nothing.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, app = id), err(level = "info"))]
pub async fn update(db: &Db, ctx: &AdminCtx, id: i64, edit: &AppEdit) -> Result<AppDetail, AppError> {
    let staff = ctx.staff();
    let mut tx = db.begin().await?;
    let row = apps::lock(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    check_organization(tx.conn(), edit).await?;
    let mut policy = Policy::of(&row);
    let mut changed = edit.apply(&mut policy);
    if !changed.is_empty() {
        apps::update(tx.conn(), &policy.row(id)).await?;
    }
    let mut new_secrets = Vec::new();
    if let Some(hooks) = &edit.webhooks {
        let (hooks_changed, generated) = replace_webhooks(tx.conn(), id, hooks).await?;
        new_secrets = generated;
        if hooks_changed {
            changed.push("webhooks");
        }
    }
    if !changed.is_empty() {
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: staff.into(),
                action: "app.update",
                subject_users: &[],
                data: serde_json::json!({ "app_id": id, "fields": changed }),
                message: format!("@{} changed app #{id} “{}”: {}", staff.nickname, policy.name, changed.join(", ")),
            },
        )
        .await?;
    }
    let row = apps::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let hooks = apps::webhooks(tx.conn(), &[id]).await?;
    tx.commit().await?;
    Ok(AppDetail { new_secrets, ..AppDetail::of(&row, hooks) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn param(body: Value) -> String {
        match AppEdit::read(body) {
            Err(AppError::Validation { param, .. }) => param,
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn three_states_per_field() {
        let e =
            AppEdit::read(json!({"frontend_url": "", "registration_namespace": null, "read_namespaces": []})).unwrap();
        assert_eq!(e.frontend_url, Some(None));
        assert_eq!(e.registration_namespace, None, "null reads as absent");
        assert_eq!(e.read_namespaces, Some(vec![]));
        assert!(e.description.is_none() && e.webhooks.is_none());
        let e = AppEdit::read(json!({"default_organization_id": "12"})).unwrap();
        assert_eq!(e.default_organization_id, Some(Some(12)));
        let e = AppEdit::read(json!({"default_organization_id": ""})).unwrap();
        assert_eq!(e.default_organization_id, Some(None));
    }

    #[test]
    fn refusals_name_their_field() {
        assert_eq!(param(json!({"nope": 1})), "nope");
        assert_eq!(param(json!({"expected_version": 1})), "expected_version");
        assert_eq!(param(json!({"name": ""})), "name");
        assert_eq!(param(json!({"status": "gone"})), "status");
        assert_eq!(param(json!({"service_codes": "a"})), "service_codes");
        assert_eq!(param(json!({"frontend_url": "javascript:alert(1)"})), "frontend_url");
        assert_eq!(param(json!({"allowed_auth_methods": ["sms"]})), "allowed_auth_methods");
        assert_eq!(param(json!({"webhooks": [{"url": "https://a.org/h", "x": 1}]})), "webhooks[0].x");
        assert_eq!(param(json!({"webhooks": [{"url": "https://a.org/h", "events": ["nope"]}]})), "webhooks[0].events");
        assert_eq!(param(json!({"default_organization_id": true})), "default_organization_id");
    }

    #[test]
    fn the_pool_falls_back_to_the_singular_namespace() {
        let mut p = Policy { registration_namespace: Some("main".into()), ..Policy::default() };
        assert_eq!(p.registration_pool(), ["main"]);
        p.registration_namespaces = vec!["a".into(), "b".into()];
        assert_eq!(p.registration_pool(), ["a", "b"]);
    }
}
