//! Stable error codes on every GraphQL error.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation};
use async_graphql::parser::types::ExecutableDocument;
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
    api_error("INTERNAL", "internal error; quote the correlation id to support")
}

fn with_code(mut error: ServerError, code: &'static str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

/// Codes the errors async-graphql raises itself, before any resolver runs.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, "GRAPHQL_PARSE_FAILED"))
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
