//! Argon2id with the crate defaults (m=19 MiB, t=2, p=1: OWASP's baseline),
//! always run off the async runtime, and at most one hash per core at a time:
//! each takes 19 MiB, so unbounded hashing lets a flood of sign-ins exhaust
//! memory. Callers over the limit wait briefly, then get a 503.
//!
//! The hashes run on a fixed set of threads, one per core, not on tokio's
//! blocking pool: glibc keeps a freed 19 MiB block in the arena of the thread
//! that freed it, so memory is bounded only if the same few threads do all
//! the hashing (measured: 0.6–1.5 GB after a flood on the blocking pool).

use std::sync::mpsc::{Sender, channel};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use crate::domain::Password;
use crate::error::AppError;

/// Verified against when the nickname is unknown, so both failures cost the same.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("steward dummy password that never matches"));

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// One slot per core.
static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(cores()));

/// How long a hash waits for a free slot: a few hashes' time.
const SLOT_WAIT: Duration = Duration::from_secs(2);

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads, one per core, taking jobs from one queue.
static HASHERS: LazyLock<Mutex<Sender<Job>>> = LazyLock::new(|| {
    let (tx, rx) = channel::<Job>();
    let rx = std::sync::Arc::new(Mutex::new(rx));
    for i in 0..cores() {
        let rx = rx.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                loop {
                    let job = rx.lock().expect("hashing queue").recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => break,
                    }
                }
            })
            .expect("spawn a hashing thread");
    }
    Mutex::new(tx)
});

/// Runs `work` on a hashing thread once a slot is free.
async fn in_slot<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _slot = tokio::time::timeout(SLOT_WAIT, SLOTS.acquire())
        .await
        .map_err(|_| AppError::Unavailable("Too many sign-ins at once. Try again in a moment.".into()))?
        .map_err(|_| AppError::Internal("hashing slots closed".into()))?;
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(work());
    });
    HASHERS.lock().expect("hashing queue").send(job).map_err(|_| AppError::Internal("hashing threads gone".into()))?;
    result.await.map_err(|_| AppError::Internal("a hashing job was lost".into()))
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
