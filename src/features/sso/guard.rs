//! The rule an admin meets when turning password sign-in off: single sign-on
//! must be able to let an admin in, or nobody could change it back (short of
//! the STEWARD_PASSWORD_SIGN_IN=true escape hatch).

use crate::domain::settings::Sso;
use crate::error::AppError;
use crate::server::storage::{ConnRef, sso};

const PARAM: &str = "auth.password_sign_in";

/// Whether the provider block names enough to start a sign-in.
pub fn configured(s: &Sso) -> bool {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
    s.enabled && set(&s.issuer) && set(&s.client_id)
}

/// Refuses (422 on `auth.password_sign_in`) unless single sign-on is on and
/// configured and at least one active admin has signed in through it.
pub async fn password_sign_in_may_be_turned_off(c: ConnRef<'_>, sso: &Sso) -> Result<(), AppError> {
    if !configured(sso) {
        return Err(AppError::validation(
            PARAM,
            "Password sign-in cannot be turned off while single sign-on is off or has no issuer and client ID: nobody could sign in.",
        ));
    }
    if !sso::active_admin_linked(c).await? {
        return Err(AppError::validation(
            PARAM,
            "Password sign-in cannot be turned off until an active admin has signed in with single sign-on once: otherwise no admin could sign in.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sso() -> Sso {
        Sso {
            enabled: true,
            issuer: Some("https://id.example".into()),
            client_id: Some("steward".into()),
            ..Sso::default()
        }
    }

    #[test]
    fn configured_needs_enabled_issuer_and_client_id() {
        assert!(configured(&sso()));
        assert!(!configured(&Sso { enabled: false, ..sso() }));
        assert!(!configured(&Sso { issuer: None, ..sso() }));
        assert!(!configured(&Sso { issuer: Some("  ".into()), ..sso() }));
        assert!(!configured(&Sso { client_id: Some(String::new()), ..sso() }));
    }
}
