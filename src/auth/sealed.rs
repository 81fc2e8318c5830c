//! Secrets the appliance must read back (webhook signing secrets, and later router
//! passwords and SNMP communities) are sealed at rest: XChaCha20-Poly1305 under a
//! key in `<data_dir>/seal.key` (mode 0600, created at first start). A sealed
//! value is text, `v1:` + base64(nonce ‖ ciphertext); the purpose of the secret
//! is bound in as associated data, so a value cannot be moved to another use.

use std::{io, path::Path};

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};

use super::keys::JwtKey;

pub const SEAL_KEY_FILE: &str = "seal.key";
const PREFIX: &str = "v1:";
const NONCE_BYTES: usize = 24;

/// The sealing key.
#[derive(Clone)]
pub struct SealKey {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value does not open with this data directory's seal.key")]
    WrongKey,
    #[error("no randomness from the OS: {0}")]
    Random(String),
}

impl SealKey {
    /// Reads `<data_dir>/seal.key`, creating it (0600) when missing.
    pub fn load_or_create(data_dir: &Path) -> io::Result<Self> {
        let key = JwtKey::load_or_create_named(data_dir, SEAL_KEY_FILE)?;
        Self::from_bytes(key.bytes())
    }

    /// A key from raw bytes (at least 32; the first 32 are used).
    pub fn from_bytes(bytes: &[u8]) -> io::Result<Self> {
        let key = bytes.get(..32).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "seal key shorter than 32 bytes")
        })?;
        let cipher = XChaCha20Poly1305::new_from_slice(key)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad seal key"))?;
        Ok(Self { cipher })
    }

    /// Seals `plain` for `purpose` (e.g. "webhook.secret").
    pub fn seal(&self, purpose: &str, plain: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|e| SealError::Random(e.to_string()))?;
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| SealError::Malformed)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
    }

    /// Opens a value sealed for the same `purpose`.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<String, SealError> {
        let raw = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .ok_or(SealError::Malformed)?;
        if raw.len() < NONCE_BYTES {
            return Err(SealError::Malformed);
        }
        let (nonce, body) = raw.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealError::Malformed)?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: body,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| SealError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| SealError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_fresh_nonce_and_purpose_binding() {
        let dir = tempfile::tempdir().unwrap();
        let key = SealKey::load_or_create(dir.path()).unwrap();
        let a = key.seal("webhook.secret", "whsec_abc").unwrap();
        let b = key.seal("webhook.secret", "whsec_abc").unwrap();
        assert_ne!(a, b, "every seal uses a fresh nonce");
        assert!(!a.contains("whsec_abc"));
        assert_eq!(key.open("webhook.secret", &a).unwrap(), "whsec_abc");
        assert!(matches!(
            key.open("router.password", &a),
            Err(SealError::WrongKey)
        ));
        // The same key file opens it again; another data dir's key does not.
        let again = SealKey::load_or_create(dir.path()).unwrap();
        assert_eq!(again.open("webhook.secret", &a).unwrap(), "whsec_abc");
        let other = SealKey::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        assert!(matches!(
            other.open("webhook.secret", &a),
            Err(SealError::WrongKey)
        ));
        assert!(matches!(
            key.open("webhook.secret", "v1:!!"),
            Err(SealError::Malformed)
        ));
    }

    #[test]
    fn tampering_is_detected() {
        let key = SealKey::from_bytes(&[7u8; 32]).unwrap();
        let sealed = key.seal("p", "secret").unwrap();
        let mut raw = STANDARD.decode(&sealed[3..]).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        let forged = format!("v1:{}", STANDARD.encode(raw));
        assert!(key.open("p", &forged).is_err());
    }
}
