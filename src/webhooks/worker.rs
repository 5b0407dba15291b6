//! Delivers queued webhooks: claims due rows with a lease (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL) exactly as the mail worker does (see
//! `mail::worker` for why not a job-queue crate), posts each signed body,
//! and records every attempt. 2xx is delivered; anything else (an error, a
//! timeout, a redirect — never followed — or another status) is retried with
//! exponential backoff and jitter, and given up (`failed`) after
//! `max_attempts`.
//!
//! Delivery is at least once: a worker that dies between the receiver's 2xx
//! and recording it leaves the lease to expire and the delivery is sent
//! again (receivers deduplicate on `Steward-Delivery`). Two live workers
//! never send one row at once: a row is leased to one of them.

use std::time::{Duration, Instant};

use crate::error::AppError;
use crate::server::storage::webhooks::{self as rows, Claimed, Next, Outcome};
use crate::server::storage::{Db, now};
use crate::webhooks::sign;

/// How the worker paces itself; tests shorten the waits.
#[derive(Debug, Clone)]
pub struct Pace {
    /// Wait between polls when nothing was due.
    pub poll: Duration,
    /// The first retry's delay; doubled per attempt, capped at `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Attempts before a delivery is given up (`failed`).
    pub max_attempts: i64,
    /// Rows claimed per pass.
    pub batch: i64,
    /// How long a claim holds a row beyond `batch × timeout`.
    pub lease: Duration,
    /// Limit on one request, connection included.
    pub timeout: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            poll: Duration::from_secs(2),
            backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3600),
            max_attempts: 8,
            batch: 10,
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The first bytes of a response body kept in the log.
pub const RESPONSE_SNIPPET: usize = 1024;

