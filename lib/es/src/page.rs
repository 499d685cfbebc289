use crate::error::EsRepoError;
use crate::repo::{ColumnType, IndexValue};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The largest page any list returns.
pub const MAX_PAGE_SIZE: usize = 100;

/// What a list is sorted by; the entity id breaks ties so the order is total and stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    CreatedAt,
    /// An index column (must be NOT NULL).
    Column(&'static str),
}

/// A request for one page: the first `first` entities after `after`, optionally filtered by
/// index columns (each equal to a value; all of them).
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub order: ListOrder,
    pub descending: bool,
    pub first: usize,
    pub after: Option<Cursor>,
    pub filters: Vec<(&'static str, IndexValue)>,
}

impl ListQuery {
    /// Oldest first, no filter.
    pub fn first(first: usize) -> Self {
        Self {
            order: ListOrder::CreatedAt,
            descending: false,
            first,
            after: None,
            filters: Vec::new(),
        }
    }

    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.after = cursor;
        self
    }

    pub fn order_by(mut self, order: ListOrder, descending: bool) -> Self {
        self.order = order;
        self.descending = descending;
        self
    }

    /// Only entities whose `column` equals `value` (and the filters set before).
    pub fn filter(mut self, column: &'static str, value: impl Into<IndexValue>) -> Self {
        self.filters.push((column, value.into()));
        self
    }
}

/// One page of entities, each with the cursor that continues after it.
#[derive(Debug)]
pub struct Page<T> {
    pub entities: Vec<T>,
    /// `cursors[i]` continues after `entities[i]`.
    pub cursors: Vec<Cursor>,
    pub end_cursor: Option<Cursor>,
    pub has_next_page: bool,
}

/// The position after an entity in a list: its sort key and id. Opaque to clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "k")]
    pub(crate) key: IndexValue,
    #[serde(rename = "i")]
    pub(crate) id: Uuid,
}

impl Cursor {
    /// The position after a row of another list that pages by a timestamp and an id (an inbox).
    pub fn at(timestamp: chrono::DateTime<chrono::Utc>, id: Uuid) -> Self {
        Self {
            key: IndexValue::from(timestamp),
            id,
        }
    }

    /// The timestamp and id of a cursor made by [`Cursor::at`] (`None` for another kind).
    pub fn timestamp_and_id(&self) -> Option<(chrono::DateTime<chrono::Utc>, Uuid)> {
        match self.key {
            IndexValue::Timestamp(Some(at)) => Some((at, self.id)),
            _ => None,
        }
    }

    pub fn encode(&self) -> String {
        // Serializing plain data to JSON cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Parses a client's cursor. Whether it fits the list is checked when it is used.
    pub fn decode(s: &str) -> Result<Self, EsRepoError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| EsRepoError::InvalidCursor)?;
        serde_json::from_slice(&bytes).map_err(|_| EsRepoError::InvalidCursor)
    }

    pub(crate) fn check_type(&self, ty: ColumnType) -> Result<(), EsRepoError> {
        if self.key.column_type() == ty && !self.key.is_null() {
            Ok(())
        } else {
            Err(EsRepoError::InvalidCursor)
        }
    }
}

impl std::str::FromStr for Cursor {
    type Err = EsRepoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::decode(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let cursor = Cursor {
            key: IndexValue::Text(Some("alice@example.com".into())),
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(matches!(
            Cursor::decode("not a cursor!"),
            Err(EsRepoError::InvalidCursor)
        ));
        assert!(matches!(
            Cursor::decode(&URL_SAFE_NO_PAD.encode("{}")),
            Err(EsRepoError::InvalidCursor)
        ));
        assert!(cursor.check_type(ColumnType::Timestamp).is_err());
        assert!(cursor.check_type(ColumnType::Text).is_ok());
    }
}
