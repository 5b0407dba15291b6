//! The edits of each settings document, read from a JSON object (the API's
//! body, or a form turned into one) and checked in full before the store's
//! transaction starts, so a refusal changes nothing. Applying an edit cannot
//! fail. Also the documents as the API shows them.

use serde::Serialize;
use utoipa::ToSchema;

use super::body::{Fields, Given};
use super::validate;
use crate::domain::settings::{ENROLLMENT_MODES, InstanceConfig, InstanceSettings, OrganizationSettings, Restrictions};
use crate::error::AppError;

/// Most entries a list field (origins, SSO domains) may hold.
const MAX_LIST: usize = 100;

fn bool_field(f: &Fields, key: &str) -> Result<Option<bool>, AppError> {
    f.opt::<bool>(key)
}

/// A nullable URL: `null` or `""` clears it.
fn url_field(f: &Fields, key: &str) -> Result<Option<Option<String>>, AppError> {
    Ok(match f.given::<String>(key)? {
        Given::Absent => None,
        Given::Null => Some(None),
        Given::Value(s) => Some(validate::http_url(&f.param(key), &s)?),
    })
}

/// A nullable line of text: `null` or `""` clears it.
fn text_field(f: &Fields, key: &str, max: usize) -> Result<Option<Option<String>>, AppError> {
    Ok(match f.given::<String>(key)? {
        Given::Absent => None,
        Given::Null => Some(None),
        Given::Value(s) => Some(validate::text(&f.param(key), &s, max)?),
    })
}

fn hour_field(f: &Fields, key: &str) -> Result<Option<u8>, AppError> {
    f.opt::<i64>(key)?.map(|h| validate::hour(&f.param(key), h)).transpose()
}

