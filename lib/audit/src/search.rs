//! Searching the log: filters, newest first, cursor pagination.

use crate::{Audit, AuditEntry, AuditEntryId, AuditError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

pub const MAX_PAGE_SIZE: usize = 100;

/// Every filter that is set must match; unset filters match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub subject: Option<String>,
    pub object: Option<String>,
    pub action: Option<String>,
    pub authorized: Option<bool>,
    /// Inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Opaque; pass as `after` for the next page.
    pub end_cursor: Option<String>,
    pub has_next_page: bool,
}

fn encode_cursor(id: AuditEntryId) -> String {
    URL_SAFE_NO_PAD.encode(format!("audit:{}", id.0))
}

impl AuditPage {
    /// The cursor that continues after entry `id`.
    pub fn cursor_of(id: AuditEntryId) -> String {
        encode_cursor(id)
    }
}

fn decode_cursor(cursor: &str) -> Result<i64, AuditError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| AuditError::InvalidCursor)?;
    let text = String::from_utf8(bytes).map_err(|_| AuditError::InvalidCursor)?;
    text.strip_prefix("audit:")
        .and_then(|id| id.parse().ok())
        .ok_or(AuditError::InvalidCursor)
}

impl Audit {
    /// Entries matching `filter`, newest first, `first` at a time (1..=100), after `after`.
    pub async fn search(
        &self,
        filter: &AuditFilter,
        first: usize,
        after: Option<&str>,
    ) -> Result<AuditPage, AuditError> {
        if first == 0 || first > MAX_PAGE_SIZE {
            return Err(AuditError::InvalidPageSize {
                requested: first,
                max: MAX_PAGE_SIZE,
            });
        }
        let before = after.map(decode_cursor).transpose()?;
        let limit = i64::try_from(first + 1).unwrap_or(i64::MAX);
        let mut rows = sqlx::query!(
            r#"SELECT id, subject, object, action, authorized, correlation_id, recorded_at
               FROM audit_entries
               WHERE ($1::text IS NULL OR subject = $1)
                 AND ($2::text IS NULL OR object = $2)
                 AND ($3::text IS NULL OR action = $3)
                 AND ($4::boolean IS NULL OR authorized = $4)
                 AND ($5::timestamptz IS NULL OR recorded_at >= $5)
                 AND ($6::timestamptz IS NULL OR recorded_at < $6)
                 AND ($7::bigint IS NULL OR id < $7)
               ORDER BY id DESC
               LIMIT $8"#,
            filter.subject,
            filter.object,
            filter.action,
            filter.authorized,
            filter.from,
            filter.until,
            before,
            limit
        )
        .fetch_all(&self.pool)
        .await?;
        let has_next_page = rows.len() > first;
        rows.truncate(first);
        let entries: Vec<AuditEntry> = rows
            .into_iter()
            .map(|r| AuditEntry {
                id: AuditEntryId(r.id),
                subject: r.subject,
                object: r.object,
                action: r.action,
                authorized: r.authorized,
                correlation_id: r.correlation_id,
                recorded_at: r.recorded_at,
            })
            .collect();
        Ok(AuditPage {
            end_cursor: entries.last().map(|e| encode_cursor(e.id)),
            entries,
            has_next_page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(AuditEntryId(42))).unwrap(), 42);
        assert!(decode_cursor("!!").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("other:1")).is_err());
    }
}
