//! The GraphQL types both servers show alike, one module per domain. Each type resolves its
//! nested fields through the use cases, as the request's actor, so what a field shows is what
//! that actor may see (a customer's own accounts; anything a staff role allows).
//!
//! Depends on `graphql-kit` and the domains, never on `lana-app` or a server.

pub mod credit;
pub mod custody;
pub mod deposit;
pub mod price;