/// Each entry checked by `check`, duplicates dropped, order kept.
fn list_field(
    f: &Fields,
    key: &str,
    check: impl Fn(&str, &str) -> Result<String, AppError>,
) -> Result<Option<Vec<String>>, AppError> {
    let Some(raw) = f.opt::<Vec<String>>(key)? else { return Ok(None) };
    let param = f.param(key);
    if raw.len() > MAX_LIST {
        return Err(AppError::validation(&param, format!("List at most {MAX_LIST} entries.")));
    }
    let mut out: Vec<String> = Vec::new();
    for r in raw {
        let v = check(&param, &r)?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(Some(out))
}

fn set<T: Clone>(target: &mut T, v: &Option<T>) {
    if let Some(v) = v {
        *target = v.clone();
    }
}

// ---- Fluxer: instance config ----

pub const CONFIG_FIELDS: [&str; 7] = [
    "manual_review_enabled",
    "manual_review_schedule_enabled",
    "manual_review_schedule_start_hour_utc",
    "manual_review_schedule_end_hour_utc",
    "registration_alerts_webhook_url",
    "system_alerts_webhook_url",
    "sso",
];

pub const SSO_FIELDS: [&str; 13] = [
    "enabled",
    "display_name",
    "issuer",
    "authorization_url",
    "token_url",
    "userinfo_url",
    "jwks_url",
    "client_id",
    "client_secret",
    "scope",
    "allowed_domains",
    "auto_provision",
    "redirect_uri",
];

/// Fluxer's update: fields present change, absent stay.
#[derive(Default)]
pub struct ConfigEdit {
    enabled: Option<bool>,
    scheduled: Option<bool>,
    start: Option<u8>,
    end: Option<u8>,
    registration_webhook: Option<Option<String>>,
    system_webhook: Option<Option<String>>,
    sso: Option<SsoEdit>,
}

#[derive(Default)]
struct SsoEdit {
    enabled: Option<bool>,
    display_name: Option<Option<String>>,
    issuer: Option<Option<String>>,
    authorization_url: Option<Option<String>>,
    token_url: Option<Option<String>>,
    userinfo_url: Option<Option<String>>,
    jwks_url: Option<Option<String>>,
    client_id: Option<Option<String>>,
    /// Omitted keeps the stored secret; `null` or `""` clears it.
    client_secret: Option<Option<String>>,
    scope: Option<Option<String>>,
    allowed_domains: Option<Vec<String>>,
    auto_provision: Option<bool>,
    redirect_uri: Option<Option<String>>,
}

impl ConfigEdit {
    pub fn read(f: &Fields) -> Result<ConfigEdit, AppError> {
        Ok(ConfigEdit {
            enabled: bool_field(f, "manual_review_enabled")?,
            scheduled: bool_field(f, "manual_review_schedule_enabled")?,
            start: hour_field(f, "manual_review_schedule_start_hour_utc")?,
            end: hour_field(f, "manual_review_schedule_end_hour_utc")?,
            registration_webhook: url_field(f, "registration_alerts_webhook_url")?,
            system_webhook: url_field(f, "system_alerts_webhook_url")?,
            sso: f.nested("sso", &SSO_FIELDS)?.map(|s| SsoEdit::read(&s)).transpose()?,
        })
    }

    pub fn apply(&self, c: &mut InstanceConfig) {
        set(&mut c.manual_review_enabled, &self.enabled);
        set(&mut c.manual_review_schedule_enabled, &self.scheduled);
        set(&mut c.manual_review_schedule_start_hour_utc, &self.start);
        set(&mut c.manual_review_schedule_end_hour_utc, &self.end);
        set(&mut c.registration_alerts_webhook_url, &self.registration_webhook);
        set(&mut c.system_alerts_webhook_url, &self.system_webhook);
        if let Some(s) = &self.sso {
            s.apply(&mut c.sso);
        }
    }
}

impl SsoEdit {
    fn read(f: &Fields) -> Result<SsoEdit, AppError> {
        let secret = match f.given::<String>("client_secret")? {
            Given::Absent => None,
            Given::Null => Some(None),
            Given::Value(s) => Some(validate::text(&f.param("client_secret"), &s, 1000)?),
        };
        Ok(SsoEdit {
            enabled: bool_field(f, "enabled")?,
            display_name: text_field(f, "display_name", 100)?,
            issuer: match f.given::<String>("issuer")? {
                Given::Absent => None,
                Given::Null => Some(None),
                Given::Value(s) => Some(validate::issuer(&f.param("issuer"), &s)?),
            },
            authorization_url: url_field(f, "authorization_url")?,
            token_url: url_field(f, "token_url")?,
            userinfo_url: url_field(f, "userinfo_url")?,
            jwks_url: url_field(f, "jwks_url")?,
            client_id: text_field(f, "client_id", 500)?,
            client_secret: secret,
            scope: text_field(f, "scope", 500)?,
            allowed_domains: list_field(f, "allowed_domains", validate::domain)?,
            auto_provision: bool_field(f, "auto_provision")?,
            redirect_uri: url_field(f, "redirect_uri")?,
        })
    }

    fn apply(&self, s: &mut crate::domain::settings::Sso) {
        set(&mut s.enabled, &self.enabled);
        set(&mut s.display_name, &self.display_name);
        set(&mut s.issuer, &self.issuer);
        set(&mut s.authorization_url, &self.authorization_url);
        set(&mut s.token_url, &self.token_url);
        set(&mut s.userinfo_url, &self.userinfo_url);
        set(&mut s.jwks_url, &self.jwks_url);
        set(&mut s.client_id, &self.client_id);
        set(&mut s.client_secret, &self.client_secret);
        set(&mut s.scope, &self.scope);
        set(&mut s.allowed_domains, &self.allowed_domains);
        set(&mut s.auto_provision, &self.auto_provision);
        set(&mut s.redirect_uri, &self.redirect_uri);
    }
}

/// Fluxer's instance config as its API answers it: the SSO secret replaced
/// by `client_secret_set`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigView {
    pub manual_review_enabled: bool,
    pub manual_review_schedule_enabled: bool,
    pub manual_review_schedule_start_hour_utc: i32,
    pub manual_review_schedule_end_hour_utc: i32,
    /// Whether new registrations wait for review at this hour.
    pub manual_review_active_now: bool,
    pub registration_alerts_webhook_url: Option<String>,
    pub system_alerts_webhook_url: Option<String>,
    pub sso: SsoView,
    /// Always true: Steward is self-hosted.
    pub self_hosted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SsoView {
    pub enabled: bool,
    pub display_name: Option<String>,
    pub issuer: Option<String>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub jwks_url: Option<String>,
    pub client_id: Option<String>,
    /// Whether a client secret is stored (it is never returned).
    pub client_secret_set: bool,
    pub scope: Option<String>,
    pub allowed_domains: Vec<String>,
    pub auto_provision: bool,
    pub redirect_uri: Option<String>,
}

impl ConfigView {
    /// The view at `hour` (UTC) of the instance's clock.
    pub fn of(c: &InstanceConfig, hour: u8) -> ConfigView {
        let s = &c.sso;
        ConfigView {
            manual_review_enabled: c.manual_review_enabled,
            manual_review_schedule_enabled: c.manual_review_schedule_enabled,
            manual_review_schedule_start_hour_utc: c.manual_review_schedule_start_hour_utc.into(),
            manual_review_schedule_end_hour_utc: c.manual_review_schedule_end_hour_utc.into(),
            manual_review_active_now: c.review_window().active_at(hour),
            registration_alerts_webhook_url: c.registration_alerts_webhook_url.clone(),
            system_alerts_webhook_url: c.system_alerts_webhook_url.clone(),
            sso: SsoView {
                enabled: s.enabled,
                display_name: s.display_name.clone(),
                issuer: s.issuer.clone(),
                authorization_url: s.authorization_url.clone(),
                token_url: s.token_url.clone(),
                userinfo_url: s.userinfo_url.clone(),
                jwks_url: s.jwks_url.clone(),
                client_id: s.client_id.clone(),
                client_secret_set: s.client_secret.is_some(),
                scope: s.scope.clone(),
                allowed_domains: s.allowed_domains.clone(),
                auto_provision: s.auto_provision,
                redirect_uri: s.redirect_uri.clone(),
            },
            self_hosted: true,
        }
    }
}

// ---- Clerk: instance settings ----

pub const INSTANCE_FIELDS: [&str; 9] = [
    "test_mode",
    "hibp",
    "enhanced_email_deliverability",
    "support_email",
    "clerk_js_version",
    "development_origin",
    "allowed_origins",
    "cookieless_dev",
    "url_based_session_syncing",
];

/// Clerk's `PATCH /instance`: `null` (or absent) leaves a field as it is;
/// `""` clears a text field.
#[derive(Default)]
pub struct InstanceEdit {
    test_mode: Option<bool>,
    hibp: Option<bool>,
    enhanced_email_deliverability: Option<bool>,
    support_email: Option<Option<String>>,
    clerk_js_version: Option<Option<String>>,
    development_origin: Option<Option<String>>,
    allowed_origins: Option<Vec<String>>,
    cookieless_dev: Option<bool>,
    url_based_session_syncing: Option<bool>,
}

/// A check of one text field: its cleaned value, `None` to clear it.
type Check = dyn Fn(&str, &str) -> Result<Option<String>, AppError>;

/// An origin, or failing that an http(s) URL (`development_origin`).
fn origin_or_url(param: &str, raw: &str) -> Result<Option<String>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    validate::origin(param, raw).map(Some).or_else(|_| validate::http_url(param, raw))
}

