//! Data for the settings pages, admins only. The SSO client secret never
//! leaves the server: the page learns only whether one is set.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An allowlist or blocklist entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Identifier {
    pub id: i64,
    pub identifier: String,
    pub kind: String,
}

/// `/settings/registration`: the policy, the review window, the restrictions
/// and both lists, each document with its version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RegistrationData {
    pub mode: String,
    pub approval_required: bool,
    pub confirmation_required: bool,
    pub reason_required: bool,
    pub policy_version: i64,
    pub review_enabled: bool,
    pub review_scheduled: bool,
    pub start_hour: u8,
    pub end_hour: u8,
    pub config_version: i64,
    /// The instance clock's hour (UTC) the page was made at.
    pub now_hour: u8,
    pub active_now: bool,
    /// The next hour (UTC) review switches on or off, if it ever does.
    pub next_change: Option<u8>,
    /// `[allowlist, blocklist, block_email_subaddresses, block_disposable_email_domains, ignore_dots_for_gmail_addresses]`.
    pub restrictions: [bool; 5],
    pub restrictions_version: i64,
    pub allowlist: Vec<Identifier>,
    pub blocklist: Vec<Identifier>,
}

#[server]
pub async fn registration_settings() -> Result<RegistrationData, AppError> {
    let ctx = crate::auth::admin()?;
    registration_data(&crate::server::state::AppState::get()?, &ctx).await
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn registration_data(
    state: &crate::server::state::AppState,
    ctx: &crate::auth::AdminCtx,
) -> Result<RegistrationData, AppError> {
    use crate::domain::settings::{InstanceConfig, RegistrationPolicy, Restrictions, next_change_hour};
    use crate::server::settings::load;
    use crate::server::storage::restriction_identifiers as rows;

    let _ = ctx;
    let mut c = state.db.conn().await?;
    let policy = load::<RegistrationPolicy>(c.as_ref()).await?;
    let config = load::<InstanceConfig>(c.as_ref()).await?;
    let r = load::<Restrictions>(c.as_ref()).await?;
    let ident = |rows: Vec<rows::Row>| {
        rows.into_iter().map(|r| Identifier { id: r.id, identifier: r.identifier, kind: r.identifier_type }).collect()
    };
    let allowlist = ident(rows::list(c.as_ref(), rows::ALLOWLIST).await?);
    let blocklist = ident(rows::list(c.as_ref(), rows::BLOCKLIST).await?);
    let now_hour = state.config.clock.now().hour();
    let window = config.doc.review_window();
    Ok(RegistrationData {
        mode: policy.doc.mode.as_str().into(),
        approval_required: policy.doc.approval_required,
        confirmation_required: policy.doc.confirmation_required,
        reason_required: policy.doc.reason_required,
        policy_version: policy.version,
        review_enabled: window.enabled,
        review_scheduled: window.scheduled,
        start_hour: window.start_hour,
        end_hour: window.end_hour,
        config_version: config.version,
        now_hour,
        active_now: window.active_at(now_hour),
        next_change: next_change_hour(&window, now_hour),
        restrictions: [
            r.doc.allowlist,
            r.doc.blocklist,
            r.doc.block_email_subaddresses,
            r.doc.block_disposable_email_domains,
            r.doc.ignore_dots_for_gmail_addresses,
        ],
        restrictions_version: r.version,
        allowlist,
        blocklist,
    })
}

/// `/settings/instance`: Clerk's instance and organization settings and
/// Fluxer's webhooks and SSO block (without its secret).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InstanceData {
    pub test_mode: bool,
    pub hibp: bool,
    pub enhanced_email_deliverability: bool,
    pub support_email: String,
    pub clerk_js_version: String,
    pub development_origin: String,
    pub allowed_origins: Vec<String>,
    pub cookieless_dev: bool,
    pub url_based_session_syncing: bool,
    pub instance_version: i64,
    pub registration_webhook: String,
    pub system_webhook: String,
    pub sso_enabled: bool,
    /// display_name, issuer, authorization_url, token_url, userinfo_url,
    /// jwks_url, client_id, scope, redirect_uri — in that order.
    pub sso_text: Vec<String>,
    pub sso_domains: Vec<String>,
    pub sso_auto_provision: bool,
    pub secret_set: bool,
    pub config_version: i64,
    pub org_enabled: bool,
    pub max_allowed_memberships: i64,
    pub admin_delete_enabled: bool,
    pub domains_enabled: bool,
    pub domains_enrollment_modes: Vec<String>,
    pub creator_role: String,
    pub domains_default_role: String,
    pub org_version: i64,
}

#[server]
pub async fn instance_settings() -> Result<InstanceData, AppError> {
    let ctx = crate::auth::admin()?;
    instance_data(&crate::server::state::AppState::get()?, &ctx).await
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn instance_data(
    state: &crate::server::state::AppState,
    ctx: &crate::auth::AdminCtx,
) -> Result<InstanceData, AppError> {
    use crate::domain::settings::{InstanceConfig, InstanceSettings, OrganizationSettings};
    use crate::server::settings::load;

    let _ = ctx;
    let mut c = state.db.conn().await?;
    let i = load::<InstanceSettings>(c.as_ref()).await?;
    let f = load::<InstanceConfig>(c.as_ref()).await?;
    let o = load::<OrganizationSettings>(c.as_ref()).await?;
    let s = &f.doc.sso;
    let or = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(InstanceData {
        test_mode: i.doc.test_mode,
        hibp: i.doc.hibp,
        enhanced_email_deliverability: i.doc.enhanced_email_deliverability,
        support_email: or(&i.doc.support_email),
        clerk_js_version: or(&i.doc.clerk_js_version),
        development_origin: or(&i.doc.development_origin),
        allowed_origins: i.doc.allowed_origins.clone(),
        cookieless_dev: i.doc.cookieless_dev,
        url_based_session_syncing: i.doc.url_based_session_syncing,
        instance_version: i.version,
        registration_webhook: or(&f.doc.registration_alerts_webhook_url),
        system_webhook: or(&f.doc.system_alerts_webhook_url),
        sso_enabled: s.enabled,
        sso_text: [
            &s.display_name,
            &s.issuer,
            &s.authorization_url,
            &s.token_url,
            &s.userinfo_url,
            &s.jwks_url,
            &s.client_id,
            &s.scope,
            &s.redirect_uri,
        ]
        .into_iter()
        .map(or)
        .collect(),
        sso_domains: s.allowed_domains.clone(),
        sso_auto_provision: s.auto_provision,
        secret_set: s.client_secret.is_some(),
        config_version: f.version,
        org_enabled: o.doc.enabled,
        max_allowed_memberships: o.doc.max_allowed_memberships,
        admin_delete_enabled: o.doc.admin_delete_enabled,
        domains_enabled: o.doc.domains_enabled,
        domains_enrollment_modes: o.doc.domains_enrollment_modes.clone(),
        creator_role: o.doc.creator_role.clone(),
        domains_default_role: o.doc.domains_default_role.clone(),
        org_version: o.version,
    })
}
