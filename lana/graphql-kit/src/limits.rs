//! The depth limit counts data fields only.
//!
//! Introspection queries nest `ofType` eight or more levels deep to describe a type like
//! `[Foo!]!`, so the standard query that GraphiQL, code generators and API test tools send is
//! about 13 levels deep. Counting those fields would refuse every such tool at any sensible
//! limit on data, while data fields (where the cost is) must stay bounded. So the configured
//! depth applies to data fields (`__schema`, `__type` and everything under them, and
//! `__typename`, do not count), checked here before validation; and async-graphql's own depth
//! limit is set to [`INTROSPECTION_MAX_DEPTH`], which bounds introspection too.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use std::collections::HashSet;

/// The deepest any query may nest, introspection included (the standard introspection query is
/// about 13 deep).
pub const INTROSPECTION_MAX_DEPTH: usize = 20;

/// How deep the document's operations nest data fields (fragments followed; a fragment that
/// spreads itself is counted once, validation refuses it anyway).
pub fn data_depth(document: &ExecutableDocument) -> usize {
    document
        .operations
        .iter()
        .map(|(_, op)| depth_of(document, &op.node.selection_set.node, &mut HashSet::new()))
        .max()
        .unwrap_or(0)
}

fn depth_of<'d>(
    document: &'d ExecutableDocument,
    set: &'d SelectionSet,
    spreading: &mut HashSet<&'d str>,
) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) if field.node.name.node.starts_with("__") => 0,
            Selection::Field(field) => {
                1 + depth_of(document, &field.node.selection_set.node, spreading)
            }
            Selection::InlineFragment(fragment) => {
                depth_of(document, &fragment.node.selection_set.node, spreading)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match document.fragments.get(&spread.node.fragment_name.node) {
                    Some(fragment) if spreading.insert(name) => {
                        let depth =
                            depth_of(document, &fragment.node.selection_set.node, spreading);
                        spreading.remove(name);
                        depth
                    }
                    _ => 0,
                }
            }
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn depth(query: &str) -> usize {
        data_depth(&parse_query(query).unwrap())
    }

    #[test]
    fn data_fields_count_and_introspection_does_not() {
        assert_eq!(depth("{ a }"), 1);
        assert_eq!(depth("{ a { b { c } } d }"), 3);
        assert_eq!(depth("{ __typename a { __typename } }"), 1);
        assert_eq!(
            depth("{ __schema { types { fields { type { ofType { ofType { name } } } } } } }"),
            0
        );
        assert_eq!(
            depth("query { a { ...F } } fragment F on A { b { c { d } } }"),
            4
        );
        assert_eq!(depth("{ a { ... on A { b } } }"), 2);
        // a fragment spreading itself does not loop
        assert_eq!(depth("{ a { ...F } } fragment F on A { b { ...F } }"), 2);
    }
}
