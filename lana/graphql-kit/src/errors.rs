//! The error contract at the GraphQL edge: every error carries a stable code (and the request's
//! correlation id, added by `http::respond`). Domain errors become client errors here, in one
//! place for both servers ([`ApiResult::api`]); the codes the GraphQL layer itself raises are
//! declared here; the whole registry is published in each SDL as the `ErrorCode` enum
//! ([`ErrorCodeType`]).

use crate::limits::data_depth;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::registry::{MetaEnumValue, MetaType, MetaTypeId, Registry};
use async_graphql::{
    Context, ContextSelectionSet, ErrorExtensions, OutputType, Positioned, ServerError,
    ServerResult, ValidationResult, Value, Variables,
};
use error_code::{ErrorCode, INTERNAL, INVALID_INPUT};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};
use use_case::DomainError;

pub const UNAUTHENTICATED: ErrorCode = ErrorCode::new(
    "UNAUTHENTICATED",
    "No bearer token, or one that is not valid here (signature, issuer, audience, expiry). HTTP 401.",
);
pub const PAYLOAD_TOO_LARGE: ErrorCode = ErrorCode::new(
    "PAYLOAD_TOO_LARGE",
    "The request body is larger than the server accepts. HTTP 413.",
);
pub const BAD_REQUEST: ErrorCode = ErrorCode::new(
    "BAD_REQUEST",
    "The body is not a JSON GraphQL request (query, variables, operationName). HTTP 400.",
);
pub const BATCH_NOT_SUPPORTED: ErrorCode = ErrorCode::new(
    "BATCH_NOT_SUPPORTED",
    "Batched requests are refused; send one operation per request. HTTP 400.",
);
pub const GRAPHQL_PARSE_FAILED: ErrorCode = ErrorCode::new(
    "GRAPHQL_PARSE_FAILED",
    "The query is not valid GraphQL syntax. HTTP 400.",
);
pub const GRAPHQL_VALIDATION_FAILED: ErrorCode = ErrorCode::new(
    "GRAPHQL_VALIDATION_FAILED",
    "The query does not fit the schema (unknown field, wrong argument type, ...). HTTP 400.",
);
pub const QUERY_TOO_DEEP: ErrorCode = ErrorCode::new(
    "QUERY_TOO_DEEP",
    "The query nests fields deeper than the server allows (introspection fields do not count). HTTP 400.",
);
pub const QUERY_TOO_COMPLEX: ErrorCode = ErrorCode::new(
    "QUERY_TOO_COMPLEX",
    "The query's complexity (a connection costs `first` times its selection) is above the limit. HTTP 400.",
);
pub const INTROSPECTION_DISABLED: ErrorCode = ErrorCode::new(
    "INTROSPECTION_DISABLED",
    "Introspection is switched off on this server; use the published SDL. HTTP 400.",
);

/// The codes of the GraphQL layer.
pub const CODES: &[ErrorCode] = &[
    UNAUTHENTICATED,
    PAYLOAD_TOO_LARGE,
    BAD_REQUEST,
    BATCH_NOT_SUPPORTED,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    QUERY_TOO_DEEP,
    QUERY_TOO_COMPLEX,
    INTROSPECTION_DISABLED,
];

/// A client-facing error with a stable code.
pub fn api_error(code: ErrorCode, message: impl Display) -> async_graphql::Error {
    async_graphql::Error::new(message.to_string()).extend_with(|_, e| e.set("code", code.as_str()))
}

/// An error the client cannot act on: logged in full under the correlation id, reported as
/// `INTERNAL` with no detail.
pub fn internal_error(correlation_id: &str, error: &dyn Display) -> async_graphql::Error {
    tracing::error!(correlation_id, error = %error, "internal error");
    api_error(
        INTERNAL,
        "internal error; quote the correlation id to support",
    )
}

/// A domain error as a client error: its code and message; `INTERNAL` ones are logged under the
/// request's correlation id and hidden.
pub fn domain_error(ctx: &Context<'_>, error: &impl DomainError) -> async_graphql::Error {
    let code = error.code();
    if code == INTERNAL {
        let correlation_id = ctx
            .data_opt::<crate::CorrelationId>()
            .map_or("", |c| c.0.as_str());
        internal_error(correlation_id, error)
    } else {
        api_error(code, error)
    }
}

/// Turns a use case's result into a resolver's: `.api(ctx)?`.
pub trait ApiResult<T> {
    fn api(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T, E: DomainError> ApiResult<T> for Result<T, E> {
    fn api(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|e| domain_error(ctx, &e))
    }
}

/// A value the GraphQL input types accepted but the domain refuses to parse.
pub fn invalid_input(error: impl Display) -> async_graphql::Error {
    api_error(INVALID_INPUT, error)
}

fn with_code(mut error: ServerError, code: ErrorCode) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code.as_str());
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