/// The HTTP client: no redirects followed (a 3xx is not a delivery), a
/// timeout on the whole exchange.
pub fn client(pace: &Pace) -> Result<reqwest::Client, AppError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(pace.timeout)
        .user_agent(concat!("Steward-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AppError::Internal(format!("webhook HTTP client: {e}")))
}

/// Starts the worker as one of the app's tasks (it ends with the app).
pub fn spawn(tasks: &crate::server::tasks::Tasks, db: Db, pace: Pace) -> Result<(), AppError> {
    let http = client(&pace)?;
    tasks.spawn(run(db, http, pace));
    Ok(())
}

/// Delivers due webhooks forever; a pass that failed (database away) is
/// logged and tried again at the next poll.
pub async fn run(db: Db, http: reqwest::Client, pace: Pace) {
    loop {
        match deliver_due(&db, &http, &pace).await {
            Ok(n) if n as i64 >= pace.batch => continue,
            Ok(_) => {}
            Err(e) => e.log(),
        }
        tokio::time::sleep(pace.poll).await;
    }
}

/// One pass: claims a batch, posts each, records each attempt. Returns how
/// many rows were claimed.
pub async fn deliver_due(db: &Db, http: &reqwest::Client, pace: &Pace) -> Result<usize, AppError> {
    let at = now();
    let lease = pace.timeout.saturating_mul(u32::try_from(pace.batch).unwrap_or(u32::MAX)) + pace.lease;
    let lease_until = at + lease.as_secs() as i64;
    let claimed = db
        .retrying(|| async move {
            let mut tx = db.begin().await?;
            let rows = rows::claim(tx.conn(), at, lease_until, pace.batch).await?;
            tx.commit().await?;
            Ok(rows)
        })
        .await?;
    for d in &claimed {
        let (outcome, ok) = attempt(db, http, d).await?;
        let next = if ok {
            Next::Delivered
        } else if d.attempts + 1 < pace.max_attempts {
            Next::RetryAt(now() + backoff(pace, d.attempts + 1).as_secs() as i64)
        } else {
            Next::GiveUp
        };
        match next {
            Next::Delivered => tracing::info!(delivery = d.id, event = %d.event, "webhook delivered"),
            _ => tracing::warn!(delivery = d.id, attempts = d.attempts + 1, ?next, error = ?outcome.error,
                status = ?outcome.status_code, "webhook not delivered"),
        }
        let (id, outcome) = (d.id, &outcome);
        db.retrying(|| async move {
            let mut tx = db.begin().await?;
            rows::record_attempt(tx.conn(), id, outcome, next).await?;
            tx.commit().await
        })
        .await?;
    }
    Ok(claimed.len())
}

/// Posts one delivery to its endpoint's current URL, signed with its
/// current (and, in a rotation, previous) secret. `true` on 2xx.
async fn attempt(db: &Db, http: &reqwest::Client, d: &Claimed) -> Result<(Outcome, bool), AppError> {
    let endpoint = match d.endpoint_id {
        Some(id) => {
            let mut c = db.conn().await?;
            rows::endpoint(c.as_ref(), id).await?
        }
        None => None,
    };
    let fail = |url: &str, error: &str| Outcome {
        url: url.to_owned(),
        status_code: None,
        latency_ms: 0,
        response: None,
        error: Some(error.to_owned()),
    };
    let Some(e) = endpoint else { return Ok((fail(&d.url, "the endpoint was removed"), false)) };
    if !e.enabled {
        return Ok((fail(&e.url, "the endpoint is disabled"), false));
    }
    let ts = now();
    let signature = sign::signature(&e.secret, e.previous_at(ts), ts, &d.payload);
    let started = Instant::now();
    let sent = http
        .post(&e.url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(sign::SIGNATURE_HEADER, signature)
        .header(sign::EVENT_HEADER, &d.event)
        .header(sign::DELIVERY_HEADER, d.id.to_string())
        .body(d.payload.clone())
        .send()
        .await;
    let mut outcome = Outcome { url: e.url.clone(), status_code: None, latency_ms: 0, response: None, error: None };
    let ok = match sent {
        Ok(mut res) => {
            let status = res.status();
            outcome.status_code = Some(i64::from(status.as_u16()));
            // Only the first KB is kept; the rest is never read.
            let mut body = Vec::new();
            while body.len() < RESPONSE_SNIPPET {
                match res.chunk().await {
                    Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(err) => {
                        outcome.error = Some(short(&format!("reading the response: {err}")));
                        break;
                    }
                }
            }
            outcome.response = Some(snippet(&body));
            if !status.is_success() {
                outcome.error.get_or_insert_with(|| format!("answered {status}"));
            }
            status.is_success()
        }
        Err(err) => {
            let what = if err.is_timeout() {
                format!("timed out after {:?}", started.elapsed())
            } else if err.is_connect() {
                format!("could not connect: {}", root_cause(&err))
            } else {
                root_cause(&err)
            };
            outcome.error = Some(short(&what));
            false
        }
    };
    outcome.latency_ms = started.elapsed().as_millis() as i64;
    Ok((outcome, ok))
}

/// At most [`RESPONSE_SNIPPET`] bytes of `body` as text, cut on a character boundary.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(RESPONSE_SNIPPET)]).into_owned();
    let mut end = text.len().min(RESPONSE_SNIPPET);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].replace('\0', "")
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// The wait after the `attempts`-th failure: `backoff · 2^(attempts-1)`,
/// capped, plus up to a quarter more so that deliveries failing together do
/// not retry together.
pub fn backoff(pace: &Pace, attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let base = pace.backoff.saturating_mul(2u32.saturating_pow(exp)).min(pace.max_backoff);
    let jitter_ms = rand::random::<u64>() % (base.as_millis() as u64 / 4 + 1);
    base + Duration::from_millis(jitter_ms)
}

/// An error short enough for a table cell, on one line.
fn short(e: &str) -> String {
    let one_line = e.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_is_capped_on_a_character_boundary() {
        let body = "é".repeat(1000);
        let s = snippet(body.as_bytes());
        assert!(s.len() <= RESPONSE_SNIPPET && s.chars().all(|c| c == 'é'), "{}", s.len());
        assert_eq!(snippet(b"ok"), "ok");
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = Pace::default();
        let (one, two, many) = (backoff(&p, 1), backoff(&p, 2), backoff(&p, 30));
        assert!(one >= Duration::from_secs(10) && one <= Duration::from_millis(12_500), "{one:?}");
        assert!(two >= Duration::from_secs(20) && two <= Duration::from_secs(25), "{two:?}");
        assert!(many >= Duration::from_secs(3600) && many <= Duration::from_secs(4500), "{many:?}");
    }
}
