//! Test support: each test gets its own database, cloned from a template that holds the migrated
//! schema. The template is built once per distinct migration set (named after the migrations'
//! checksums) under an advisory lock, so parallel test processes share it; cloning a small
//! template is far faster than migrating.
//!
//! The server is the one at `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`),
//! which the dev scripts point at the local or private cluster. Test databases are named
//! `lana_test_*` and templates `lana_tmpl_*`; `dev/test` drops both before and after a run.
#![allow(clippy::expect_used)]

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::str::FromStr;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestDb {
    pub pool: PgPool,
    pub name: String,
}

fn server_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

fn server_options() -> PgConnectOptions {
    PgConnectOptions::from_str(&server_url()).expect("DATABASE_URL is not a PostgreSQL URL")
}

fn template_name(migrator: &Migrator) -> String {
    let mut hasher = DefaultHasher::new();
    for m in migrator.iter() {
        m.version.hash(&mut hasher);
        m.checksum.hash(&mut hasher);
    }
    format!("lana_tmpl_{:016x}", hasher.finish())
}

async fn ensure_template(
    admin: &mut PgConnection,
    options: &PgConnectOptions,
    migrator: &Migrator,
) -> String {
    let name = template_name(migrator);
    let lock_key = i64::from_str_radix(&name["lana_tmpl_".len()..][..15], 16).expect("hex");
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(lock_key)
        .execute(&mut *admin)
        .await
        .expect("advisory lock");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut *admin)
            .await
            .expect("look up template");
    if !exists {
        // Build under a temporary name and rename when complete, so a crash mid-build never leaves
        // a half-migrated template behind under the real name.
        let building = format!("{name}_building");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .execute(&mut *admin)
            .await
            .expect("drop stale template build");
        sqlx::query(&format!("CREATE DATABASE {building}"))
            .execute(&mut *admin)
            .await
            .expect("create template");
        let mut conn = PgConnection::connect_with(&options.clone().database(&building))
            .await
            .expect("connect to template");
        migrator.run(&mut conn).await.expect("migrate template");
        conn.close().await.expect("close template connection");
        sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .execute(&mut *admin)
            .await
            .expect("rename template");
    }
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(lock_key)
        .execute(&mut *admin)
        .await
        .expect("advisory unlock");
    name
}

impl TestDb {
    /// A new, empty database with `migrator`'s schema and a pool of 10 connections.
    pub async fn new(migrator: &Migrator) -> Self {
        Self::with_pool_size(migrator, 10).await
    }

    pub async fn with_pool_size(migrator: &Migrator, max_connections: u32) -> Self {
        let options = server_options();
        let mut admin = PgConnection::connect_with(&options)
            .await
            .expect("connect to the PostgreSQL at DATABASE_URL");
        let template = ensure_template(&mut admin, &options, migrator).await;
        let name = format!("lana_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut admin)
            .await
            .expect("clone template");
        admin.close().await.expect("close admin connection");
        let options = options.database(&name);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await
            .expect("connect to test database");
        Self { pool, name }
    }

    /// A connection URL for this database, for processes started by the test.
    pub fn url(&self) -> String {
        let url = server_url();
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base.to_owned(), format!("?{query}")),
            None => (url.clone(), String::new()),
        };
        let authority_start = base.find("://").map_or(0, |i| i + 3);
        let host_end = base[authority_start..]
            .find('/')
            .map_or(base.len(), |i| authority_start + i);
        format!("{}/{}{query}", &base[..host_end], self.name)
    }

    /// Drops the database, disconnecting anyone still connected.
    pub async fn destroy(self) {
        self.pool.close().await;
        let mut admin = PgConnection::connect_with(&server_options())
            .await
            .expect("connect to the PostgreSQL at DATABASE_URL");
        sqlx::query(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .execute(&mut admin)
            .await
            .expect("drop test database");
    }

    /// Another, independent pool on the same database, standing in for a second process.
    pub async fn second_pool(&self, max_connections: u32) -> PgPool {
        let options = server_options().database(&self.name);
        PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await
            .expect("connect to test database")
    }
}

/// The server settings that decide write throughput, for benchmark reports.
pub async fn settings_report(pool: &PgPool) -> String {
    let mut report = Vec::new();
    for setting in [
        "server_version",
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "wal_level",
        "shared_buffers",
        "max_connections",
    ] {
        let value: String = sqlx::query_scalar(&format!("SHOW {setting}"))
            .fetch_one(pool)
            .await
            .expect("read a server setting");
        report.push(format!("{setting}={value}"));
    }
    report.join(" ")
}

/// The seed of a seeded test: 64 hex digits from the environment variable `var` (to replay a
/// run), else a random one. Printed either way, with how to replay it.
pub fn seed(var: &str) -> [u8; 32] {
    let seed: [u8; 32] = match std::env::var(var) {
        Ok(hex) => (0..32)
            .map(|i| {
                hex.get(i * 2..i * 2 + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
                    .unwrap_or_else(|| panic!("{var} must be 64 hex digits"))
            })
            .collect::<Vec<u8>>()
            .try_into()
            .unwrap_or([0; 32]),
        Err(_) => {
            let mut seed = [0u8; 32];
            seed[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
            seed[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
            seed
        }
    };
    let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    println!("seed {hex} (replay with {var}={hex})");
    seed
}
