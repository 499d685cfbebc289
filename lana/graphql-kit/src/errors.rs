//! Stable error codes on every GraphQL error.

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, ServerError, ServerResult, ValidationResult, Variables};
use std::fmt::Display;
use std::sync::Arc;

/// A client-facing error with a stable code.
pub fn api_error(code: &'static str, message: impl Display) -> async_graphql::Error {
    async_graphql::Error::new(message.to_string()).extend_with(|_, e| e.set("code", code))
}

/// An error the client cannot act on: logged in full under the correlation id, reported as
/// `INTERNAL` with no detail.
pub fn internal_error(correlation_id: &str, error: &dyn Display) -> async_graphql::Error {
    tracing::error!(correlation_id, error = %error, "internal error");
    api_error(
        "INTERNAL",
        "internal error; quote the correlation id to support",
    )
}

fn with_code(mut error: ServerError, code: &'static str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

fn asks_for_introspection(document: &ExecutableDocument, set: &SelectionSet) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            let name = field.node.name.node.as_str();
            name == "__schema"
                || name == "__type"
                || asks_for_introspection(document, &field.node.selection_set.node)
        }
        Selection::InlineFragment(fragment) => {
            asks_for_introspection(document, &fragment.node.selection_set.node)
        }
        Selection::FragmentSpread(spread) => document
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|f| asks_for_introspection(document, &f.node.selection_set.node)),
    })
}

/// Codes the errors async-graphql raises itself, before any resolver runs. When introspection is
/// off it also refuses `__schema` and `__type` anywhere in the document (async-graphql alone would
/// answer them with a silent `null`).
#[derive(Clone, Copy)]
pub struct ErrorCodes {
    pub introspection: bool,
}

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next
            .run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, "GRAPHQL_PARSE_FAILED"))?;
        let introspects = !self.introspection
            && document
                .operations
                .iter()
                .any(|(_, op)| asks_for_introspection(&document, &op.node.selection_set.node));
        if introspects {
            return Err(with_code(
                ServerError::new("introspection is disabled; use the published SDL", None),
                "INTROSPECTION_DISABLED",
            ));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    let code = match e.message.as_str() {
                        "Query is too complex." => "QUERY_TOO_COMPLEX",
                        "Query is nested too deep." => "QUERY_TOO_DEEP",
                        _ => "GRAPHQL_VALIDATION_FAILED",
                    };
                    with_code(e, code)
                })
                .collect()
        })
    }
}
