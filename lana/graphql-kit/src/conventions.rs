//! Checks a schema's SDL against the API conventions; each server's tests run it.

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{
    BaseType, FieldDefinition, Type, TypeKind, TypeSystemDefinition,
};

fn named(ty: &Type) -> Option<&str> {
    match &ty.base {
        BaseType::Named(name) => Some(name.as_str()),
        BaseType::List(_) => None,
    }
}

fn is(ty: &Type, name: &str, nullable: bool) -> bool {
    ty.nullable == nullable && named(ty) == Some(name)
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn check_field(
    owner: &str,
    field: &FieldDefinition,
    is_mutation: bool,
    problems: &mut Vec<String>,
) {
    let name = field.name.node.as_str();
    let returns = named(&field.ty.node).unwrap_or_default();
    let at = format!("{owner}.{name}");
    if is_mutation {
        let expected_input = format!("{}Input", upper_first(name));
        // A mutation with nothing to say (`timeAdvanceToNextEndOfDay`) takes no argument at
        // all, since GraphQL has no empty input objects.
        let args = &field.arguments;
        if !args.is_empty()
            && (args.len() != 1
                || args[0].node.name.node.as_str() != "input"
                || !is(&args[0].node.ty.node, &expected_input, false))
        {
            problems.push(format!(
                "{at}: takes exactly `input: {expected_input}!` (or nothing)"
            ));
        }
        if !is(
            &field.ty.node,
            &format!("{}Payload", upper_first(name)),
            false,
        ) {
            problems.push(format!("{at}: returns `{}Payload!`", upper_first(name)));
        }
        if !name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) || name.contains('_') {
            problems.push(format!("{at}: is camelCase <entity><Verb>"));
        }
    }
    if returns.ends_with("Connection") {
        let arg = |n: &str| {
            field
                .arguments
                .iter()
                .find(|a| a.node.name.node.as_str() == n)
        };
        if !arg("first").is_some_and(|a| is(&a.node.ty.node, "Int", false)) {
            problems.push(format!("{at}: a connection takes `first: Int!`"));
        }
        if !arg("after").is_some_and(|a| is(&a.node.ty.node, "String", true)) {
            problems.push(format!("{at}: a connection takes `after: String`"));
        }
        if field
            .arguments
            .iter()
            .any(|a| matches!(a.node.name.node.as_str(), "last" | "before"))
        {
            problems.push(format!("{at}: connections page forward only"));
        }
    }
    if name == "id" && !(is(&field.ty.node, "UUID", false) || is(&field.ty.node, "ID", false)) {
        problems.push(format!("{at}: ids are UUID! (or ID! for log entries)"));
    }
}

/// Every convention violation in `sdl`; empty when it conforms.
pub fn check(sdl: &str) -> Vec<String> {
    let document = match parse_schema(sdl) {
        Ok(document) => document,
        Err(e) => return vec![format!("SDL does not parse: {e}")],
    };
    let mut problems = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let owner = ty.node.name.node.as_str();
        if let TypeKind::Object(object) = &ty.node.kind {
            for field in &object.fields {
                check_field(owner, &field.node, owner == "Mutation", &mut problems);
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn violations_are_named() {
        let sdl = r#"
            type Query { users(first: Int, last: Int): UserConnection! user(id: String!): User }
            type Mutation { createUser(email: String!): User! userCreate(input: UserCreateInput!): UserCreatePayload! userPurge: UserPurgePayload! }
            type User { id: String! }
            type UserConnection { nodes: [User!]! }
            type UserCreatePayload { user: User! }
            type UserPurgePayload { count: Int! }
            input UserCreateInput { email: String! }
        "#;
        let problems = check(sdl);
        assert!(
            problems.contains(&"Query.users: a connection takes `first: Int!`".to_owned()),
            "{problems:?}"
        );
        assert!(problems.contains(&"Query.users: a connection takes `after: String`".to_owned()));
        assert!(problems.contains(&"Query.users: connections page forward only".to_owned()));
        assert!(problems.contains(
            &"Mutation.createUser: takes exactly `input: CreateUserInput!` (or nothing)".to_owned()
        ));
        assert!(problems.contains(&"Mutation.createUser: returns `CreateUserPayload!`".to_owned()));
        assert!(problems.contains(&"User.id: ids are UUID! (or ID! for log entries)".to_owned()));
        for fine in ["Mutation.userCreate", "Mutation.userPurge"] {
            assert!(
                !problems.iter().any(|p| p.starts_with(fine)),
                "{problems:?}"
            );
        }
    }
}
