//! Public registration: the instance's policy applied to one application,
//! in order — throttle, input, mode and invite, restrictions, breached
//! password, uniqueness — then the account, its confirmation mail and its
//! log entry in one transaction. An address already in use gets the same
//! answer as a new one (and its owner a notice by mail), so the form cannot
//! be used to find out who has an account.

use serde::Deserialize;

pub use super::outcome::Outcome;
use super::via_app::{self, SignUpApp};
use super::{hibp, rules};
use crate::auth::{password, throttle};
use crate::domain::email_rules::canonical;
use crate::domain::settings::{InstanceConfig, InstanceSettings, RegistrationMode, RegistrationPolicy, Restrictions};
use crate::domain::{Email, Nickname, Password};
use crate::error::AppError;
use crate::features::organizations::service::join_on_sign_up;
use crate::mail::{self, Mail};
use crate::server::settings;
use crate::server::state::AppState;
use crate::server::storage::registrations::{self, Applicant};
use crate::server::storage::{ConnRef, Db, audit, invites};
use crate::webhooks;

/// Longest "why do you want to join", in characters.
pub const REASON_MAX: usize = 1_000;

/// What a person sends to register.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Application {
    pub nickname: String,
    pub email: String,
    pub password: String,
    /// The form asks twice; the API may leave it out.
    #[serde(default)]
    pub password_confirmation: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub invite: Option<String>,
    /// The app signed up through (rw3iss): its id.
    #[serde(default)]
    pub app: Option<String>,
}

/// The rules in force for one registration, read together.
pub struct Policy {
    pub registration: RegistrationPolicy,
    pub restrictions: Restrictions,
    pub instance: InstanceSettings,
    pub config: InstanceConfig,
}

pub async fn policy(c: &mut ConnRef<'_>) -> Result<Policy, AppError> {
    Ok(Policy {
        registration: settings::load(c.reborrow()).await?.doc,
        restrictions: settings::load(c.reborrow()).await?.doc,
        instance: settings::load(c.reborrow()).await?.doc,
        config: settings::load(c.reborrow()).await?.doc,
    })
}

/// Checked input.
struct Valid {
    nickname: Nickname,
    email: Email,
    password: Password,
    reason: Option<String>,
    invite: Option<String>,
}

fn validate(a: &Application, p: &RegistrationPolicy) -> Result<Valid, AppError> {
    let nickname = Nickname::parse(&a.nickname)?;
    let email = Email::parse(&a.email)?;
    let password = Password::parse(&a.password, "password")?;
    if a.password_confirmation.as_deref().is_some_and(|c| c != a.password) {
        return Err(AppError::validation("password_confirmation", "The two passwords differ."));
    }
    let reason = a.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > REASON_MAX) {
        return Err(AppError::validation("reason", format!("Write at most {REASON_MAX} characters.")));
    }
    if p.reason_required && reason.is_none() {
        return Err(AppError::validation("reason", "Tell the moderators why you want to join."));
    }
    let invite = a.invite.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if invite.is_some_and(|t| t.len() > 128 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
        return Err(AppError::validation("invite", "This invite is not valid."));
    }
    Ok(Valid { nickname, email, password, reason: reason.map(str::to_owned), invite: invite.map(str::to_owned) })
}

/// Registers `a` from `ip` under the policy in force, or says why not.
#[tracing::instrument(skip_all, fields(nickname = %a.nickname.chars().take(64).collect::<String>()))]
pub async fn register(state: &AppState, a: &Application, ip: &str) -> Result<Outcome, AppError> {
    let (db, config, live) = (&state.db, &state.config, state.live.current());
    {
        let mut tx = db.begin().await?;
        throttle::check_public(tx.conn(), "register", live.registrations_per_ip, ip).await?;
        tx.commit().await?;
    }
    // One connection for the reads; given back before the HIBP call.
    let mut conn = db.conn().await?;
    let p = policy(&mut conn.as_ref()).await?;
    if p.registration.mode == RegistrationMode::Closed {
        return Err(AppError::Denied("Registrations are closed.".into()));
    }
    let v = validate(a, &p.registration)?;
    if p.registration.mode == RegistrationMode::InviteOnly && v.invite.is_none() {
        return Err(AppError::Denied("Registration on this instance needs an invite.".into()));
    }
    rules::check(conn.as_ref(), &p.restrictions, v.email.as_str()).await?;
    let base = config.base_url();
    let app = via_app::check(conn.as_ref(), a.app.as_deref(), v.email.as_str(), &base).await?;
    drop(conn);
    if p.instance.hibp
        && let hibp::Verdict::Breached(n) = hibp::check(&live.hibp_url, v.password.expose()).await
    {
        return Err(AppError::validation(
            "password",
            format!(
                "This password has appeared in {n} data breaches, so attackers try it first. Choose a different one."
            ),
        ));
    }
    let hash = password::hash(&v.password).await?;
    let outcome = Outcome {
        approval_pending: p.registration.approval_required
            || p.config.review_window().active_at(config.clock.now().hour()),
        confirmation_pending: p.registration.confirmation_required,
    };
    let today = crate::features::invites::service::today(config);
    let created = db.retrying(|| create(db, &v, &hash, outcome, &p, app.as_ref(), &base, &today)).await?;
    if !created {
        // The address is taken: its owner hears about it; the applicant
        // sees what a new registration would show.
        let mut tx = db.begin().await?;
        mail::queue(tx.conn(), &taken_notice(v.email.as_str(), &base)).await?;
        tx.commit().await?;
    }
    Ok(outcome)
}