impl InstanceEdit {
    pub fn read(f: &Fields) -> Result<InstanceEdit, AppError> {
        let cleared = |key: &str, check: &Check| f.opt::<String>(key)?.map(|s| check(&f.param(key), &s)).transpose();
        Ok(InstanceEdit {
            test_mode: bool_field(f, "test_mode")?,
            hibp: bool_field(f, "hibp")?,
            enhanced_email_deliverability: bool_field(f, "enhanced_email_deliverability")?,
            support_email: cleared("support_email", &|p, s| {
                if s.trim().is_empty() { Ok(None) } else { validate::email(p, s).map(Some) }
            })?,
            clerk_js_version: cleared("clerk_js_version", &|p, s| validate::text(p, s, 50))?,
            development_origin: cleared("development_origin", &origin_or_url)?,
            allowed_origins: list_field(f, "allowed_origins", validate::origin)?,
            cookieless_dev: bool_field(f, "cookieless_dev")?,
            url_based_session_syncing: bool_field(f, "url_based_session_syncing")?,
        })
    }

    pub fn apply(&self, i: &mut InstanceSettings) {
        set(&mut i.test_mode, &self.test_mode);
        set(&mut i.hibp, &self.hibp);
        set(&mut i.enhanced_email_deliverability, &self.enhanced_email_deliverability);
        set(&mut i.support_email, &self.support_email);
        set(&mut i.clerk_js_version, &self.clerk_js_version);
        set(&mut i.development_origin, &self.development_origin);
        set(&mut i.allowed_origins, &self.allowed_origins);
        set(&mut i.cookieless_dev, &self.cookieless_dev);
        set(&mut i.url_based_session_syncing, &self.url_based_session_syncing);
    }
}

