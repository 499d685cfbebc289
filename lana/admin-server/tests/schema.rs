//! The committed SDL is the API contract: it must match the code and follow the conventions.
//! Regenerate after an intended change with `UPDATE_SDL=1 cargo test -p admin-server --test schema`.
//! And the limits: what standard tools send is answered, abuse is refused before any resolver.

use graphql_kit::GraphqlConfig;

#[test]
fn the_committed_sdl_is_current_and_follows_the_conventions() {
    let sdl = admin_server::build_schema(&GraphqlConfig::default()).sdl();
    graphql_kit::assert_sdl_is_current(
        &sdl,
        concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"),
    );
}

/// The introspection query GraphiQL, code generators and API test tools send (as graphql-js's
/// `getIntrospectionQuery()` builds it): `TypeRef` nests `ofType` seven levels deep.
const INTROSPECTION_QUERY: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

fn codes(response: &async_graphql::Response) -> Vec<String> {
    response
        .errors
        .iter()
        .map(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .map(|c| c.to_string().trim_matches('"').to_owned())
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn the_standard_introspection_query_is_answered_when_introspection_is_on() {
    let open = admin_server::build_schema(&GraphqlConfig::default());
    let response = open.execute(INTROSPECTION_QUERY).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let types = response.data.into_json().unwrap()["__schema"]["types"]
        .as_array()
        .unwrap()
        .len();
    assert!(types > 50, "{types} types");

    let closed = admin_server::build_schema(&GraphqlConfig {
        introspection: false,
        ..GraphqlConfig::default()
    });
    for query in [INTROSPECTION_QUERY, "{ __schema { queryType { name } } }"] {
        let response = closed.execute(query).await;
        assert_eq!(codes(&response), ["INTROSPECTION_DISABLED"]);
    }
}

#[tokio::test]
async fn deep_queries_stay_refused() {
    let schema = admin_server::build_schema(&GraphqlConfig::default());
    // data fields deeper than the limit (10), refused before the schema is even consulted
    let deep = format!("{{ {}id{} }}", "a { ".repeat(10), " }".repeat(10));
    assert_eq!(
        codes(&schema.execute(deep.as_str()).await),
        ["QUERY_TOO_DEEP"]
    );
    // the deepest real data query (10 levels) passes the limit (then needs a signed-in user)
    let ten = "{ customers(first: 1) { edges { node { depositAccounts(first: 1) { edges { node {
        history(first: 1) { edges { node { kind } } } } } } } } } }";
    assert_ne!(codes(&schema.execute(ten).await), ["QUERY_TOO_DEEP"]);
    // introspection is bounded too
    let nested = format!(
        "{{ __schema {{ types {{ {}name{} }} }} }}",
        "ofType { ".repeat(20),
        " }".repeat(20)
    );
    assert_eq!(
        codes(&schema.execute(nested.as_str()).await),
        ["QUERY_TOO_DEEP"]
    );
    // and a lower configured limit is applied to data
    let shallow = admin_server::build_schema(&GraphqlConfig {
        max_depth: 3,
        ..GraphqlConfig::default()
    });
    assert_eq!(
        codes(
            &shallow
                .execute("{ users(first: 1) { nodes { role { name } } } }")
                .await
        ),
        ["QUERY_TOO_DEEP"]
    );
    assert!(shallow.execute(INTROSPECTION_QUERY).await.errors.is_empty());
}

/// The schema remembers the documents it parsed (see `graphql_kit::ErrorCodes`): the same text
/// again must get the same checks, with its own variables and operation.
#[tokio::test]
async fn a_query_seen_before_is_checked_again_with_its_own_variables_and_operation() {
    let schema = admin_server::build_schema(&GraphqlConfig::default());
    let page = "query($first: Int!) { customers(first: $first) { edges { node { depositAccounts(first: 100) { edges { node { id } } } } } } }";
    let with_first = |first: i64| {
        async_graphql::Request::new(page).variables(async_graphql::Variables::from_json(
            serde_json::json!({ "first": first }),
        ))
    };
    for first in [1, 1_000, 1, 1_000] {
        let refused = codes(&schema.execute(with_first(first)).await)
            .contains(&"QUERY_TOO_COMPLEX".to_owned());
        assert_eq!(refused, first == 1_000, "first: {first}");
    }

    let two = "query A { __typename } query B { a: __typename }";
    for name in ["A", "B", "A", "B"] {
        let response = schema
            .execute(async_graphql::Request::new(two).operation_name(name))
            .await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().unwrap();
        let field = if name == "A" { "__typename" } else { "a" };
        assert_eq!(data[field], "Query", "{name}: {data}");
    }

    for _ in 0..2 {
        assert_eq!(
            codes(&schema.execute("{ customers(").await),
            ["GRAPHQL_PARSE_FAILED"]
        );
        let deep = format!("{{ {}id{} }}", "a { ".repeat(10), " }".repeat(10));
        assert_eq!(
            codes(&schema.execute(deep.as_str()).await),
            ["QUERY_TOO_DEEP"]
        );
    }
    let closed = admin_server::build_schema(&GraphqlConfig {
        introspection: false,
        ..GraphqlConfig::default()
    });
    for _ in 0..2 {
        assert_eq!(
            codes(&closed.execute("{ __schema { queryType { name } } }").await),
            ["INTROSPECTION_DISABLED"]
        );
    }
}

#[test]
fn every_error_code_is_in_the_sdl_with_its_meaning() {
    let sdl = admin_server::build_schema(&GraphqlConfig::default()).sdl();
    let codes = graphql_kit::all_codes::<admin_server::Codes>();
    assert!(error_code::check_registry(&codes).is_empty());
    for code in &codes {
        assert!(sdl.contains(&format!("\t{}\n", code.as_str())), "{code}");
        assert!(sdl.contains(code.description()), "{code}");
    }
}
