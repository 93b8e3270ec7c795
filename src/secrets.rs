//! Secrets at rest (a directory's bind password, a SCIM bearer token, a webhook's signing
//! secret): sealed with AES-256-GCM under a key derived from the server's key with
//! HKDF-SHA256, so that a copy of the database alone does not give them away. A sealed
//! secret is `v1.` followed by base64 of a random 96-bit nonce and the ciphertext; the
//! row's id is bound in as associated data, so a sealed value moved to another row does not
//! open.
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use hkdf::Hkdf;
use sha2::Sha256;

const PREFIX: &str = "v1.";
const NONCE_BYTES: usize = 12;

/// Seals and opens secrets. Cheap to clone; never printed.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

/// A sealed value that does not open: made under another server key, or altered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a stored secret could not be decrypted: it was saved under another server key \
     (GATEHOUSE_SESSION_KEY) or altered. Enter it again."
)]
pub struct Unreadable;

impl SecretBox {
    /// The box for a server whose key is `server_key` (the session key's bytes).
    pub fn derive(server_key: &[u8]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(b"gatehouse"), server_key);
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 255 × 32.
        let _ = hkdf.expand(b"connected-system secrets v1", &mut key);
        Self {
            cipher: Aes256Gcm::new(&key.into()),
        }
    }

    /// `secret` sealed for the row `owner`.
    pub fn seal(&self, owner: &str, secret: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        let _ = getrandom::fill(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: owner.as_bytes(),
                },
            )
            // AES-GCM encryption fails only for messages over 64 GiB.
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}", STANDARD_NO_PAD.encode(bytes))
    }

    /// The secret that `sealed` holds for the row `owner`.
    pub fn open(&self, owner: &str, sealed: &str) -> Result<String, Unreadable> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD_NO_PAD.decode(b).ok())
            .filter(|b| b.len() > NONCE_BYTES)
            .ok_or(Unreadable)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: owner.as_bytes(),
                },
            )
            .map_err(|_| Unreadable)?;
        String::from_utf8(plain).map_err(|_| Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_the_same_key_and_owner() {
        let server = SecretBox::derive(&[7u8; 64]);
        let sealed = server.seal("row-1", "s3cret bind password");
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("s3cret"));
        assert_eq!(
            server.open("row-1", &sealed).as_deref(),
            Ok("s3cret bind password")
        );
        // Another row, another server key, a changed byte: none of them open it.
        assert_eq!(server.open("row-2", &sealed), Err(Unreadable));
        assert_eq!(
            SecretBox::derive(&[8u8; 64]).open("row-1", &sealed),
            Err(Unreadable)
        );
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap_or_default();
        assert_eq!(server.open("row-1", &altered), Err(Unreadable));
        assert_eq!(server.open("row-1", "plain text"), Err(Unreadable));
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let server = SecretBox::derive(&[1u8; 64]);
        assert_ne!(server.seal("a", "same"), server.seal("a", "same"));
    }
}
