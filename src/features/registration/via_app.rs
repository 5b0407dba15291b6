//! Signing up through an app (`/register?app=ID`, `"app"` in the API): the
//! app's registration policy (rw3iss) narrows the instance's. A disabled app,
//! or one that does not offer passwords, takes no sign-ups; its
//! `allowed_email_domains` (a domain covers its subdomains) bound the
//! address; its confirmation links point at its `frontend_url`; new members
//! join its default organization.

use crate::domain::email_rules;
use crate::error::AppError;
use crate::features::apps::service::Policy;
use crate::server::storage::{ConnRef, apps};

/// The app a registration came through, as the sign-up needs it.
#[derive(Debug, Clone)]
pub struct SignUpApp {
    pub id: i64,
    pub name: String,
    pub default_organization_id: Option<i64>,
    /// Where its mails' links point (its frontend, or the instance).
    pub link_base: String,
}

/// The app named by `raw` (a missing or blank value: none), checked against
/// `email`; `base` is the instance's public URL.
pub async fn check(c: ConnRef<'_>, raw: Option<&str>, email: &str, base: &str) -> Result<Option<SignUpApp>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
    let unknown = || AppError::validation("app", "This sign-up link names an app that does not exist.");
    let id: i64 = raw.parse().map_err(|_| unknown())?;
    let row = apps::find(c, id).await?.ok_or_else(unknown)?;
    let policy = Policy::of(&row);
    if policy.status != "active" {
        return Err(AppError::Denied(format!("{} is not taking sign-ups right now.", policy.name)));
    }
    if !policy.allowed_auth_methods.is_empty() && !policy.allowed_auth_methods.iter().any(|m| m == "password") {
        return Err(AppError::Denied(format!("{} does not take sign-ups with a password.", policy.name)));
    }
    let domain = email_rules::domain(email);
    let allowed = |d: &String| domain == *d || domain.ends_with(&format!(".{d}"));
    if !policy.allowed_email_domains.is_empty() && !policy.allowed_email_domains.iter().any(allowed) {
        return Err(AppError::validation(
            "email",
            format!("{} accepts addresses at {} only.", policy.name, policy.allowed_email_domains.join(", ")),
        ));
    }
    Ok(Some(SignUpApp {
        id,
        link_base: policy.frontend_url.as_deref().unwrap_or(base).trim_end_matches('/').to_owned(),
        name: policy.name,
        default_organization_id: policy.default_organization_id,
    }))
}
