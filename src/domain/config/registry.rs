//! The declarations. Add a setting here and it appears in `/config`, the
//! Pleroma API, the descriptions and the history; read it through
//! `server::live` (runtime settings) or its document (bound ones).
//!
//! Not here, because they are needed before the database opens or name the
//! process itself: `STEWARD_ADDR`, `DATABASE_URL`, `STEWARD_PUBLIC_URL`,
//! `STEWARD_LEPTOS_TOML`.

use super::{Kind, Setting, Store};

const fn runtime(section: &'static str, key: &'static str, label: &'static str, kind: Kind) -> Setting {
    Setting {
        section,
        key,
        label,
        description: "",
        kind,
        default: "null",
        suggestions: &[],
        restart: false,
        env: None,
        store: Store::Runtime,
    }
}

const fn bound(
    section: &'static str,
    key: &'static str,
    label: &'static str,
    kind: Kind,
    doc: &'static str,
    path: &'static str,
) -> Setting {
    Setting { store: Store::Doc { doc, path }, ..runtime(section, key, label, kind) }
}

const fn text(max: usize) -> Kind {
    Kind::Text { max, nullable: true }
}

const fn int(min: i64, max: i64) -> Kind {
    Kind::Integer { min, max }
}

/// Builder-style tweaks, so each declaration reads as one expression.
impl Setting {
    const fn about(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }
    const fn default(mut self, json: &'static str) -> Self {
        self.default = json;
        self
    }
    const fn env(mut self, var: &'static str) -> Self {
        self.env = Some(var);
        self
    }
    const fn restart(mut self) -> Self {
        self.restart = true;
        self
    }
    const fn suggest(mut self, s: &'static [&'static str]) -> Self {
        self.suggestions = s;
        self
    }
}

const IC: &str = "instance_config";
const REG: &str = "registration";
const INST: &str = "instance";
const RESTR: &str = "restrictions";