/// The account, its invite use, organizations, confirmation mail, webhooks
/// and log entry; `false` (nothing written) when the address is already in use.
#[allow(clippy::too_many_arguments)]
async fn create(
    db: &Db,
    v: &Valid,
    hash: &str,
    outcome: Outcome,
    p: &Policy,
    app: Option<&SignUpApp>,
    base: &str,
    today: &str,
) -> Result<bool, AppError> {
    let mut tx = db.begin().await?;
    let canonical = p.restrictions.ignore_dots_for_gmail_addresses.then(|| canonical(v.email.as_str()));
    if registrations::email_in_use(tx.conn(), v.email.as_str(), canonical.as_deref()).await? {
        return Ok(false);
    }
    if crate::server::storage::users::nickname_taken(tx.conn(), v.nickname.as_str()).await? {
        return Err(AppError::conflict("nickname", "This nickname is taken. Choose another."));
    }
    let invite_id =
        match &v.invite {
            Some(token) => Some(invites::claim(tx.conn(), token, today).await?.ok_or_else(|| {
                AppError::validation("invite", "This invite has expired, been used up or been revoked.")
            })?),
            None => None,
        };
    let id = registrations::insert(
        tx.conn(),
        &Applicant {
            nickname: v.nickname.as_str(),
            email: v.email.as_str(),
            password_hash: hash,
            reason: v.reason.as_deref(),
            invite_id,
            approved: !outcome.approval_pending,
            confirmed: !outcome.confirmation_pending,
        },
    )
    .await?;
    let organizations =
        join_on_sign_up(tx.conn(), id, v.email.as_str(), app.and_then(|a| a.default_organization_id)).await?;
    if outcome.confirmation_pending {
        let link_base = app.map_or(base, |a| a.link_base.as_str());
        mail::send_confirmation(tx.conn(), link_base, id, v.nickname.as_str(), v.email.as_str()).await?;
    }
    record(tx.conn(), id, v.nickname.as_str(), invite_id, app, outcome).await?;
    let alert = serde_json::json!({
        "user_id": id.to_string(),
        "nickname": v.nickname.as_str(),
        "invite_id": invite_id.map(|i| i.to_string()),
        "app_id": app.map(|a| a.id.to_string()),
        "organization_ids": organizations.iter().map(i64::to_string).collect::<Vec<_>>(),
        "approval_pending": outcome.approval_pending,
        "confirmation_pending": outcome.confirmation_pending,
    });
    if let Some(a) = app {
        webhooks::enqueue_app(tx.conn(), a.id, webhooks::USER_CREATED, alert.clone()).await?;
    }
    webhooks::enqueue_alert(tx.conn(), webhooks::AlertKind::Registration, webhooks::REGISTRATION_CREATED, alert)
        .await?;
    tx.commit().await?;
    tracing::info!(user = id, ?outcome, "registered");
    Ok(true)
}

async fn record(
    c: ConnRef<'_>,
    id: i64,
    nickname: &str,
    invite: Option<i64>,
    app: Option<&SignUpApp>,
    o: Outcome,
) -> Result<(), AppError> {
    let mut message = format!("@{nickname} registered");
    if let Some(a) = app {
        message.push_str(&format!(" through {}", a.name));
    }
    if let Some(i) = invite {
        message.push_str(&format!(" with invite #{i}"));
    }
    if o.approval_pending {
        message.push_str("; waiting for approval");
    }
    audit::record(
        c,
        audit::Entry {
            actor: audit::Actor { id, nickname },
            action: "user.register",
            subject_users: &[id],
            data: serde_json::json!({
                "invite_id": invite,
                "app_id": app.map(|a| a.id),
                "approval_pending": o.approval_pending,
                "confirmation_pending": o.confirmation_pending,
            }),
            message,
        },
    )
    .await
    .map(drop)
}

fn taken_notice(to: &str, base: &str) -> Mail {
    Mail {
        kind: "registration_taken",
        to: to.into(),
        subject: "Someone tried to register with your address".into(),
        body: format!(
            "Hello,\n\nSomeone tried to create an account with this email address, which already has one.\n\
             If it was you, sign in or reset your password at {base}/forgot-password. Otherwise ignore this mail."
        ),
    }
}
