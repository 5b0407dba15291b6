//! What the sign-in page needs to know about single sign-on.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The sign-in page's choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginChoices {
    /// "Sign in with …": the provider's name, when single sign-on is on.
    pub sso: Option<String>,
    /// Whether the password form is offered (and accepted).
    pub password: bool,
}

#[server]
pub async fn sign_in_options() -> Result<LoginChoices, AppError> {
    options().await
}

#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, err(level = "info"))]
async fn options() -> Result<LoginChoices, AppError> {
    let state = crate::server::state::AppState::get()?;
    let sso = super::service::config(&state).await?.map(|s| {
        s.display_name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).unwrap_or_else(|| "single sign-on".into())
    });
    let password = super::settings::password_sign_in(&state);
    Ok(LoginChoices { sso, password })
}
