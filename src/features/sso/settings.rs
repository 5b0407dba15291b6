//! The runtime settings single sign-on reads, as in force now
//! ([`crate::server::live`]): whether password sign-in is allowed
//! (`auth.password_sign_in`, which STEWARD_PASSWORD_SIGN_IN overrides) and the
//! role an account made by single sign-on gets (`auth.sso_provision_role`).

pub use crate::server::live::ProvisionRole;
use crate::server::state::AppState;

/// `(password_sign_in, sso_provision_role)` as in force now.
pub fn auth_settings(state: &AppState) -> (bool, ProvisionRole) {
    let now = state.live.current();
    (now.password_sign_in, now.sso_provision_role)
}

/// Whether the password sign-in (form and OAuth password grant) is allowed.
pub fn password_sign_in(state: &AppState) -> bool {
    state.live.current().password_sign_in
}

/// What a refused password sign-in says.
pub const PASSWORD_SIGN_IN_OFF: &str =
    "Password sign-in is turned off on this instance. Sign in with single sign-on instead.";
