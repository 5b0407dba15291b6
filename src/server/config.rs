//! Command line and environment, parsed once at start (clap, flags with env fallbacks).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::auth::throttle::Limits;

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
    /// Minutes of inactivity after which a console session ends.
    #[arg(long, env = "STEWARD_SESSION_IDLE_MINUTES", default_value_t = 60, global = true)]
    pub session_idle_minutes: u64,
    /// Hours after sign-in after which a console session ends regardless of activity.
    #[arg(long, env = "STEWARD_SESSION_MAX_HOURS", default_value_t = 12, global = true)]
    pub session_max_hours: u64,
    /// Failed sign-ins allowed per account within the throttle window.
    #[arg(long, env = "STEWARD_LOGIN_FAILURES_PER_ACCOUNT", default_value_t = 5, global = true)]
    pub login_failures_per_account: i64,
    /// Failed sign-ins allowed per IP address within the throttle window.
    #[arg(long, env = "STEWARD_LOGIN_FAILURES_PER_IP", default_value_t = 20, global = true)]
    pub login_failures_per_ip: i64,
    /// Throttle window in minutes.
    #[arg(long, env = "STEWARD_LOGIN_WINDOW_MINUTES", default_value_t = 15, global = true)]
    pub login_window_minutes: i64,
    /// Browser origins (e.g. https://admin.example.org) whose pages may call
    /// the API, OAuth and nodeinfo routes; comma-separated. None by default.
    #[arg(long, env = "STEWARD_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin, global = true)]
    pub cors_origins: Vec<String>,
    /// GET and HEAD requests worked on at once (others wait their turn);
    /// 0 means twice the number of cores. See src/server/admission.rs.
    #[arg(long, env = "STEWARD_READ_CONCURRENCY", default_value_t = 0, global = true)]
    pub read_concurrency: usize,
    /// Public registrations (form and API, accepted or refused) allowed per
    /// IP address per hour.
    #[arg(long, env = "STEWARD_REGISTRATIONS_PER_IP", default_value_t = 10, global = true)]
    pub registrations_per_ip: i64,
    /// Base URL of the Have I Been Pwned range API (used when `hibp` is on).
    #[arg(long, env = "STEWARD_HIBP_URL", default_value = "https://api.pwnedpasswords.com", global = true)]
    pub hibp_url: url::Url,
    /// SMTP server for outgoing mail, e.g. `smtp://localhost:25` or
    /// `smtps://user:pass@mail.example.org`. Without it mail stays in the outbox.
    #[arg(long, env = "STEWARD_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// The From address of Steward's mail.
    #[arg(long, env = "STEWARD_MAIL_FROM", default_value = "Steward <steward@localhost>", global = true)]
    pub mail_from: String,
    /// Runtime site options (site root, pkg dir); see README.
    #[arg(long, env = "STEWARD_LEPTOS_TOML", default_value = "Leptos.toml", global = true)]
    pub leptos_toml: PathBuf,
}

/// Settings the running server reads; built once from [`ServeArgs`].
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub public_url: Option<url::Url>,
    pub secure_cookies: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub login_limits: Limits,
    /// Origins allowed to call the API from a browser (`scheme://host[:port]`).
    pub cors_origins: Vec<String>,
    /// GET and HEAD requests worked on at once.
    pub read_concurrency: usize,
    /// Public registrations allowed per IP per hour.
    pub registrations_per_ip: i64,
    pub hibp_url: url::Url,
    /// Where mail goes (see [`ServeArgs::smtp_url`]); secrets inside are
    /// never printed.
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
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
            session_idle: Duration::from_secs(a.session_idle_minutes * 60),
            session_absolute: Duration::from_secs(a.session_max_hours * 3600),
            login_limits: Limits {
                per_account: a.login_failures_per_account,
                per_ip: a.login_failures_per_ip,
                window_secs: a.login_window_minutes * 60,
            },
            cors_origins: a.cors_origins.clone(),
            read_concurrency: match a.read_concurrency {
                0 => 2 * std::thread::available_parallelism().map_or(2, |n| n.get()),
                n => n,
            },
            registrations_per_ip: a.registrations_per_ip,
            hibp_url: a.hibp_url.clone(),
            smtp_url: a.smtp_url.clone().map(Secret),
            mail_from: a.mail_from.clone(),
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
