//! Combining the schema of several crates into one migration run.
//!
//! Each crate that owns tables embeds its own migrations (`sqlx::migrate!`); the composition root
//! combines them, in version order, into one [`Migrator`] so one `_sqlx_migrations` history covers
//! the whole database. Versions must be unique across crates (they are timestamps).

use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, Migrator};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

#[derive(Debug)]
struct Combined(Vec<Migration>);

impl MigrationSource<'static> for Combined {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        Box::pin(async move { Ok(self.0) })
    }
}

pub async fn combine(sets: &[&Migrator]) -> Result<Migrator, MigrateError> {
    let mut by_version = BTreeMap::new();
    for set in sets {
        for migration in set.iter() {
            if by_version
                .insert(migration.version, migration.clone())
                .is_some()
            {
                return Err(MigrateError::Source(
                    format!("migration version {} is defined twice", migration.version).into(),
                ));
            }
        }
    }
    Migrator::new(Combined(by_version.into_values().collect())).await
}
