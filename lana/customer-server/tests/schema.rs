//! The committed SDL is the API contract: it must match the code and follow the conventions.
//! Regenerate after an intended change with `UPDATE_SDL=1 cargo test -p customer-server --test schema`.

use graphql_kit::GraphqlConfig;

#[test]
fn the_committed_sdl_is_current_and_follows_the_conventions() {
    let sdl = customer_server::build_schema(&GraphqlConfig::default()).sdl();
    graphql_kit::assert_sdl_is_current(
        &sdl,
        concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"),
    );
}
