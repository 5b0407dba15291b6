//! The rules of a single sign-on: which account a verified identity signs in
//! as (linked, linked by verified email, or created), who may enter the
//! console, and the moderation-log entries of each step.

use super::oidc::{Failure, Identity, Provider};
use super::settings::{ProvisionRole, auth_settings};
use crate::auth::session;
use crate::domain::Staff;
use crate::domain::settings::{InstanceConfig, Sso};
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::audit::{self, Actor};
use crate::server::storage::users::{self, LoginRow};
use crate::server::storage::{ConnRef, sso};

pub const CALLBACK_PATH: &str = "/auth/sso/callback";

impl From<Failure> for AppError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Unreachable(m) => AppError::Unavailable(m),
            Failure::Refused(m) => AppError::BadRequest(m),
        }
    }
}

/// The provider block, if single sign-on is on and configured.
pub async fn config(state: &AppState) -> Result<Option<Sso>, AppError> {
    let sso = crate::server::settings::get::<InstanceConfig>(&state.db).await?.doc.sso;
    Ok(super::guard::configured(&sso).then_some(sso))
}

/// Where the provider sends the browser back.
pub fn redirect_uri(state: &AppState, sso: &Sso) -> String {
    match sso.redirect_uri.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => u.to_owned(),
        None => format!("{}{CALLBACK_PATH}", state.config.base_url()),
    }
}

fn not_configured() -> AppError {
    AppError::BadRequest("Single sign-on is not turned on for this instance.".into())
}

/// Starts a sign-in: stores its state, nonce and PKCE verifier (single use,
/// ten minutes) and returns the provider's URL and the state.
pub async fn start(state: &AppState, next: Option<&str>) -> Result<(String, String), AppError> {
    let sso = config(state).await?.ok_or_else(not_configured)?;
    let provider = Provider::load(&sso, &redirect_uri(state, &sso)).await?;
    let auth = provider.authorize();
    // "" means the signed-in account's home, decided after the sign-in.
    let return_to = session::safe_next(next, "");
    let mut tx = state.db.begin().await?;
    sso::insert_login(tx.conn(), &auth.state, &auth.nonce, &auth.pkce_verifier, &return_to).await?;
    tx.commit().await?;
    Ok((auth.url, auth.state))
}

/// The end of a sign-in that let someone in.
pub struct SignedIn {
    pub staff: Staff,
    pub epoch: i64,
    pub return_to: String,
}

const EXPIRED: &str = "This sign-in has expired or was already used. Start again from the sign-in page.";