/// Clerk's instance object, with the settings and the stored version.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceView {
    /// Always `instance`.
    pub object: &'static str,
    pub id: &'static str,
    pub environment_type: &'static str,
    pub test_mode: bool,
    pub hibp: bool,
    pub enhanced_email_deliverability: bool,
    pub support_email: Option<String>,
    pub clerk_js_version: Option<String>,
    pub development_origin: Option<String>,
    pub allowed_origins: Vec<String>,
    pub cookieless_dev: bool,
    pub url_based_session_syncing: bool,
    /// The document's version: send it back as `expected_version`.
    pub version: i64,
}

impl InstanceView {
    pub fn of(i: &InstanceSettings, version: i64) -> InstanceView {
        InstanceView {
            object: "instance",
            id: "ins_steward",
            environment_type: "production",
            test_mode: i.test_mode,
            hibp: i.hibp,
            enhanced_email_deliverability: i.enhanced_email_deliverability,
            support_email: i.support_email.clone(),
            clerk_js_version: i.clerk_js_version.clone(),
            development_origin: i.development_origin.clone(),
            allowed_origins: i.allowed_origins.clone(),
            cookieless_dev: i.cookieless_dev,
            url_based_session_syncing: i.url_based_session_syncing,
            version,
        }
    }
}

// ---- Clerk: restrictions ----

pub const RESTRICTION_FIELDS: [&str; 5] = [
    "allowlist",
    "blocklist",
    "block_email_subaddresses",
    "block_disposable_email_domains",
    "ignore_dots_for_gmail_addresses",
];

#[derive(Default)]
pub struct RestrictionsEdit([Option<bool>; 5]);

impl RestrictionsEdit {
    pub fn read(f: &Fields) -> Result<RestrictionsEdit, AppError> {
        let mut e = RestrictionsEdit::default();
        for (slot, key) in e.0.iter_mut().zip(RESTRICTION_FIELDS) {
            *slot = bool_field(f, key)?;
        }
        Ok(e)
    }

