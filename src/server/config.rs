//! Command line and environment, parsed once at start (clap, flags with env fallbacks).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::server::live::Overrides;

#[derive(Debug, Parser)]
#[command(name = "steward", version, about = "Self-hosted instance admin panel")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Args, Clone)]
pub struct DbArgs {
    /// sqlite://path/to/file.db (created if missing) or postgres://user@host/db
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/steward.db", global = true)]
    pub database_url: String,
}

/// Never prints the database password (a debug log of the arguments would).
impl std::fmt::Debug for DbArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbArgs").field("database_url", &redacted(&self.database_url)).finish()
    }
}

/// `url` with its password, if any, replaced by `***`.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::DbArgs;

    #[test]
    fn debug_output_hides_the_database_password() {
        let args = DbArgs { database_url: "postgres://steward:s3cret@db.example/steward".into() };
        let shown = format!("{args:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://steward:***@db.example/steward"), "{shown}");
        let sqlite = DbArgs { database_url: "sqlite://data/steward.db".into() };
        assert!(format!("{sqlite:?}").contains("sqlite://data/steward.db"));
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console and API (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create an admin (or moderator) account.
    CreateAdmin {
        #[arg(long)]
        nickname: String,
        #[arg(long)]
        email: String,
        /// Create a moderator instead of an admin.
        #[arg(long)]
        moderator: bool,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create an API token for a staff account and print it once.
    CreateToken {
        #[arg(long)]
        nickname: String,
        /// A label to recognise the token by.
        #[arg(long)]
        name: String,
        /// `admin` (the admin API, with the owner's role) or `intake`.
        #[arg(long, default_value = "admin")]
        scope: String,
    },
    /// Insert realistic demo and benchmark data in bulk.
    Seed {
        #[arg(long, default_value_t = 1000)]
        users: u64,
        /// Statuses by the (new and existing) users.
        #[arg(long, default_value_t = 0)]
        statuses: u64,
        /// Reports against those statuses and accounts.
        #[arg(long, default_value_t = 0)]
        reports: u64,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "STEWARD_ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub addr: SocketAddr,
    /// The URL users reach Steward at (for links, cookie security and the CSRF origin check).
    #[arg(long, env = "STEWARD_PUBLIC_URL", global = true)]
    pub public_url: Option<url::Url>,
    /// Let several `steward serve` processes listen on this one address
    /// (SO_REUSEPORT; Linux spreads new connections among them). Every
    /// process must be started with it. See docs/scaling.md.
    #[arg(long, env = "STEWARD_REUSE_PORT", global = true)]
    pub reuse_port: bool,
    /// Runtime site options (site root, pkg dir); see README.
    #[arg(long, env = "STEWARD_LEPTOS_TOML", default_value = "Leptos.toml", global = true)]
    pub leptos_toml: PathBuf,
    // The flags below override settings of the runtime config registry
    // (src/domain/config/registry.rs, where their defaults and help live):
    // given, they win over what is stored; absent, the stored value or the
    // default applies.
    /// sessions.idle_minutes
    #[arg(long, env = "STEWARD_SESSION_IDLE_MINUTES", global = true)]
    pub session_idle_minutes: Option<u64>,
    /// sessions.max_hours
    #[arg(long, env = "STEWARD_SESSION_MAX_HOURS", global = true)]
    pub session_max_hours: Option<u64>,
    /// throttling.login_failures_per_account
    #[arg(long, env = "STEWARD_LOGIN_FAILURES_PER_ACCOUNT", global = true)]
    pub login_failures_per_account: Option<i64>,
    /// throttling.login_failures_per_ip
    #[arg(long, env = "STEWARD_LOGIN_FAILURES_PER_IP", global = true)]
    pub login_failures_per_ip: Option<i64>,
    /// throttling.login_window_minutes
    #[arg(long, env = "STEWARD_LOGIN_WINDOW_MINUTES", global = true)]
    pub login_window_minutes: Option<i64>,
    /// cors.allowed_origins: browser origins (e.g. https://admin.example.org)
    /// whose pages may call the API; comma-separated.
    #[arg(long, env = "STEWARD_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin, global = true)]
    pub cors_origins: Vec<String>,
    /// limits.read_concurrency: GET and HEAD requests worked on at once; 0
    /// means twice the number of cores. See src/server/admission.rs.
    #[arg(long, env = "STEWARD_READ_CONCURRENCY", global = true)]
    pub read_concurrency: Option<usize>,
    /// throttling.registrations_per_ip
    #[arg(long, env = "STEWARD_REGISTRATIONS_PER_IP", global = true)]
    pub registrations_per_ip: Option<i64>,
    /// registration.hibp_url: base URL of the Have I Been Pwned range API.
    #[arg(long, env = "STEWARD_HIBP_URL", global = true)]
    pub hibp_url: Option<url::Url>,
    /// email.smtp_url: e.g. `smtp://localhost:25` or `smtps://user:pass@mail.example.org`.
    #[arg(long, env = "STEWARD_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// email.from
    #[arg(long, env = "STEWARD_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// auth.password_sign_in: `true` turns password sign-in back on whatever
    /// is stored (the way back in if single sign-on fails).
    #[arg(long, env = "STEWARD_PASSWORD_SIGN_IN", global = true)]
    pub password_sign_in: Option<bool>,
}

impl ServeArgs {
    /// The registry settings given by flag or environment.
    pub fn overrides(&self) -> Overrides {
        let mut o = Overrides::default();
        let mut put = |id: &str, v: Option<serde_json::Value>| {
            if let Some(v) = v {
                o.set(id, v);
            }
        };
        put("sessions.idle_minutes", self.session_idle_minutes.map(Into::into));
        put("sessions.max_hours", self.session_max_hours.map(Into::into));
        put("throttling.login_failures_per_account", self.login_failures_per_account.map(Into::into));
        put("throttling.login_failures_per_ip", self.login_failures_per_ip.map(Into::into));
        put("throttling.login_window_minutes", self.login_window_minutes.map(Into::into));
        put("throttling.registrations_per_ip", self.registrations_per_ip.map(Into::into));
        put("cors.allowed_origins", (!self.cors_origins.is_empty()).then(|| self.cors_origins.clone().into()));
        put("limits.read_concurrency", self.read_concurrency.map(Into::into));
        put("registration.hibp_url", self.hibp_url.as_ref().map(|u| u.as_str().into()));
        put("email.smtp_url", self.smtp_url.clone().map(Into::into));
        put("email.from", self.mail_from.clone().map(Into::into));
        put("auth.password_sign_in", self.password_sign_in.map(Into::into));
        o
    }
}

/// Settings the running server reads; built once from [`ServeArgs`]. The
/// registry's settings are not here: read them from `AppState::live`.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub public_url: Option<url::Url>,
    pub secure_cookies: bool,
    /// Registry settings given at start; they win over stored values.
    pub env: Overrides,
    /// The time registration rules read (the review window); tests set it.
    pub clock: Clock,
    /// How the webhook worker paces itself; tests shorten it.
    pub webhook_pace: crate::webhooks::worker::Pace,
}

/// A string kept out of `Debug` output (it may hold a password).
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The current time, or a fixed one that a test moves by hand.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<std::sync::Arc<std::sync::atomic::AtomicI64>>);

