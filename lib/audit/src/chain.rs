//! Sealing entries into the hash chain and verifying it.

use crate::{Audit, AuditError};
use chrono::{DateTime, Utc};
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner};
use sha2::{Digest, Sha256};

const SEAL_LOCK: i64 = 0x4c41_4e41_4155_4454; // "LANAAUDT"
const GENESIS: [u8; 32] = [0; 32];
const VERIFY_PAGE: i64 = 5_000;

/// The canonical bytes of an entry: every field length-prefixed, so no two entries encode alike.
fn content(
    id: i64,
    subject: &str,
    object: &str,
    action: &str,
    authorized: bool,
    correlation_id: Option<&str>,
    recorded_at: DateTime<Utc>,
) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(64 + subject.len() + object.len() + action.len());
    let mut field = |b: &[u8]| {
        bytes.extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_be_bytes());
        bytes.extend_from_slice(b);
    };
    field(&id.to_be_bytes());
    field(subject.as_bytes());
    field(object.as_bytes());
    field(action.as_bytes());
    field(&[u8::from(authorized)]);
    match correlation_id {
        Some(c) => field(format!("+{c}").as_bytes()),
        None => field(b"-"),
    }
    field(&recorded_at.timestamp_micros().to_be_bytes());
    bytes
}

fn link(prev: &[u8], content: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(content);
    hasher.finalize().to_vec()
}

/// What verify found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Chain positions checked.
    pub checked: u64,
    /// Entries not chained yet (their transactions were still running at the last seal).
    pub unsealed: u64,
    pub first_mismatch: Option<Mismatch>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.first_mismatch.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The entry at this position is not what was chained (content altered).
    ContentChanged { position: i64, entry_id: i64 },
    /// The chain row's link to its predecessor is wrong (chain altered).
    BrokenLink { position: i64, entry_id: i64 },
    /// The chained entry no longer exists (deleted).
    EntryMissing { position: i64, entry_id: i64 },
    /// A position is missing from the chain.
    PositionGap { expected: i64, found: i64 },
    /// An entry that should be chained is not (inserted behind the sealer's back).
    Unchained { entry_id: i64 },
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::ContentChanged { position, entry_id } => {
                write!(
                    f,
                    "audit entry {entry_id} (chain position {position}) was altered"
                )
            }
            Mismatch::BrokenLink { position, entry_id } => {
                write!(
                    f,
                    "chain link at position {position} (entry {entry_id}) was altered"
                )
            }
            Mismatch::EntryMissing { position, entry_id } => {
                write!(
                    f,
                    "audit entry {entry_id} (chain position {position}) is missing"
                )
            }
            Mismatch::PositionGap { expected, found } => {
                write!(f, "chain position {expected} is missing (next is {found})")
            }
            Mismatch::Unchained { entry_id } => {
                write!(f, "audit entry {entry_id} is not in the chain")
            }
        }
    }
}

