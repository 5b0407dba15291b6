//! The runtime settings single sign-on reads: whether password sign-in is
//! allowed (`auth.password_sign_in`) and the role an account made by single
//! sign-on gets (`auth.sso_provision_role`).

use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::settings as rows;

/// The role [`super::service`] gives an account it creates. Never admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProvisionRole {
    #[default]
    None,
    Moderator,
}

/// The environment variable that overrides the stored `auth.password_sign_in`
/// (the escape hatch when single sign-on breaks).
pub const PASSWORD_SIGN_IN_ENV: &str = "STEWARD_PASSWORD_SIGN_IN";

/// `(password_sign_in, sso_provision_role)` as in force now.
// TODO(live): switch to `state.live.current()` once src/server/live.rs lands.
pub async fn auth_settings(state: &AppState) -> Result<(bool, ProvisionRole), AppError> {
    let mut c = state.db.conn().await?;
    let stored = rows::get(c.as_ref(), "runtime").await?;
    let doc: serde_json::Map<String, serde_json::Value> =
        stored.and_then(|r| serde_json::from_str(&r.value).ok()).unwrap_or_default();
    let env = env_override(std::env::var(PASSWORD_SIGN_IN_ENV).ok().as_deref());
    let password = env.or_else(|| doc.get("auth.password_sign_in").and_then(|v| v.as_bool())).unwrap_or(true);
    let role = match doc.get("auth.sso_provision_role").and_then(|v| v.as_str()) {
        Some("moderator") => ProvisionRole::Moderator,
        _ => ProvisionRole::None,
    };
    Ok((password, role))
}

/// The value of [`PASSWORD_SIGN_IN_ENV`], if it is a boolean.
fn env_override(v: Option<&str>) -> Option<bool> {
    match v?.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Whether the password sign-in (form and OAuth password grant) is allowed.
pub async fn password_sign_in(state: &AppState) -> Result<bool, AppError> {
    Ok(auth_settings(state).await?.0)
}

/// What a refused password sign-in says.
pub const PASSWORD_SIGN_IN_OFF: &str =
    "Password sign-in is turned off on this instance. Sign in with single sign-on instead.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escape_hatch_reads_booleans_only() {
        assert_eq!(env_override(Some("true")), Some(true));
        assert_eq!(env_override(Some(" TRUE ")), Some(true));
        assert_eq!(env_override(Some("0")), Some(false));
        assert_eq!(env_override(Some("maybe")), None);
        assert_eq!(env_override(None), None);
    }
}
