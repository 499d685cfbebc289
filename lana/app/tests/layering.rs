//! The layer rule: dependencies point down only, lana -> core -> lib.
//!
//! Reads `cargo metadata` for the workspace and fails on any dependency (normal, dev or build) from
//! a lower layer to a higher one, and on any member that lives outside the three layers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Lib,
    Core,
    Lana,
}

fn layer_of(manifest_path: &str, root: &str) -> Option<Layer> {
    let relative = Path::new(manifest_path).strip_prefix(root).ok()?;
    match relative.components().next()?.as_os_str().to_str()? {
        "lib" => Some(Layer::Lib),
        "core" => Some(Layer::Core),
        "lana" => Some(Layer::Lana),
        _ => None,
    }
}

/// Every violation of the rule in a `cargo metadata --no-deps` document.
fn violations(metadata: &Value) -> Vec<String> {
    let root = metadata["workspace_root"].as_str().unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let mut found = Vec::new();
    for package in packages {
        let name = package["name"].as_str().unwrap();
        let Some(from) = layer_of(package["manifest_path"].as_str().unwrap(), root) else {
            found.push(format!("{name} is outside lib/, core/ and lana/"));
            continue;
        };
        for dependency in package["dependencies"].as_array().unwrap() {
            let Some(path) = dependency["path"].as_str() else {
                continue;
            };
            let Some(to) = layer_of(&format!("{path}/Cargo.toml"), root) else {
                continue;
            };
            if to > from {
                found.push(format!(
                    "{name} ({from:?}) depends on {} ({to:?})",
                    dependency["name"].as_str().unwrap()
                ));
            }
        }
    }
    found
}

fn workspace_metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_workspace_only_depends_downwards() {
    let metadata = workspace_metadata();
    let members = metadata["packages"].as_array().unwrap().len();
    assert!(
        members >= 9,
        "cargo metadata listed only {members} packages"
    );
    let found = violations(&metadata);
    assert!(found.is_empty(), "layer rule broken:\n{}", found.join("\n"));
}

#[test]
fn an_upward_dependency_is_caught() {
    let metadata = serde_json::json!({
        "workspace_root": "/ws",
        "packages": [
            {
                "name": "money",
                "manifest_path": "/ws/lib/money/Cargo.toml",
                "dependencies": [
                    { "name": "core-deposit", "path": "/ws/core/deposit", "kind": "dev" },
                    { "name": "serde" }
                ]
            },
            {
                "name": "core-deposit",
                "manifest_path": "/ws/core/deposit/Cargo.toml",
                "dependencies": [
                    { "name": "lana-app", "path": "/ws/lana/app", "kind": null },
                    { "name": "money", "path": "/ws/lib/money", "kind": null }
                ]
            },
            {
                "name": "lana-app",
                "manifest_path": "/ws/lana/app/Cargo.toml",
                "dependencies": [{ "name": "core-deposit", "path": "/ws/core/deposit", "kind": null }]
            },
            { "name": "stray", "manifest_path": "/ws/tools/stray/Cargo.toml", "dependencies": [] }
        ]
    });
    assert_eq!(
        violations(&metadata),
        [
            "money (Lib) depends on core-deposit (Core)",
            "core-deposit (Core) depends on lana-app (Lana)",
            "stray is outside lib/, core/ and lana/",
        ]
    );
}
