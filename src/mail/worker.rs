//! Delivers the outbox over SMTP.
//!
//! Why a hand-kept claim query rather than a job-queue crate: apalis' SQL
//! backend (apalis-sql) brings its own job tables and migrations per backend
//! (outside our `migrations/{sqlite,postgres}`), its own storage type per
//! database where Steward has one [`Db`] over both, and its own sqlx version
//! pin that would have to move in step with ours. The outbox row is already
//! written in the transaction of the change that caused the mail (a job
//! crate would need a second insert into its table there), and what a worker
//! needs beyond it is one query: claim due rows with
//! `FOR UPDATE SKIP LOCKED` and a lease (`locked_until`). That is less code
//! than the adapter, and `/outbox` reads the same table.
//!
//! Delivery is at least once: a worker that dies between the SMTP server's
//! acceptance and `mark_sent` leaves the lease to expire and the mail is sent
//! again. Two live workers never send one row twice: a row is leased to one
//! of them, and only a queued row is marked.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::domain::settings::InstanceSettings;
use crate::error::AppError;
use crate::server::settings;
use crate::server::storage::outbox::{self, Claimed};
use crate::server::storage::{Db, now};

/// How the worker paces itself; tests shorten the waits.
#[derive(Debug, Clone)]
pub struct Pace {
    /// Wait between polls when nothing was due.
    pub poll: Duration,
    /// The first retry's delay; doubled per attempt, capped at `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Attempts before a mail is given up (`failed`).
    pub max_attempts: i64,
    /// Rows claimed per pass.
    pub batch: i64,
    /// How long a claim holds a row beyond the time its batch's SMTP
    /// exchanges may take (`batch × timeout`): another worker must not take
    /// a row this one may still be sending.
    pub lease: Duration,
    /// Limit on one SMTP exchange.
    pub timeout: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            poll: Duration::from_secs(3),
            backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            max_attempts: 10,
            batch: 10,
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

/// An SMTP connection setting and the From address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// From `STEWARD_SMTP_URL` and `STEWARD_MAIL_FROM`. The error never
    /// repeats the URL (it may carry a password).
    pub fn new(smtp_url: &str, from: &str, timeout: Duration) -> Result<Self, AppError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| AppError::Internal(format!("STEWARD_SMTP_URL is not a usable SMTP URL: {e}")))?
            .timeout(Some(timeout))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| AppError::Internal(format!("STEWARD_MAIL_FROM {from:?} is not a mail address: {e}")))?;
        Ok(Mailer { transport, from })
    }

    async fn send(&self, mail: &Claimed, reply_to: Option<&Mailbox>) -> Result<(), Failure> {
        let to =
            mail.to_address.parse::<Mailbox>().map_err(|_| Failure::Permanent("invalid recipient address".into()))?;
        let mut builder = Message::builder().from(self.from.clone()).to(to).subject(mail.subject.as_str());
        if let Some(r) = reply_to {
            builder = builder.reply_to(r.clone());
        }
        let message = builder
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| Failure::Permanent(format!("cannot build the message: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::Permanent(format!("refused by the SMTP server: {e}"))),
            Err(e) => Err(Failure::Transient(e.to_string())),
        }
    }
}

enum Failure {
    /// Worth another attempt later (connection refused, 4xx, timeout).
    Transient(String),
    /// Will not get better (5xx, a malformed address).
    Permanent(String),
}

/// The app's mail worker: delivers with the SMTP server and From address
/// of the settings applied at the last (re)assembly of the app (`/restart`
/// applies new ones); without a server, mail stays in the outbox.
pub async fn follow(db: Db, live: crate::server::live::Live) {
    let pace = Pace::default();
    let mut current: Option<((String, String), Option<Mailer>)> = None;
    loop {
        let applied = live.applied();
        let wanted = applied.smtp_url.as_ref().map(|u| (u.0.clone(), applied.mail_from.clone()));
        if current.as_ref().map(|(k, _)| k) != wanted.as_ref() {
            current = wanted.map(|(url, from)| {
                let mailer = Mailer::new(&url, &from, pace.timeout).inspect_err(|e| e.log()).ok();
                ((url, from), mailer)
            });
        }
        let batch = match &current {
            Some((_, Some(mailer))) => deliver_due(&db, mailer, &pace).await,
            _ => Ok(0),
        };
        match batch {
            Ok(n) if n as i64 >= pace.batch => continue,
            Ok(_) => {}
            Err(e) => e.log(),
        }
        tokio::time::sleep(pace.poll).await;
    }
}

