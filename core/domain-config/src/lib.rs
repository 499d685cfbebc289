//! Domain settings: typed keys that staff change at run time (which the domains declare), with a
//! default and a validation rule each.
//!
//! A domain declares a key as a type implementing [`ConfigKey`] and reads it with
//! [`DomainConfigs::get_in_op`] inside its use case (so a setting and the decision it drives are
//! read in one transaction). Staff list the declared keys and change them through
//! [`DomainConfigs::update`], which parses and validates the JSON value against the key's type;
//! an unknown key or an invalid value is a typed error. Each key that was ever set is an
//! event-sourced entity, so every change (who, when, which audit entry) is kept.

mod declarations;
mod domain_config;
mod error;
pub mod primitives;

pub use declarations::Declarations;
pub use domain_config::{DomainConfig, DomainConfigEvent};
pub use error::{CODES, DomainConfigError};
pub use primitives::{ConfigKey, DomainConfigId, SettingView, permissions};

use domain_config::DomainConfigRepo;
use std::sync::Arc;
use use_case::UseCases;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct DomainConfigs {
    use_cases: UseCases,
    repo: DomainConfigRepo,
    declared: Arc<Declarations>,
}

impl DomainConfigs {
    pub fn new(use_cases: UseCases, declared: Declarations) -> Self {
        Self {
            repo: DomainConfigRepo::new(use_cases.pool().clone(), use_cases.clock().clone()),
            use_cases,
            declared: Arc::new(declared),
        }
    }
}
