//! The instance's settings documents, one per area, as the settings store
//! keeps them (JSON, versioned). Shapes and field names follow the sources the
//! product implements: Fluxer's instance config, Clerk's instance settings,
//! restrictions and organization settings. A missing field reads as its
//! default, so documents stored by an older Steward still load.

mod instance_config;
mod review;
mod runtime;

use serde::{Deserialize, Serialize};

pub use instance_config::{InstanceConfig, Sso};
pub use review::{ReviewWindow, next_change_hour};
pub use runtime::Runtime;

/// A document of the settings store: its key, and a default in force until
/// the first change.
pub trait Document: Serialize + for<'de> Deserialize<'de> + Default + Clone + PartialEq {
    const KEY: &'static str;
    /// What the moderation log calls it ("registration policy").
    const NAME: &'static str;

    /// The document as history and the moderation log keep it: secrets
    /// replaced by `"***"`.
    fn redacted(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// Who may register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationMode {
    /// Anyone may register.
    Open,
    /// Only with a valid invite.
    #[default]
    InviteOnly,
    /// Nobody may register (invites included).
    Closed,
}

impl RegistrationMode {
    pub const ALL: [RegistrationMode; 3] = [Self::Open, Self::InviteOnly, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InviteOnly => "invite_only",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open: anyone may register",
            Self::InviteOnly => "Invite only",
            Self::Closed => "Closed",
        }
    }
}

/// Steward's own registration switches (the sources have none for these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationPolicy {
    pub mode: RegistrationMode,
    /// Every new account waits for approval, review window or not.
    pub approval_required: bool,
    /// New accounts confirm their email before they may sign in.
    pub confirmation_required: bool,
    /// Ask applicants why they want to join (shown in the approval queue).
    pub reason_required: bool,
}

impl Default for RegistrationPolicy {
    fn default() -> Self {
        RegistrationPolicy {
            mode: RegistrationMode::InviteOnly,
            approval_required: false,
            confirmation_required: true,
            reason_required: false,
        }
    }
}

impl Document for RegistrationPolicy {
    const KEY: &'static str = "registration";
    const NAME: &'static str = "registration policy";
}

/// Clerk's instance settings (`PATCH /instance`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceSettings {
    /// Mail stays in the outbox, never sent.
    pub test_mode: bool,
    /// New passwords are checked against Have I Been Pwned's range API.
    pub hibp: bool,
    pub enhanced_email_deliverability: bool,
    /// Shown on public pages and used as the mails' Reply-To.
    pub support_email: Option<String>,
    pub clerk_js_version: Option<String>,
    pub development_origin: Option<String>,
    /// Origins allowed to call the public API from a browser (CORS).
    pub allowed_origins: Vec<String>,
    pub cookieless_dev: bool,
    pub url_based_session_syncing: bool,
}

impl Document for InstanceSettings {
    const KEY: &'static str = "instance";
    const NAME: &'static str = "instance settings";
}

/// Clerk's restriction settings (`PATCH /instance/restrictions`). The
/// identifiers on each list live in their own table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Restrictions {
    /// Only addresses and domains on the allowlist may register.
    pub allowlist: bool,
    /// Addresses and domains on the blocklist may not register.
    pub blocklist: bool,
    /// Refuse addresses with a `+tag` in the local part.
    pub block_email_subaddresses: bool,
    /// Refuse throwaway-mail domains (a maintained list shipped with Steward).
    pub block_disposable_email_domains: bool,
    /// `j.o.hn@gmail.com` is `john@gmail.com` for uniqueness and the lists.
    pub ignore_dots_for_gmail_addresses: bool,
}

impl Document for Restrictions {
    const KEY: &'static str = "restrictions";
    const NAME: &'static str = "restrictions";
}

/// Clerk's organization settings (`PATCH /instance/organization_settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationSettings {
    pub enabled: bool,
    pub max_allowed_memberships: i64,
    pub max_allowed_roles: i64,
    pub max_allowed_permissions: i64,
    pub creator_role: String,
    pub admin_delete_enabled: bool,
    pub domains_enabled: bool,
    pub domains_enrollment_modes: Vec<String>,
    pub domains_default_role: String,
}

impl Default for OrganizationSettings {
    fn default() -> Self {
        OrganizationSettings {
            enabled: false,
            max_allowed_memberships: 5,
            max_allowed_roles: 10,
            max_allowed_permissions: 50,
            creator_role: "org:admin".into(),
            admin_delete_enabled: true,
            domains_enabled: false,
            domains_enrollment_modes: Vec::new(),
            domains_default_role: "org:member".into(),
        }
    }
}

impl Document for OrganizationSettings {
    const KEY: &'static str = "organization_settings";
    const NAME: &'static str = "organization settings";
}

/// The enrollment modes Clerk knows for verified domains.
pub const ENROLLMENT_MODES: [&str; 3] = ["manual_invitation", "automatic_invitation", "automatic_suggestion"];