    pub fn apply(&self, r: &mut Restrictions) {
        let [a, b, c, d, e] = &self.0;
        set(&mut r.allowlist, a);
        set(&mut r.blocklist, b);
        set(&mut r.block_email_subaddresses, c);
        set(&mut r.block_disposable_email_domains, d);
        set(&mut r.ignore_dots_for_gmail_addresses, e);
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RestrictionsView {
    /// Always `instance_restrictions`.
    pub object: &'static str,
    pub allowlist: bool,
    pub blocklist: bool,
    pub block_email_subaddresses: bool,
    pub block_disposable_email_domains: bool,
    pub ignore_dots_for_gmail_addresses: bool,
    pub version: i64,
}

impl RestrictionsView {
    pub fn of(r: &Restrictions, version: i64) -> RestrictionsView {
        RestrictionsView {
            object: "instance_restrictions",
            allowlist: r.allowlist,
            blocklist: r.blocklist,
            block_email_subaddresses: r.block_email_subaddresses,
            block_disposable_email_domains: r.block_disposable_email_domains,
            ignore_dots_for_gmail_addresses: r.ignore_dots_for_gmail_addresses,
            version,
        }
    }
}

// ---- Clerk: organization settings ----

pub const ORGANIZATION_FIELDS: [&str; 7] = [
    "enabled",
    "max_allowed_memberships",
    "admin_delete_enabled",
    "domains_enabled",
    "domains_enrollment_modes",
    "creator_role_id",
    "domains_default_role_id",
];

/// Clerk's `PATCH /instance/organization_settings`; the request names roles
/// by `…_role_id`, the response by `…_role`.
#[derive(Default)]
pub struct OrganizationEdit {
    enabled: Option<bool>,
    max_allowed_memberships: Option<i64>,
    admin_delete_enabled: Option<bool>,
    domains_enabled: Option<bool>,
    domains_enrollment_modes: Option<Vec<String>>,
    creator_role: Option<String>,
    domains_default_role: Option<String>,
}

fn role(param: &str, raw: &str) -> Result<String, AppError> {
    validate::text(param, raw, 100)?.ok_or_else(|| AppError::validation(param, "Name a role, like org:admin."))
}

impl OrganizationEdit {
    pub fn read(f: &Fields) -> Result<OrganizationEdit, AppError> {
        let max = f.opt::<i64>("max_allowed_memberships")?;
        if max.is_some_and(|m| !(0..=1_000_000).contains(&m)) {
            return Err(AppError::validation(
                &f.param("max_allowed_memberships"),
                "max_allowed_memberships must be from 0 to 1000000 (0: no limit).",
            ));
        }
        let modes = list_field(f, "domains_enrollment_modes", |p, m| {
            let m = m.trim();
            if ENROLLMENT_MODES.contains(&m) {
                Ok(m.to_owned())
            } else {
                Err(AppError::validation(p, format!("Enrollment modes are {}.", ENROLLMENT_MODES.join(", "))))
            }
        })?;
        Ok(OrganizationEdit {
            enabled: bool_field(f, "enabled")?,
            max_allowed_memberships: max,
            admin_delete_enabled: bool_field(f, "admin_delete_enabled")?,
            domains_enabled: bool_field(f, "domains_enabled")?,
            domains_enrollment_modes: modes,
            creator_role: f
                .opt::<String>("creator_role_id")?
                .map(|r| role(&f.param("creator_role_id"), &r))
                .transpose()?,
            domains_default_role: f
                .opt::<String>("domains_default_role_id")?
                .map(|r| role(&f.param("domains_default_role_id"), &r))
                .transpose()?,
        })
    }

    pub fn apply(&self, o: &mut OrganizationSettings) {
        set(&mut o.enabled, &self.enabled);
        set(&mut o.max_allowed_memberships, &self.max_allowed_memberships);
        set(&mut o.admin_delete_enabled, &self.admin_delete_enabled);
        set(&mut o.domains_enabled, &self.domains_enabled);
        set(&mut o.domains_enrollment_modes, &self.domains_enrollment_modes);
        set(&mut o.creator_role, &self.creator_role);
        set(&mut o.domains_default_role, &self.domains_default_role);
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationView {
    /// Always `organization_settings`.
    pub object: &'static str,
    pub enabled: bool,
    pub max_allowed_memberships: i64,
    pub max_allowed_roles: i64,
    pub max_allowed_permissions: i64,
    pub creator_role: String,
    pub admin_delete_enabled: bool,
    pub domains_enabled: bool,
    pub domains_enrollment_modes: Vec<String>,
    pub domains_default_role: String,
    pub version: i64,
}

impl OrganizationView {
    pub fn of(o: &OrganizationSettings, version: i64) -> OrganizationView {
        OrganizationView {
            object: "organization_settings",
            enabled: o.enabled,
            max_allowed_memberships: o.max_allowed_memberships,
            max_allowed_roles: o.max_allowed_roles,
            max_allowed_permissions: o.max_allowed_permissions,
            creator_role: o.creator_role.clone(),
            admin_delete_enabled: o.admin_delete_enabled,
            domains_enabled: o.domains_enabled,
            domains_enrollment_modes: o.domains_enrollment_modes.clone(),
            domains_default_role: o.domains_default_role.clone(),
            version,
        }
    }
}
