//! Custodian secrets, sealed with AES-256-GCM (authenticated: a changed byte does not open).
//!
//! **Where.** Not in the custodian's events: an event is never rewritten, so a secret in one
//! would stay under the old key after a rotation. Each custodian's secrets are one sealed JSON
//! document in `custody_secrets`: a random 12-byte nonce, then ciphertext and tag; the
//! custodian's id is the associated data, so a row copied onto another custodian does not open.
//!
//! **Which key.** `custody_encryption_key` holds the fingerprint (a hash, not the key) of the
//! key everything is under. A process configured with another key refuses to start
//! ([`check_configured_key`]). A rotation (`rotate_in_op`) locks that row, opens every secret
//! with the old key, seals it with the new one and moves the fingerprint, in one transaction:
//! afterwards the old key opens nothing and is refused at start.

use crate::error::CustodyError;
use crate::primitives::{CustodianId, SecretSet};
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use es::DbOp;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

const NONCE_LEN: usize = 12;

/// A 256-bit key, from 64 hex characters. Never printed.
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptionKey({})", self.fingerprint())
    }
}

impl EncryptionKey {
    pub fn parse(hex_key: &str) -> Result<Self, CustodyError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| CustodyError::EncryptionKeyInvalid)?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CustodyError::EncryptionKeyInvalid)?;
        Ok(Self(key))
    }

    /// Names the key without revealing it: 16 hex characters of a hash of it.
    pub fn fingerprint(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(b"lana custody encryption key\0");
        hash.update(self.0);
        hex::encode(&hash.finalize()[..8])
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0))
    }

    pub(crate) fn seal(&self, custodian: CustodianId, secrets: &SecretSet) -> Vec<u8> {
        let plaintext = serde_json::to_vec(secrets).unwrap_or_default();
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = uuid::Uuid::from(custodian);
        // encryption with a valid key and nonce does not fail (only a message beyond
        // GCM's 64 GiB limit would)
        let ciphertext = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: &plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    pub(crate) fn open(
        &self,
        custodian: CustodianId,
        sealed: &[u8],
    ) -> Result<SecretSet, CustodyError> {
        let unreadable = || CustodyError::SecretsUnreadable(custodian);
        if sealed.len() <= NONCE_LEN {
            return Err(unreadable());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let aad = uuid::Uuid::from(custodian);
        let plaintext = self
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| unreadable())?;
        serde_json::from_slice(&plaintext).map_err(|_| unreadable())
    }
}

/// At start: the configured key must be the one the secrets are under. The first key ever
/// configured is recorded as that one.
pub(crate) async fn check_configured_key(
    pool: &PgPool,
    key: Option<&EncryptionKey>,
) -> Result<(), CustodyError> {
    let Some(key) = key else {
        return Ok(());
    };
    let configured = key.fingerprint();
    sqlx::query!(
        "INSERT INTO custody_encryption_key (fingerprint) VALUES ($1) ON CONFLICT DO NOTHING",
        configured
    )
    .execute(pool)
    .await?;
    let stored = sqlx::query_scalar!("SELECT fingerprint FROM custody_encryption_key")
        .fetch_one(pool)
        .await?;
    if stored != configured {
        return Err(CustodyError::EncryptionKeyMismatch { configured, stored });
    }
    Ok(())
}

pub(crate) async fn store_in_op(
    op: &mut DbOp,
    key: &EncryptionKey,
    custodian: CustodianId,
    secrets: &SecretSet,
) -> Result<(), CustodyError> {
    let sealed = key.seal(custodian, secrets);
    sqlx::query!(
        r#"INSERT INTO custody_secrets (custodian_id, sealed, key_fingerprint) VALUES ($1, $2, $3)
           ON CONFLICT (custodian_id) DO UPDATE SET sealed = $2, key_fingerprint = $3"#,
        uuid::Uuid::from(custodian),
        sealed,
        key.fingerprint()
    )
    .execute(op.conn())
    .await?;
    Ok(())
}

/// The custodian's secrets (none stored: the empty set).
pub(crate) async fn load(
    conn: &mut sqlx::PgConnection,
    key: Option<&EncryptionKey>,
    custodian: CustodianId,
) -> Result<SecretSet, CustodyError> {
    let sealed = sqlx::query_scalar!(
        "SELECT sealed FROM custody_secrets WHERE custodian_id = $1",
        uuid::Uuid::from(custodian)
    )
    .fetch_optional(&mut *conn)
    .await?;
    match (sealed, key) {
        (None, _) => Ok(SecretSet::default()),
        (Some(_), None) => Err(CustodyError::EncryptionKeyMissing),
        (Some(sealed), Some(key)) => key.open(custodian, &sealed),
    }
}

/// Re-seals every secret under `new`; refused unless `old` is the current key. The number of
/// custodians whose secrets moved.
pub(crate) async fn rotate_in_op(
    op: &mut DbOp,
    old: &EncryptionKey,
    new: &EncryptionKey,
) -> Result<usize, CustodyError> {
    let stored = sqlx::query_scalar!("SELECT fingerprint FROM custody_encryption_key FOR UPDATE")
        .fetch_optional(op.conn())
        .await?;
    if stored.as_deref().is_some_and(|s| s != old.fingerprint()) {
        return Err(CustodyError::EncryptionKeyMismatch {
            configured: old.fingerprint(),
            stored: stored.unwrap_or_default(),
        });
    }
    let rows = sqlx::query!("SELECT custodian_id, sealed FROM custody_secrets FOR UPDATE")
        .fetch_all(op.conn())
        .await?;
    for row in &rows {
        let custodian = CustodianId::from(row.custodian_id);
        let secrets = old.open(custodian, &row.sealed)?;
        store_in_op(op, new, custodian, &secrets).await?;
    }
    let now = op.now();
    sqlx::query!(
        r#"INSERT INTO custody_encryption_key (fingerprint, rotated_at) VALUES ($1, $2)
           ON CONFLICT (singleton) DO UPDATE SET fingerprint = $1, rotated_at = $2"#,
        new.fingerprint(),
        now
    )
    .execute(op.conn())
    .await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> EncryptionKey {
        EncryptionKey::parse(&hex::encode([byte; 32])).unwrap()
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_custodian() {
        let custodian = CustodianId::new();
        let secrets = SecretSet {
            webhook_secret: Some("hook".into()),
            ..SecretSet::default()
        };
        let sealed = key(1).seal(custodian, &secrets);
        assert!(!String::from_utf8_lossy(&sealed).contains("hook"));
        assert_eq!(key(1).open(custodian, &sealed).unwrap(), secrets);
        assert!(key(2).open(custodian, &sealed).is_err());
        assert!(key(1).open(CustodianId::new(), &sealed).is_err());
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(key(1).open(custodian, &tampered).is_err());
        // two seals of the same secrets differ (fresh nonce)
        assert_ne!(key(1).seal(custodian, &secrets), sealed);
    }

    #[test]
    fn keys_are_64_hex_characters_and_never_printed() {
        assert!(EncryptionKey::parse("abcd").is_err());
        assert!(EncryptionKey::parse(&"zz".repeat(32)).is_err());
        let k = key(7);
        assert!(!format!("{k:?}").contains(&hex::encode([7u8; 32])));
        assert_ne!(key(7).fingerprint(), key(8).fingerprint());
    }
}
