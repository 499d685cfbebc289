//! What every resolver of a request works with: the app and the actor (the signed-in staff user,
//! under the request's correlation id), put into the request's data by the HTTP handler.

use async_graphql::{Context, Result};
use authz::Actor;
use lana_app::LanaApp;

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

/// The request's `Idempotency-Key` header, if any.
#[derive(Debug, Clone)]
pub(crate) struct IdempotencyHeader(pub Option<String>);