/// Finishes a sign-in: takes its state (once), verifies what the provider
/// sent, finds, links or creates the account, and decides whether it may
/// enter the console.
pub async fn finish(state: &AppState, code: &str, login_state: &str, ip: &str) -> Result<SignedIn, AppError> {
    let pending = {
        let mut tx = state.db.begin().await?;
        let p = sso::take_login(tx.conn(), login_state).await?;
        tx.commit().await?;
        p.ok_or_else(|| AppError::BadRequest(EXPIRED.into()))?
    };
    let sso_cfg = config(state).await?.ok_or_else(not_configured)?;
    let provider = Provider::load(&sso_cfg, &redirect_uri(state, &sso_cfg)).await?;
    let identity = provider.finish(code, &pending.pkce_verifier, &pending.nonce).await?;
    check_domain(&sso_cfg, &identity)?;
    let (_, role) = auth_settings(state);
    let (row, staff) = state
        .db
        .retrying(|| async {
            let mut tx = state.db.begin().await?;
            let found = account_for(tx.conn(), &sso_cfg, &identity, role).await?;
            let row = users::find_login_by_id(tx.conn(), found)
                .await?
                .ok_or_else(|| AppError::Internal("a linked account vanished".into()))?;
            let staff = row.staff();
            if let Some(s) = &staff {
                sso::touch_identity(tx.conn(), &identity.issuer, &identity.subject, verified_email(&identity)).await?;
                users::touch_last_active(tx.conn(), s.id).await?;
                audit::record(
                    tx.conn(),
                    audit::Entry {
                        actor: s.into(),
                        action: "session.sign_in",
                        subject_users: &[s.id],
                        data: serde_json::json!({ "ip": ip, "method": "sso", "issuer": identity.issuer }),
                        message: format!("@{} signed in with single sign-on", s.nickname),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            Ok((row, staff))
        })
        .await?;
    let Some(staff) = staff else {
        return Err(refused_entry(&row));
    };
    tracing::info!(%ip, actor = %staff.nickname, "signed in with single sign-on");
    Ok(SignedIn { epoch: row.session_epoch, return_to: pending.return_to, staff })
}

/// Why an account the provider vouched for may not enter the console.
fn refused_entry(row: &LoginRow) -> AppError {
    if !row.is_active {
        return AppError::Denied(format!("The Steward account @{} is deactivated. Ask an admin.", row.nickname));
    }
    AppError::Denied(format!(
        "Your Steward account @{} exists, but it has no role yet: an admin must make you a moderator or admin before you can use the console.",
        row.nickname
    ))
}

fn verified_email(i: &Identity) -> Option<&str> {
    i.email.as_deref().filter(|_| i.email_verified)
}

fn email_domain(email: &str) -> Option<String> {
    email.rsplit_once('@').map(|(_, d)| d.trim().trim_end_matches('.').to_ascii_lowercase()).filter(|d| !d.is_empty())
}

/// Whether `domain` is one of `allowed` or under one of them.
pub fn domain_allowed(domain: &str, allowed: &[String]) -> bool {
    let domain = domain.to_ascii_lowercase();
    allowed
        .iter()
        .map(|a| a.trim().trim_start_matches('@').trim_end_matches('.').to_ascii_lowercase())
        .any(|a| !a.is_empty() && (domain == a || domain.strip_suffix(&a).is_some_and(|rest| rest.ends_with('.'))))
}

/// With allowed domains configured: a verified email in one of them.
fn check_domain(sso: &Sso, identity: &Identity) -> Result<(), AppError> {
    let allowed: Vec<String> = sso.allowed_domains.iter().filter(|d| !d.trim().is_empty()).cloned().collect();
    if allowed.is_empty() {
        return Ok(());
    }
    let Some(email) = verified_email(identity) else {
        return Err(AppError::Denied(
            "Single sign-on here needs a verified email address, and the provider did not vouch for one.".into(),
        ));
    };
    match email_domain(email) {
        Some(d) if domain_allowed(&d, &allowed) => Ok(()),
        _ => Err(AppError::Denied(format!(
            "Accounts of {} may not sign in here: single sign-on accepts only {}.",
            email_domain(email).unwrap_or_default(),
            allowed.join(", ")
        ))),
    }
}

/// The account `identity` signs in as: already linked, linked now by its
/// verified email, or created (auto_provision) — each with its log entry.
async fn account_for(
    mut c: ConnRef<'_>,
    sso_cfg: &Sso,
    identity: &Identity,
    role: ProvisionRole,
) -> Result<i64, AppError> {
    if let Some(id) = sso::find_identity(c.reborrow(), &identity.issuer, &identity.subject).await? {
        return Ok(id);
    }
    let email = verified_email(identity);
    if let Some(email) = email
        && let Some(id) = sso::find_user_by_email(c.reborrow(), email).await?
    {
        let row = users::find_login_by_id(c.reborrow(), id).await?.ok_or(AppError::NotFound)?;
        sso::link(c.reborrow(), id, &identity.issuer, &identity.subject, Some(email)).await?;
        audit::record(
            c,
            audit::Entry {
                actor: Actor { id, nickname: &row.nickname },
                action: "sso.link",
                subject_users: &[id],
                data: serde_json::json!({ "issuer": identity.issuer, "email": email }),
                message: format!("@{} linked their account to single sign-on by their verified email", row.nickname),
            },
        )
        .await?;
        return Ok(id);
    }
    if !sso_cfg.auto_provision {
        let who = email.or(identity.email.as_deref()).unwrap_or(&identity.subject);
        return Err(AppError::Denied(format!(
            "There is no Steward account for {who}. Ask an admin to create one (with the same email address)."
        )));
    }
    let nickname = free_nickname(c.reborrow(), identity).await?;
    let moderator = role == ProvisionRole::Moderator;
    let display = identity.name.clone().unwrap_or_else(|| nickname.clone());
    let display: String = display.chars().take(100).collect();
    let id = sso::insert_user(c.reborrow(), &nickname, email, &display, moderator).await?;
    sso::link(c.reborrow(), id, &identity.issuer, &identity.subject, email).await?;
    let role_label = if moderator { Some("moderator") } else { None };
    audit::record(
        c,
        audit::Entry {
            actor: Actor { id, nickname: &nickname },
            action: "user.create",
            subject_users: &[id],
            data: serde_json::json!({ "nicknames": [nickname], "roles": [role_label], "method": "sso", "issuer": identity.issuer }),
            message: format!(
                "@{nickname} was created by single sign-on{}",
                if moderator { " as a moderator" } else { " without a role" }
            ),
        },
    )
    .await?;
    Ok(id)
}

/// A nickname from the provider's preferred username or the email's local
/// part, cleaned to the nickname rules and made unique with a number.
async fn free_nickname(mut c: ConnRef<'_>, identity: &Identity) -> Result<String, AppError> {
    let raw = identity
        .preferred_username
        .as_deref()
        .or_else(|| identity.email.as_deref().and_then(|e| e.split('@').next()))
        .unwrap_or("user");
    let base = nickname_base(raw);
    for n in 0..1000 {
        let candidate = if n == 0 { base.clone() } else { format!("{base}{}", n + 1) };
        if !users::nickname_taken(c.reborrow(), &candidate).await? {
            return Ok(candidate);
        }
    }
    Ok(format!("{base}-{}", crate::auth::tokens::generate().chars().take(8).collect::<String>().to_ascii_lowercase()))
}

/// `raw` reduced to the nickname rules: letters, digits, `_ - .`, starting
/// with a letter or digit, at most 48 characters (room for a number).
pub fn nickname_base(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' })
        .skip_while(|c| !c.is_ascii_alphanumeric())
        .take(48)
        .collect();
    if cleaned.is_empty() { "user".into() } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_match_themselves_and_subdomains_only() {
        let allowed = vec!["example.org".to_owned()];
        assert!(domain_allowed("example.org", &allowed));
        assert!(domain_allowed("Mail.Example.org", &allowed));
        assert!(!domain_allowed("badexample.org", &allowed));
        assert!(!domain_allowed("example.org.evil", &allowed));
        assert!(!domain_allowed("other.test", &allowed));
    }

    #[test]
    fn nicknames_follow_the_rules() {
        assert_eq!(nickname_base("alice"), "alice");
        assert_eq!(nickname_base("Ålice Smith"), "lice_Smith");
        assert_eq!(nickname_base("__x"), "x");
        assert_eq!(nickname_base("\"><script>"), "script_");
        assert_eq!(nickname_base("!!!"), "user");
        assert!(crate::domain::Nickname::parse(&nickname_base(&"a".repeat(300))).is_ok());
    }
}
