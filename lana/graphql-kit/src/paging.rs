//! Relay connections over the toolkit's keyset pages.

use crate::errors::api_error;
use async_graphql::OutputType;
use async_graphql::connection::{Connection, Edge};
use error_code::{INVALID_CURSOR, INVALID_INPUT};
use es::{Cursor, ListQuery, Page};

/// The largest `first` any connection accepts.
pub const FIRST_MAX: i32 = 100;

/// A page request from `first` and `after`, both already validated by the schema.
pub fn list_query(first: i32, after: Option<String>) -> async_graphql::Result<ListQuery> {
    let first =
        usize::try_from(first).map_err(|_| api_error(INVALID_INPUT, "first must be positive"))?;
    let after = after
        .map(|c| c.parse::<Cursor>())
        .transpose()
        .map_err(|_| api_error(INVALID_CURSOR, "after is not a cursor this list issued"))?;
    Ok(ListQuery::first(first).after(after))
}

/// A page as a connection, each node converted with `node`.
pub fn connection<T, N: OutputType>(page: Page<T>, node: impl Fn(T) -> N) -> Connection<String, N> {
    let mut connection = Connection::new(false, page.has_next_page);
    connection.edges.extend(
        page.entities
            .into_iter()
            .zip(page.cursors)
            .map(|(entity, cursor)| Edge::new(cursor.encode(), node(entity))),
    );
    connection
}
