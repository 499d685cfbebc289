//! What every resolver of a request works with: the app and the actor (the signed-in staff user,
//! under the request's correlation id), put into the request's data by the HTTP handler.

use async_graphql::{Context, Result};
use authz::Actor;
use graphql_kit::{ApiResult, api_error};
use idempotency::IdempotencyKey;
use lana_app::LanaApp;
use std::future::Future;
use use_case::DomainError;

pub(crate) struct Req<'a> {
    pub app: &'a LanaApp,
    pub actor: &'a Actor,
}

pub(crate) fn req<'a>(ctx: &Context<'a>) -> Result<Req<'a>> {
    Ok(Req {
        app: ctx.data::<LanaApp>()?,
        actor: ctx.data::<Actor>()?,
    })
}

/// Runs a use case of the app as the request's actor; its error becomes the client's.
pub(crate) async fn run<'a, T, E, F>(
    ctx: &Context<'a>,
    use_case: impl FnOnce(&'a LanaApp, &'a Actor) -> F,
) -> Result<T>
where
    F: Future<Output = Result<T, E>>,
    E: DomainError,
{
    let r = req(ctx)?;
    use_case(r.app, r.actor).await.api(ctx)
}

/// The request's `Idempotency-Key` header, if any.
#[derive(Debug, Clone)]
pub(crate) struct IdempotencyHeader(pub Option<String>);

/// The key of a money-moving mutation: the input field, else the `Idempotency-Key` header.
pub(crate) fn idempotency_key(
    ctx: &Context<'_>,
    field: Option<&str>,
) -> Result<Option<IdempotencyKey>> {
    let header = ctx
        .data::<IdempotencyHeader>()
        .ok()
        .and_then(|h| h.0.as_deref());
    field
        .or(header)
        .map(IdempotencyKey::parse)
        .transpose()
        .map_err(|e| api_error(idempotency::INVALID_IDEMPOTENCY_KEY, e))
}