impl Clock {
    /// A clock stopped at `unix` seconds; move it with [`Clock::set`].
    pub fn fixed(unix: i64) -> Self {
        Clock(Some(std::sync::Arc::new(std::sync::atomic::AtomicI64::new(unix))))
    }

    pub fn set(&self, unix: i64) {
        if let Some(t) = &self.0 {
            t.store(unix, std::sync::atomic::Ordering::Relaxed);
        }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        match &self.0 {
            Some(t) => time::OffsetDateTime::from_unix_timestamp(t.load(std::sync::atomic::Ordering::Relaxed))
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
            None => time::OffsetDateTime::now_utc(),
        }
    }
}

impl From<&ServeArgs> for Config {
    fn from(a: &ServeArgs) -> Self {
        Config {
            addr: a.addr,
            secure_cookies: a.public_url.as_ref().is_some_and(|u| u.scheme() == "https"),
            public_url: a.public_url.clone(),
            env: a.overrides(),
            clock: Clock::default(),
            webhook_pace: Default::default(),
        }
    }
}

/// `https://admin.example.org` (a path or trailing slash is refused, as
/// browsers send the bare origin).
fn parse_origin(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("{raw:?} is not an origin: {e}"))?;
    let origin = url.origin().ascii_serialization();
    if origin == "null" || raw.trim().trim_end_matches('/') != origin {
        return Err(format!("{raw:?} is not an origin like https://admin.example.org"));
    }
    Ok(origin)
}

impl Config {
    /// Base for links printed to operators (the setup URL).
    pub fn base_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.as_str().trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.addr),
        }
    }
}
