//! What every resolver of a request works with: the app and who is asking. The customer is the
//! token's, never an argument's.

use async_graphql::{Context, Result};
use authz::Actor;
use core_customer::CustomerId;
use lana_app::LanaApp;

/// The authenticated identity a request comes from.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    /// The identity provider's subject.
    pub subject: String,
    pub email: Option<String>,
    /// The customer this identity is, if any, acting under the request's correlation id.
    pub customer: Option<(CustomerId, Actor)>,
}

pub(crate) struct Req<'a> {
    pub app: &'a LanaApp,
    pub identity: &'a Identity,
}

pub(crate) fn req<'a>(ctx: &Context<'a>) -> Result<Req<'a>> {
    Ok(Req {
        app: ctx.data::<LanaApp>()?,
        identity: ctx.data::<Identity>()?,
    })
}
