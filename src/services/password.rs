//! argon2 password hashes and random tokens, computed on the blocking pool (each takes tens of milliseconds).
use std::sync::OnceLock;

use anyhow::{Context, anyhow};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::domain::user::Password;

pub async fn hash(password: &Password) -> anyhow::Result<String> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .context("password hashing task")?
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let hash: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow!("hashing a password: {e}"))?;
    Ok(hash.to_string())
}

/// Checks `password` against `stored`, or against a dummy hash when there is no user, so
/// that "no such user" and "wrong password" take the same time.
pub async fn verify(password: &str, stored: Option<String>) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let dummy = dummy_hash();
        // No account, or one without a password (imported from a directory): the same
        // work as a wrong password, so that the answer's timing tells nothing.
        let (hash, real) = match stored.as_deref() {
            Some(hash) if !hash.is_empty() => (hash, true),
            _ => (dummy, false),
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), hash)
            .is_ok();
        real && matches
    })
    .await
    .unwrap_or(false)
}

/// Computes the dummy hash ahead of the first sign-in, so that one is not slower.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(dummy_hash).await;
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_now("gatehouse-dummy-password-for-unknown-users")
            .unwrap_or_else(|_| "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZsMBMQdx1j1pmd4ER6AO4ZDZhW4cwrW17YdX6mrDNRM".to_owned())
    })
}

/// 256 random bits as hex: session stamps, CSRF and setup tokens.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    // getrandom only fails when the OS has no entropy source at all; a zero token would
    // then be refused by the CSRF check, which compares against what the session holds.
    let _ = getrandom::fill(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let password = Password::parse("correct horse battery").map_err(|e| e.0);
        let stored = match password {
            Ok(p) => hash(&p).await.ok(),
            Err(_) => None,
        };
        assert!(
            stored
                .as_deref()
                .is_some_and(|h| h.starts_with("$argon2id$"))
        );
        assert!(verify("correct horse battery", stored.clone()).await);
        assert!(!verify("wrong horse battery", stored).await);
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies_even_with_the_dummy_password() {
        assert!(!verify("gatehouse-dummy-password-for-unknown-users", None).await);
    }
}
