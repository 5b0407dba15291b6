//! Fluxer's instance config: the manual-review window, alert webhooks and the
//! SSO block. The SSO client secret is stored here and never leaves through
//! any interface; views carry `client_secret_set` instead.

use serde::{Deserialize, Serialize};

use super::{Document, ReviewWindow};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceConfig {
    pub manual_review_enabled: bool,
    pub manual_review_schedule_enabled: bool,
    pub manual_review_schedule_start_hour_utc: u8,
    pub manual_review_schedule_end_hour_utc: u8,
    pub registration_alerts_webhook_url: Option<String>,
    pub system_alerts_webhook_url: Option<String>,
    pub sso: Sso,
}

impl InstanceConfig {
    pub fn review_window(&self) -> ReviewWindow {
        ReviewWindow {
            enabled: self.manual_review_enabled,
            scheduled: self.manual_review_schedule_enabled,
            start_hour: self.manual_review_schedule_start_hour_utc,
            end_hour: self.manual_review_schedule_end_hour_utc,
        }
    }
}

impl Document for InstanceConfig {
    const KEY: &'static str = "instance_config";
    const NAME: &'static str = "instance config";

    fn redacted(&self) -> serde_json::Value {
        serde_json::to_value(InstanceConfig { sso: self.sso.redacted(), ..self.clone() }).unwrap_or_default()
    }
}

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sso {
    pub enabled: bool,
    pub display_name: Option<String>,
    pub issuer: Option<String>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub jwks_url: Option<String>,
    pub client_id: Option<String>,
    /// Write-only: kept for the OIDC exchange, never returned or logged.
    pub client_secret: Option<String>,
    pub scope: Option<String>,
    pub allowed_domains: Vec<String>,
    pub auto_provision: bool,
    pub redirect_uri: Option<String>,
}

impl Sso {
    /// The document as the moderation log and history may show it: the
    /// secret replaced by whether one is set.
    pub fn redacted(&self) -> Sso {
        Sso { client_secret: self.client_secret.as_ref().map(|_| "***".into()), ..self.clone() }
    }
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso")
            .field("enabled", &self.enabled)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret_set", &self.client_secret.is_some())
            .finish_non_exhaustive()
    }
}
