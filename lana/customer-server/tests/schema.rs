//! The committed SDL is the API contract: it must match the code and follow the conventions.
//! Regenerate after an intended change with `UPDATE_SDL=1 cargo test -p customer-server --test schema`.

use graphql_kit::GraphqlConfig;

#[test]
fn the_committed_sdl_is_current_and_follows_the_conventions() {
    let sdl = customer_server::build_schema(&GraphqlConfig::default()).sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    if std::env::var_os("UPDATE_SDL").is_some() {
        std::fs::write(path, &sdl).expect("write schema.graphql");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == sdl,
        "lana/customer-server/schema.graphql is stale; run UPDATE_SDL=1 cargo test -p customer-server --test schema"
    );
    let problems = graphql_kit::conventions::check(&sdl);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for scalar in [
        "scalar UsdCents",
        "scalar Satoshis",
        "scalar Date",
        "scalar DateTime",
        "scalar UUID",
    ] {
        assert!(sdl.contains(scalar), "{scalar} missing from the SDL");
    }
}
