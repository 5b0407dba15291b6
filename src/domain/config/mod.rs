//! The runtime config registry (SPEC §11): every setting Steward reads,
//! declared once — where it lives, its type, default, help text and whether
//! changing it needs a reload. Pleroma's `/config` and `/config/descriptions`,
//! the `/config` page and the history are all generated from [`SETTINGS`].
//!
//! A value resolves as default < database < environment: a flag or variable
//! given at start wins over what is stored, and the page says so.

mod registry;

pub use registry::SETTINGS;

/// Where a setting's stored value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// The `runtime` document, under `section.key`.
    Runtime,
    /// A field of another settings document (`doc` is its key, `path` a
    /// dot-separated field path), so its own API and pages edit the same value.
    Doc { doc: &'static str, path: &'static str },
}

/// What a value may be; [`check`] enforces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Boolean,
    Integer {
        min: i64,
        max: i64,
    },
    /// One line of at most `max` characters; `null` or `""` when `nullable`.
    Text {
        max: usize,
        nullable: bool,
    },
    /// One of `choices`.
    Choice(&'static [&'static str]),
    /// An absolute http(s) URL, or null.
    Url,
    /// Write-only: stored, never returned (`"***"` when set, `null` if not).
    Secret,
    /// A list of origins like `https://admin.example.org`.
    Origins,
    /// A list of domain names.
    Domains,
    /// An email address, or null.
    Email,
}

impl Kind {
    /// Pleroma's description type name.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Boolean => "boolean",
            Kind::Integer { .. } => "integer",
            Kind::Text { .. } | Kind::Url | Kind::Email => "string",
            Kind::Choice(_) => "string",
            Kind::Secret => "string",
            Kind::Origins | Kind::Domains => "list",
        }
    }
}

/// One setting. `section` and `key` are Pleroma's key and child key without
/// the leading `:` (`:sessions` / `:idle_minutes`).
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub section: &'static str,
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub kind: Kind,
    /// The default as JSON text (`"60"`, `"true"`, `"null"`, `"[]"`).
    pub default: &'static str,
    pub suggestions: &'static [&'static str],
    /// Takes effect only after `/restart` (or a process restart); live otherwise.
    pub restart: bool,
    /// The environment variable (and flag) that overrides the stored value.
    pub env: Option<&'static str>,
    pub store: Store,
}

impl Setting {
    /// `sessions.idle_minutes`: the id forms, history and errors use.
    pub fn id(&self) -> String {
        format!("{}.{}", self.section, self.key)
    }

    pub fn default_value(&self) -> serde_json::Value {
        serde_json::from_str(self.default).unwrap_or(serde_json::Value::Null)
    }

    pub fn is_secret(&self) -> bool {
        self.kind == Kind::Secret
    }

    /// The key of the settings document its value is stored in.
    pub fn document(&self) -> &'static str {
        match self.store {
            Store::Runtime => RUNTIME_DOCUMENT,
            Store::Doc { doc, .. } => doc,
        }
    }

    /// Its field in that document's JSON, if present.
    pub fn lookup<'a>(&self, doc: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        match self.store {
            Store::Runtime => doc.get(self.id()),
            Store::Doc { path, .. } => path.split('.').try_fold(doc, |v, k| v.get(k)),
        }
    }
}

/// The key of the document `Store::Runtime` settings live in.
pub const RUNTIME_DOCUMENT: &str = "runtime";

/// Pleroma's group for every Steward setting.
pub const GROUP: &str = ":steward";

/// A section's title and description (Pleroma's `type: "group"` entries).
pub struct Section {
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
}

pub const SECTIONS: &[Section] = &[
    Section { key: "auth", label: "Sign-in", description: "How staff sign in to the console." },
    Section {
        key: "sso",
        label: "Single sign-on",
        description: "OpenID Connect sign-in through the instance's identity provider.",
    },
    Section { key: "sessions", label: "Sessions", description: "How long a console session lasts." },
    Section { key: "throttling", label: "Throttling", description: "Limits on sign-in failures and public forms." },
    Section { key: "registration", label: "Registration", description: "Who may create an account." },
    Section { key: "email", label: "Email", description: "Outgoing mail." },
    Section { key: "webhooks", label: "Webhooks", description: "Where alerts are delivered." },
    Section { key: "cors", label: "CORS", description: "Browser origins allowed to call the API." },
    Section { key: "limits", label: "Limits", description: "How much work the server takes on at once." },
];

/// The setting with this id (`section.key`), if any.
pub fn find(id: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.id() == id)
}

/// The setting named by Pleroma's key pair (`:sessions`, `:idle_minutes`;
/// the colons are optional).
pub fn find_pleroma(section: &str, key: &str) -> Option<&'static Setting> {
    let (section, key) = (section.trim_start_matches(':'), key.trim_start_matches(':'));
    SETTINGS.iter().find(|s| s.section == section && s.key == key)
}

/// A value as history, logs and answers may show it: a set secret is
/// `"***"`, an unset one `null`.
pub fn redact(setting: &Setting, value: &serde_json::Value) -> serde_json::Value {
    match (setting.is_secret(), value) {
        (true, serde_json::Value::Null) => serde_json::Value::Null,
        (true, _) => serde_json::Value::String("***".into()),
        (false, v) => v.clone(),
    }
}