pub static SETTINGS: &[Setting] = &[
    // ── Sign-in ──
    runtime("auth", "password_sign_in", "Password sign-in", Kind::Boolean)
        .about(
            "Staff may sign in with a nickname and password. Turning it off leaves single sign-on as the only way in; \
             it is refused unless single sign-on is on and an active admin has signed in through it.",
        )
        .default("true")
        .env("STEWARD_PASSWORD_SIGN_IN"),
    runtime("auth", "sso_provision_role", "Role of accounts made by single sign-on", Kind::Choice(&["none", "moderator"]))
        .about(
            "The role an account created by single sign-on (auto_provision) gets. \"none\": the account is made but \
             may not enter the console until an admin gives it a role. Never admin.",
        )
        .default("\"none\""),
    // ── Single sign-on (Fluxer's instance-config SSO block) ──
    bound("sso", "enabled", "Single sign-on", Kind::Boolean, IC, "sso.enabled")
        .about("Show \"Sign in with …\" on the sign-in page.")
        .default("false"),
    bound("sso", "display_name", "Provider name", text(100), IC, "sso.display_name")
        .about("Shown on the button: \"Sign in with <name>\".")
        .suggest(&["Keycloak", "Google Workspace", "Okta"]),
    bound("sso", "issuer", "Issuer", Kind::Url, IC, "sso.issuer")
        .about("The provider's issuer URL; its /.well-known/openid-configuration is read for the endpoints and keys."),
    bound("sso", "authorization_url", "Authorization endpoint", Kind::Url, IC, "sso.authorization_url")
        .about("Overrides the discovered authorization endpoint."),
    bound("sso", "token_url", "Token endpoint", Kind::Url, IC, "sso.token_url")
        .about("Overrides the discovered token endpoint."),
    bound("sso", "userinfo_url", "Userinfo endpoint", Kind::Url, IC, "sso.userinfo_url")
        .about("Overrides the discovered userinfo endpoint."),
    bound("sso", "jwks_url", "JWKS URL", Kind::Url, IC, "sso.jwks_url")
        .about("Overrides the discovered signing keys' URL."),
    bound("sso", "client_id", "Client id", text(500), IC, "sso.client_id").about("Steward's client id at the provider."),
    bound("sso", "client_secret", "Client secret", Kind::Secret, IC, "sso.client_secret")
        .about("Steward's client secret at the provider. Write-only: never shown again."),
    bound("sso", "scope", "Scopes", text(500), IC, "sso.scope")
        .about("Scopes asked for; openid is always included.")
        .suggest(&["openid email profile"]),
    bound("sso", "allowed_domains", "Allowed email domains", Kind::Domains, IC, "sso.allowed_domains")
        .about("Only verified emails at these domains (or their subdomains) may sign in; empty allows any.")
        .default("[]"),
    bound("sso", "auto_provision", "Create accounts on first sign-in", Kind::Boolean, IC, "sso.auto_provision")
        .about("Someone new at the provider gets an account (with the role set under Sign-in); otherwise only linked or matching accounts sign in.")
        .default("false"),
    bound("sso", "redirect_uri", "Redirect URI", Kind::Url, IC, "sso.redirect_uri")
        .about("Where the provider sends people back; defaults to <public URL>/auth/sso/callback."),
    // ── Sessions ──
    runtime("sessions", "idle_minutes", "Idle timeout (minutes)", int(5, 10_080))
        .about("A console session ends after this long without a request.")
        .default("60")
        .env("STEWARD_SESSION_IDLE_MINUTES")
        .restart(),
    runtime("sessions", "max_hours", "Absolute lifetime (hours)", int(1, 720))
        .about("A console session ends this long after sign-in, active or not.")
        .default("12")
        .env("STEWARD_SESSION_MAX_HOURS"),
    // ── Throttling ──
    runtime("throttling", "login_failures_per_account", "Failed sign-ins per account", int(1, 1000))
        .about("Failed sign-ins allowed per account within the window.")
        .default("5")
        .env("STEWARD_LOGIN_FAILURES_PER_ACCOUNT"),
    runtime("throttling", "login_failures_per_ip", "Failed sign-ins per IP", int(1, 100_000))
        .about("Failed sign-ins allowed per IP address within the window.")
        .default("20")
        .env("STEWARD_LOGIN_FAILURES_PER_IP"),
    runtime("throttling", "login_window_minutes", "Window (minutes)", int(1, 1440))
        .about("How far back failed sign-ins count.")
        .default("15")
        .env("STEWARD_LOGIN_WINDOW_MINUTES"),
    runtime("throttling", "registrations_per_ip", "Public forms per IP per hour", int(1, 100_000))
        .about("Registrations and password-reset requests allowed per IP address per hour.")
        .default("10")
        .env("STEWARD_REGISTRATIONS_PER_IP"),
    // ── Registration ──
    bound("registration", "mode", "Who may register", Kind::Choice(&["open", "invite_only", "closed"]), REG, "mode")
        .about("open: anyone; invite_only: with an invite; closed: nobody.")
        .default("\"invite_only\""),
    bound("registration", "approval_required", "Approve every account", Kind::Boolean, REG, "approval_required")
        .about("Every new account waits for a moderator's approval.")
        .default("false"),
    bound("registration", "confirmation_required", "Confirm email", Kind::Boolean, REG, "confirmation_required")
        .about("New accounts confirm their email before they may sign in.")
        .default("true"),
    bound("registration", "reason_required", "Ask for a reason", Kind::Boolean, REG, "reason_required")
        .about("Applicants say why they want to join.")
        .default("false"),
    bound("registration", "manual_review_enabled", "Manual review", Kind::Boolean, IC, "manual_review_enabled")
        .about("New accounts wait for approval (always, or within the schedule).")
        .default("false"),
    bound(
        "registration",
        "manual_review_schedule_enabled",
        "Review on a schedule",
        Kind::Boolean,
        IC,
        "manual_review_schedule_enabled",
    )
    .about("Manual review applies only between the start and end hours (UTC).")
    .default("false"),
    bound(
        "registration",
        "manual_review_schedule_start_hour_utc",
        "Review starts (UTC hour)",
        int(0, 23),
        IC,
        "manual_review_schedule_start_hour_utc",
    )
    .default("0"),
    bound(
        "registration",
        "manual_review_schedule_end_hour_utc",
        "Review ends (UTC hour)",
        int(0, 23),
        IC,
        "manual_review_schedule_end_hour_utc",
    )
    .default("0"),
    bound("registration", "hibp", "Refuse breached passwords", Kind::Boolean, INST, "hibp")
        .about("New passwords are checked against Have I Been Pwned's range API (only a hash prefix leaves).")
        .default("false"),
    runtime("registration", "hibp_url", "Breached-password API", Kind::Url)
        .about("Base URL of the Have I Been Pwned range API.")
        .default("\"https://api.pwnedpasswords.com/\"")
        .env("STEWARD_HIBP_URL"),
    bound("registration", "allowlist", "Allowlist only", Kind::Boolean, RESTR, "allowlist")
        .about("Only addresses and domains on the allowlist may register.")
        .default("false"),
    bound("registration", "blocklist", "Use the blocklist", Kind::Boolean, RESTR, "blocklist")
        .about("Addresses and domains on the blocklist may not register.")
        .default("false"),
    bound("registration", "block_email_subaddresses", "Refuse +tags", Kind::Boolean, RESTR, "block_email_subaddresses")
        .about("Refuse addresses with a +tag in the local part.")
        .default("false"),
    bound(
        "registration",
        "block_disposable_email_domains",
        "Refuse throwaway mail",
        Kind::Boolean,
        RESTR,
        "block_disposable_email_domains",
    )
    .about("Refuse domains of disposable-mail services (a maintained list shipped with Steward).")
    .default("false"),
    bound(
        "registration",
        "ignore_dots_for_gmail_addresses",
        "Ignore dots in Gmail addresses",
        Kind::Boolean,
        RESTR,
        "ignore_dots_for_gmail_addresses",
    )
    .about("j.o.hn@gmail.com counts as john@gmail.com.")
    .default("false"),
    // ── Email ──
    runtime("email", "smtp_url", "SMTP server", Kind::Secret)
        .about("smtp://host:25 or smtps://user:pass@host; without it mail stays in the outbox. Write-only (it may hold a password).")
        .env("STEWARD_SMTP_URL")
        .restart(),
    runtime("email", "from", "From address", Kind::Text { max: 300, nullable: false })
        .about("The From address of Steward's mail.")
        .default("\"Steward <steward@localhost>\"")
        .env("STEWARD_MAIL_FROM")
        .restart(),
    bound("email", "test_mode", "Test mode", Kind::Boolean, INST, "test_mode")
        .about("Mail stays in the outbox and is never sent.")
        .default("false"),
    bound("email", "support_email", "Support address", Kind::Email, INST, "support_email")
        .about("Shown on public pages and used as the mails' Reply-To."),
    // ── Webhooks ──
    bound("webhooks", "registration_alerts_webhook_url", "Registration alerts", Kind::Url, IC, "registration_alerts_webhook_url")
        .about("Receives registration.created."),
    bound("webhooks", "system_alerts_webhook_url", "System alerts", Kind::Url, IC, "system_alerts_webhook_url")
        .about("Receives settings.updated, staff.role_changed and mail.failed."),
    // ── CORS ──
    bound("cors", "allowed_origins", "Allowed origins", Kind::Origins, INST, "allowed_origins")
        .about("Browser origins whose pages may call the API, OAuth and nodeinfo (never with cookies).")
        .default("[]")
        .env("STEWARD_CORS_ORIGINS")
        .suggest(&["https://admin.example.org"]),
    // ── Limits ──
    runtime("limits", "read_concurrency", "Reads at once", int(0, 4096))
        .about("GET and HEAD requests worked on at once (others wait their turn); 0 means twice the number of cores.")
        .default("0")
        .env("STEWARD_READ_CONCURRENCY")
        .restart(),
];
