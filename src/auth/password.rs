//! Argon2id with the crate defaults (m=19 MiB, t=2, p=1: OWASP's baseline),
//! always run off the async runtime, and at most one hash per core at a time:
//! each takes 19 MiB, so unbounded hashing lets a flood of sign-ins exhaust
//! memory. Callers over the limit wait briefly, then get a 503.

use std::sync::LazyLock;
use std::time::Duration;

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use crate::domain::Password;
use crate::error::AppError;

/// Verified against when the nickname is unknown, so both failures cost the same.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("steward dummy password that never matches"));

/// One slot per core.
static SLOTS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// How long a hash waits for a free slot: a few hashes' time.
const SLOT_WAIT: Duration = Duration::from_secs(2);

/// Runs `work` on the blocking pool once a hashing slot is free.
async fn in_slot<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _slot = tokio::time::timeout(SLOT_WAIT, SLOTS.acquire())
        .await
        .map_err(|_| AppError::Unavailable("Too many sign-ins at once. Try again in a moment.".into()))?
        .map_err(|_| AppError::Internal("hashing slots closed".into()))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(format!("hashing task: {e}")))
}

fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default params cannot fail")
        .to_string()
}

pub async fn hash(password: &Password) -> Result<String, AppError> {
    let p = password.expose().to_owned();
    in_slot(move || hash_blocking(&p)).await
}

/// True only if `stored` exists and matches. With no stored hash a dummy is
/// checked anyway to keep the timing of both answers alike.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    in_slot(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&hash)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
}

/// Hashes on the calling thread; for the seeder, which reuses one hash.
pub fn hash_now(password: &str) -> String {
    hash_blocking(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn verifies_only_the_right_password() {
        let h = hash(&Password::parse("correct horse battery", "p").unwrap()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone())).await.unwrap());
        assert!(!verify("wrong horse battery".into(), Some(h)).await.unwrap());
        assert!(!verify("steward dummy password that never matches".into(), None).await.unwrap());
    }
}
