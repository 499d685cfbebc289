//! The committed SDL is the API contract: it must match the code and follow the conventions.
//! Regenerate after an intended change with `UPDATE_SDL=1 cargo test -p admin-server --test schema`.

use graphql_kit::GraphqlConfig;

#[test]
fn the_committed_sdl_is_current_and_follows_the_conventions() {
    let sdl = admin_server::build_schema(&GraphqlConfig::default()).sdl();
    graphql_kit::assert_sdl_is_current(
        &sdl,
        concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"),
    );
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let query = "{ __schema { queryType { name } } }";
    let open = admin_server::build_schema(&GraphqlConfig::default());
    let response = open.execute(query).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let closed = admin_server::build_schema(&GraphqlConfig {
        introspection: false,
        ..GraphqlConfig::default()
    });
    let response = closed.execute(query).await;
    assert!(
        !response.errors.is_empty(),
        "introspection answered while switched off"
    );
}