/// Codes the errors async-graphql raises itself, before any resolver runs, and applies the depth
/// limit to the data fields. When introspection is off it also refuses `__schema` and `__type`
/// anywhere in the document (async-graphql alone would answer them with a silent `null`).
///
/// It also remembers the parsed documents of the queries it let through, by their text (at most
/// [`PARSED_QUERIES_MAX`] of at most [`PARSED_QUERY_MAX_BYTES`] each; all forgotten when full):
/// clients send the same few queries again and again, and parsing was a few percent of a small
/// read's work. A document depends on the text alone (variables are applied later), and every
/// check here and async-graphql's validation still run on each request.
#[derive(Clone)]
pub struct ErrorCodes {
    introspection: bool,
    max_depth: usize,
    parsed: Arc<RwLock<HashMap<String, ExecutableDocument>>>,
}

/// How many parsed queries a schema remembers.
pub const PARSED_QUERIES_MAX: usize = 512;
/// Longer queries are parsed every time.
pub const PARSED_QUERY_MAX_BYTES: usize = 4_096;

impl ErrorCodes {
    /// `max_depth`: the deepest nesting of data fields (see `limits`).
    pub fn new(introspection: bool, max_depth: usize) -> Self {
        Self {
            introspection,
            max_depth,
            parsed: Arc::default(),
        }
    }

    fn remember(&self, query: &str, document: &ExecutableDocument) {
        if query.len() > PARSED_QUERY_MAX_BYTES {
            return;
        }
        if let Ok(mut parsed) = self.parsed.write() {
            if parsed.len() >= PARSED_QUERIES_MAX {
                parsed.clear();
            }
            parsed.insert(query.to_owned(), document.clone());
        }
    }
}

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
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
        if let Some(document) = self.parsed.read().ok().and_then(|p| p.get(query).cloned()) {
            return Ok(document);
        }
        let document = next
            .run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, GRAPHQL_PARSE_FAILED))?;
        let introspects = !self.introspection
            && document
                .operations
                .iter()
                .any(|(_, op)| asks_for_introspection(&document, &op.node.selection_set.node));
        if introspects {
            return Err(with_code(
                ServerError::new("introspection is disabled; use the published SDL", None),
                INTROSPECTION_DISABLED,
            ));
        }
        if data_depth(&document) > self.max_depth {
            return Err(with_code(
                ServerError::new("Query is nested too deep.", None),
                QUERY_TOO_DEEP,
            ));
        }
        self.remember(query, &document);
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
                        "Query is too complex." => QUERY_TOO_COMPLEX,
                        "Query is nested too deep." => QUERY_TOO_DEEP,
                        _ => GRAPHQL_VALIDATION_FAILED,
                    };
                    with_code(e, code)
                })
                .collect()
        })
    }
}

/// The codes of everything below a server (its domains and their libraries); the GraphQL
/// layer's own are added to them.
pub trait CodeRegistry: Send + Sync + 'static {
    fn codes() -> Vec<ErrorCode>;
}

/// Every code a server with registry `R` can answer with, sorted, each once.
pub fn all_codes<R: CodeRegistry>() -> Vec<ErrorCode> {
    let mut codes = R::codes();
    codes.extend_from_slice(CODES);
    codes.sort_by_key(ErrorCode::as_str);
    codes.dedup();
    codes
}

/// The `ErrorCode` enum of the SDL: every code the server can put in `extensions.code`, with its
/// meaning, so the contract documents its errors. No field returns it.
pub struct ErrorCodeType<R>(PhantomData<R>);

impl<R: CodeRegistry> OutputType for ErrorCodeType<R> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorCode")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_output_type::<Self, _>(MetaTypeId::Enum, |_| MetaType::Enum {
            name: "ErrorCode".into(),
            description: Some(
                "The stable code of an error, in `errors[].extensions.code` (with \
                 `extensions.correlationId`). Messages may change; codes do not."
                    .into(),
            ),
            enum_values: all_codes::<R>()
                .into_iter()
                .map(|code| {
                    let value = MetaEnumValue {
                        name: code.as_str().into(),
                        description: Some(code.description().into()),
                        deprecation: Default::default(),
                        visible: None,
                        inaccessible: false,
                        tags: Vec::new(),
                        directive_invocations: Vec::new(),
                    };
                    (code.as_str().to_owned(), value)
                })
                .collect(),
            visible: None,
            inaccessible: false,
            tags: Vec::new(),
            rust_typename: Some(std::any::type_name::<Self>()),
            directive_invocations: Vec::new(),
            requires_scopes: Vec::new(),
        })
    }

    async fn resolve(
        &self,
        _ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<async_graphql::parser::types::Field>,
    ) -> ServerResult<Value> {
        Ok(Value::Null)
    }
}