/// Delivers due mail forever; a pass that failed (database away) is logged
/// and tried again at the next poll.
pub async fn run(db: Db, mailer: Mailer, pace: Pace) {
    loop {
        match deliver_due(&db, &mailer, &pace).await {
            // A full batch: more may be due right away.
            Ok(n) if n as i64 >= pace.batch => continue,
            Ok(_) => {}
            Err(e) => e.log(),
        }
        tokio::time::sleep(pace.poll).await;
    }
}

/// One pass: claims a batch, sends each, records each outcome. Returns how
/// many rows were claimed.
pub async fn deliver_due(db: &Db, mailer: &Mailer, pace: &Pace) -> Result<usize, AppError> {
    let at = now();
    let lease = pace.timeout.saturating_mul(u32::try_from(pace.batch).unwrap_or(u32::MAX)) + pace.lease;
    let lease_until = at + lease.as_secs() as i64;
    let claimed = db
        .retrying(|| async move {
            let mut tx = db.begin().await?;
            let rows = outbox::claim(tx.conn(), at, lease_until, pace.batch).await?;
            tx.commit().await?;
            Ok(rows)
        })
        .await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let reply_to = settings::get::<InstanceSettings>(db)
        .await?
        .doc
        .support_email
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| s.parse::<Mailbox>().ok());
    for mail in &claimed {
        let outcome = mailer.send(mail, reply_to.as_ref()).await;
        let mut c = db.conn().await?;
        match outcome {
            Ok(()) => {
                tracing::info!(outbox_id = mail.id, "mail sent");
                outbox::mark_sent(c.as_ref(), mail.id, now()).await?;
            }
            Err(Failure::Transient(e)) if mail.attempts + 1 < pace.max_attempts => {
                let retry_at = now() + backoff(pace, mail.attempts + 1).as_secs() as i64;
                tracing::warn!(outbox_id = mail.id, attempts = mail.attempts + 1, error = %e, "mail not sent; will retry");
                outbox::mark_attempt_failed(c.as_ref(), mail.id, &short(&e), Some(retry_at)).await?;
            }
            Err(Failure::Transient(e) | Failure::Permanent(e)) => {
                tracing::warn!(outbox_id = mail.id, error = %e, "mail not sent; giving up");
                drop(c);
                // Given up and announced together: the alert is never lost nor sent twice.
                let (id, error, attempts) = (mail.id, short(&e), mail.attempts + 1);
                let error = &error;
                db.retrying(|| async move {
                    let mut tx = db.begin().await?;
                    outbox::mark_attempt_failed(tx.conn(), id, error, None).await?;
                    let alert =
                        serde_json::json!({ "outbox_id": id.to_string(), "attempts": attempts, "error": error });
                    use crate::webhooks::{AlertKind, MAIL_FAILED, enqueue_alert};
                    enqueue_alert(tx.conn(), AlertKind::System, MAIL_FAILED, alert).await?;
                    tx.commit().await
                })
                .await?;
            }
        }
    }
    Ok(claimed.len())
}

/// The wait after the `attempts`-th failure: `backoff · 2^(attempts-1)`,
/// capped, plus up to a quarter more so that mail failing together does not
/// retry together.
pub fn backoff(pace: &Pace, attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let base = pace.backoff.saturating_mul(2u32.saturating_pow(exp)).min(pace.max_backoff);
    let jitter_ms = rand::random::<u64>() % (base.as_millis() as u64 / 4 + 1);
    base + Duration::from_millis(jitter_ms)
}

/// An error short enough for a table cell, on one line.
fn short(e: &str) -> String {
    let one_line = e.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}
