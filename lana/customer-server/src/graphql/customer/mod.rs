//! Who is signed in.

mod types;

use async_graphql::Object;
use types::Me;

#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    async fn me(&self) -> Me {
        Me
    }
}