impl Audit {
    /// Chains every entry of transactions that are final. Returns how many were chained.
    pub async fn seal(&self) -> Result<u64, AuditError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query!("SELECT pg_advisory_xact_lock($1)", SEAL_LOCK)
            .execute(&mut *tx)
            .await?;
        let (watermark, horizon) = sqlx::query_as::<_, (String, String)>(
            "SELECT watermark::text, pg_snapshot_xmin(pg_current_snapshot())::text FROM audit_seal_state",
        )
        .fetch_one(&mut *tx)
        .await?;
        let head =
            sqlx::query!("SELECT position, hash FROM audit_chain ORDER BY position DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let (mut position, mut prev) = head.map_or((0, GENESIS.to_vec()), |h| (h.position, h.hash));
        let entries = sqlx::query!(
            r#"SELECT id, subject, object, action, authorized, correlation_id, recorded_at
               FROM audit_entries
               WHERE tx_id >= $1::text::xid8 AND tx_id < $2::text::xid8
               ORDER BY tx_id, id"#,
            watermark,
            horizon
        )
        .fetch_all(&mut *tx)
        .await?;
        let sealed = entries.len() as u64;
        let mut positions = Vec::with_capacity(entries.len());
        let mut entry_ids = Vec::with_capacity(entries.len());
        let mut prev_hashes = Vec::with_capacity(entries.len());
        let mut hashes = Vec::with_capacity(entries.len());
        for e in entries {
            let bytes = content(
                e.id,
                &e.subject,
                &e.object,
                &e.action,
                e.authorized,
                e.correlation_id.as_deref(),
                e.recorded_at,
            );
            let hash = link(&prev, &bytes);
            position += 1;
            positions.push(position);
            entry_ids.push(e.id);
            prev_hashes.push(std::mem::replace(&mut prev, hash.clone()));
            hashes.push(hash);
        }
        if !positions.is_empty() {
            sqlx::query!(
                r#"INSERT INTO audit_chain (position, entry_id, prev_hash, hash)
                   SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[])"#,
                &positions,
                &entry_ids,
                &prev_hashes,
                &hashes
            )
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query!(
            "UPDATE audit_seal_state SET watermark = $1::text::xid8",
            horizon
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(sealed)
    }

    /// Seals, then recomputes the whole chain from the entries as they are stored now.
    pub async fn verify(&self) -> Result<VerifyReport, AuditError> {
        self.seal().await?;
        let mut checked = 0u64;
        let mut expected_position = 1i64;
        let mut prev = GENESIS.to_vec();
        loop {
            let rows = sqlx::query!(
                r#"SELECT c.position, c.entry_id, c.prev_hash, c.hash,
                          e.id AS "id?", e.subject AS "subject?", e.object AS "object?", e.action AS "action?",
                          e.authorized AS "authorized?", e.correlation_id, e.recorded_at AS "recorded_at?"
                   FROM audit_chain c LEFT JOIN audit_entries e ON e.id = c.entry_id
                   WHERE c.position >= $1 ORDER BY c.position LIMIT $2"#,
                expected_position,
                VERIFY_PAGE
            )
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let at = (r.position, r.entry_id);
                let mismatch = if r.position != expected_position {
                    Some(Mismatch::PositionGap {
                        expected: expected_position,
                        found: r.position,
                    })
                } else if r.prev_hash != prev {
                    Some(Mismatch::BrokenLink {
                        position: at.0,
                        entry_id: at.1,
                    })
                } else {
                    match (
                        r.id,
                        r.subject,
                        r.object,
                        r.action,
                        r.authorized,
                        r.recorded_at,
                    ) {
                        (
                            Some(id),
                            Some(subject),
                            Some(object),
                            Some(action),
                            Some(authorized),
                            Some(recorded_at),
                        ) => {
                            let bytes = content(
                                id,
                                &subject,
                                &object,
                                &action,
                                authorized,
                                r.correlation_id.as_deref(),
                                recorded_at,
                            );
                            if link(&prev, &bytes) != r.hash {
                                Some(Mismatch::ContentChanged {
                                    position: at.0,
                                    entry_id: at.1,
                                })
                            } else {
                                None
                            }
                        }
                        _ => Some(Mismatch::EntryMissing {
                            position: at.0,
                            entry_id: at.1,
                        }),
                    }
                };
                if let Some(mismatch) = mismatch {
                    return Ok(VerifyReport {
                        checked,
                        unsealed: self.unsealed().await?,
                        first_mismatch: Some(mismatch),
                    });
                }
                prev = r.hash;
                checked += 1;
                expected_position += 1;
            }
        }
        let unchained = sqlx::query_scalar!(
            r#"SELECT e.id FROM audit_entries e, audit_seal_state s
               WHERE e.tx_id < s.watermark
                 AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.entry_id = e.id)
               ORDER BY e.id LIMIT 1"#
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(VerifyReport {
            checked,
            unsealed: self.unsealed().await?,
            first_mismatch: unchained.map(|entry_id| Mismatch::Unchained { entry_id }),
        })
    }

    async fn unsealed(&self) -> Result<u64, AuditError> {
        let n = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM audit_entries e, audit_seal_state s WHERE e.tx_id >= s.watermark"#
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// The recurring job that seals the chain every `interval`.
pub struct SealJob {
    pub audit: Audit,
    pub interval: chrono::Duration,
}

impl SealJob {
    pub const JOB_TYPE: &'static str = "audit.seal";
}

#[async_trait::async_trait]
impl JobRunner for SealJob {
    fn job_type(&self) -> &'static str {
        Self::JOB_TYPE
    }

    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        let sealed = self.audit.seal().await?;
        if sealed > 0 {
            tracing::debug!(sealed, "audit entries chained");
        }
        Ok(JobCompletion::RescheduleAt(
            job.clock().now() + self.interval,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_encoding_is_unambiguous() {
        let at = DateTime::UNIX_EPOCH;
        // Moving a character between neighbouring fields changes the bytes.
        assert_ne!(
            content(1, "ab", "c", "x", true, None, at),
            content(1, "a", "bc", "x", true, None, at)
        );
        assert_ne!(
            content(1, "a", "b", "x", true, None, at),
            content(1, "a", "b", "x", true, Some(""), at)
        );
        assert_ne!(
            content(1, "a", "b", "x", true, None, at),
            content(1, "a", "b", "x", false, None, at)
        );
    }

    #[test]
    fn each_link_depends_on_the_previous_hash() {
        let c = content(1, "a", "b", "x", true, None, DateTime::UNIX_EPOCH);
        assert_ne!(link(&GENESIS, &c), link(&[1; 32], &c));
        assert_eq!(link(&GENESIS, &c).len(), 32);
    }
}
