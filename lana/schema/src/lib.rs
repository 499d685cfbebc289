//! The bank's schema, in one place.
//!
//! Each crate that owns tables keeps its migrations in its own `migrations/` folder (and embeds them
//! for its own tests). This crate embeds the same folders by path and combines them in version
//! order, so one migration history covers the database.
//!
//! It deliberately depends on no crate that uses sqlx's compile-time query macros: those macros
//! check queries against a migrated database (see `dev/sqlx-prepare`), and migrating that database
//! must not need them to compile first.

use sqlx::migrate::{MigrateError, Migrator};

static ES: Migrator = sqlx::migrate!("../../lib/es/migrations");
static JOBS: Migrator = sqlx::migrate!("../../lib/jobs/migrations");
static OUTBOX: Migrator = sqlx::migrate!("../../lib/outbox/migrations");
static INBOX: Migrator = sqlx::migrate!("../../lib/inbox/migrations");
static AUDIT: Migrator = sqlx::migrate!("../../lib/audit/migrations");
static AUTHZ: Migrator = sqlx::migrate!("../../lib/authz/migrations");
static LEDGER: Migrator = sqlx::migrate!("../../lib/ledger/migrations");
static IDEMPOTENCY: Migrator = sqlx::migrate!("../../lib/idempotency/migrations");
static ACCESS: Migrator = sqlx::migrate!("../../core/access/migrations");
static DOMAIN_CONFIG: Migrator = sqlx::migrate!("../../core/domain-config/migrations");
static GOVERNANCE: Migrator = sqlx::migrate!("../../core/governance/migrations");
static CUSTOMER: Migrator = sqlx::migrate!("../../core/customer/migrations");
static DEPOSIT: Migrator = sqlx::migrate!("../../core/deposit/migrations");
static TIME: Migrator = sqlx::migrate!("../../core/time/migrations");
static PRICE: Migrator = sqlx::migrate!("../../core/price/migrations");
static CREDIT: Migrator = sqlx::migrate!("../../core/credit/migrations");
static ACCOUNTING: Migrator = sqlx::migrate!("../../core/accounting/migrations");
static CUSTODY: Migrator = sqlx::migrate!("../../core/custody/migrations");

pub async fn migrator() -> Result<Migrator, MigrateError> {
    es::migrations::combine(&[
        &ES,
        &JOBS,
        &OUTBOX,
        &INBOX,
        &AUDIT,
        &AUTHZ,
        &LEDGER,
        &IDEMPOTENCY,
        &ACCESS,
        &DOMAIN_CONFIG,
        &GOVERNANCE,
        &CUSTOMER,
        &DEPOSIT,
        &TIME,
        &PRICE,
        &CREDIT,
        &ACCOUNTING,
        &CUSTODY,
    ])
    .await
}
