//! Have I Been Pwned's range API (k-anonymity): only the first five hex
//! digits of the password's SHA-1 leave the machine; the service answers
//! every suffix it knows under that prefix with a count, and the match is
//! made here. When the service cannot be reached the check is skipped with
//! a warning: an outage must not stop registrations.

use std::sync::LazyLock;
use std::time::Duration;

use sha1::{Digest, Sha1};

/// One client for every check (connection reuse); short timeouts, since a
/// person is waiting on the form.
static CLIENT: LazyLock<reqwest::Client> = LazyLock::new(|| {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .connect_timeout(Duration::from_secs(2))
        .user_agent(concat!("Steward/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("HTTP client builds")
});

/// What the range API says about a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Seen in this many breaches.
    Breached(u64),
    Clean,
    /// The service could not answer; the caller goes on.
    Unknown,
}

/// The password's SHA-1 as upper-case hex, split into the 5-digit prefix
/// sent and the 35-digit suffix kept.
fn split_hash(password: &str) -> (String, String) {
    let hex: String = Sha1::digest(password.as_bytes()).iter().map(|b| format!("{b:02X}")).collect();
    let (prefix, suffix) = hex.split_at(5);
    (prefix.to_owned(), suffix.to_owned())
}

/// The count for `suffix` in a range answer (`SUFFIX:COUNT` lines).
fn count_in(body: &str, suffix: &str) -> Option<u64> {
    body.lines().find_map(|line| {
        let (s, n) = line.trim().split_once(':')?;
        s.eq_ignore_ascii_case(suffix).then(|| n.trim().parse().ok()).flatten()
    })
}

/// Asks `base` (e.g. `https://api.pwnedpasswords.com`) about `password`.
pub async fn check(base: &url::Url, password: &str) -> Verdict {
    let (prefix, suffix) = split_hash(password);
    let url = format!("{}/range/{prefix}", base.as_str().trim_end_matches('/'));
    // Add-Padding makes every answer about the same size, so an observer of
    // the (TLS) traffic learns nothing from its length.
    let answer = async {
        let res = CLIENT.get(&url).header("Add-Padding", "true").send().await?.error_for_status()?;
        res.text().await
    };
    match answer.await {
        Ok(body) => match count_in(&body, &suffix) {
            Some(n) if n > 0 => Verdict::Breached(n),
            _ => Verdict::Clean,
        },
        Err(e) => {
            tracing::warn!(error = %e, "breached-password check unavailable; registration goes on without it");
            Verdict::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_prefix_is_sent_and_padding_lines_count_zero() {
        // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
        let (prefix, suffix) = split_hash("password");
        assert_eq!(prefix, "5BAA6");
        assert_eq!(suffix, "1E4C9B93F3F0682250B6CF8331B7EE68FD8");
        let body = "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:9659365\r\n";
        assert_eq!(count_in(body, &suffix), Some(9_659_365));
        assert_eq!(count_in("1E4C9B93F3F0682250B6CF8331B7EE68FD8:0", &suffix), Some(0));
        assert_eq!(count_in("", &suffix), None);
    }
}
