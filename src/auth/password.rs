//! Argon2id with the crate defaults (m=19 MiB, t=2, p=1: OWASP's baseline),
//! always run off the async runtime.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use crate::domain::Password;
use crate::error::AppError;

/// Verified against when the nickname is unknown, so both failures cost the same.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("steward dummy password that never matches"));

fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default params cannot fail")
        .to_string()
}

pub async fn hash(password: &Password) -> Result<String, AppError> {
    let p = password.expose().to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&p))
        .await
        .map_err(|e| AppError::Internal(format!("hashing task: {e}")))
}

/// True only if `stored` exists and matches. With no stored hash a dummy is
/// checked anyway to keep the timing of both answers alike.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&hash)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
    .unwrap_or(false)
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
        assert!(verify("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(h)).await);
        assert!(!verify("steward dummy password that never matches".into(), None).await);
    }
}
