//! The custody domain against a real PostgreSQL, the fake custodians over HTTP and a real job
//! runner (the wallet opening, the inbox's and the explorer poll's), on a manual clock. The
//! collateral sink records what it is told in tables of its own, in the transaction it is given.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use audit::Audit;
use authz::{Actor, Authorization};
use chrono::{DateTime, Utc};
use clock::{Clock, ManualClock};
use core_custody::{
    CollateralSink, CustodianConfig, CustodianId, CustodianName, Custody, CustodyConfig, Wallet,
};
use custodians::fake::{Delivery, FakeCredentials, FakeCustodians};
use es::{DbOp, EsEntity};
use inbox::{HandlerError, Inbox, InboxEvent, InboxStatus, Received};
use jobs::{Jobs, JobsConfig, RunnerHandle};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

pub const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
pub const NEW_KEY: &str = "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f";
pub const BITGO_SECRET: &str = "bitgo-webhook-secret";
pub const KOMAINU_SECRET: &str = "komainu-webhook-secret";

pub fn staff() -> Actor {
    Actor::system("custody-test").with_correlation_id(Some("custody-test".into()))
}

/// Writes each wallet opened into `sink_wallets` and each balance it is told about into
/// `sink_effects`, in the caller's transaction.
struct RecordingSink;

#[async_trait::async_trait]
impl CollateralSink for RecordingSink {
    async fn wallet_opened_in_op(
        &self,
        op: &mut DbOp,
        wallet: &Wallet,
    ) -> Result<(), HandlerError> {
        sqlx::query("INSERT INTO sink_wallets (facility_id, wallet_id) VALUES ($1, $2)")
            .bind(wallet.facility_id)
            .bind(Uuid::from(wallet.id()))
            .execute(op.conn())
            .await?;
        Ok(())
    }

    async fn wallet_balance_changed_in_op(
        &self,
        op: &mut DbOp,
        wallet: &Wallet,
    ) -> Result<(), HandlerError> {
        let balance = wallet.balance.map(|b| b.balance.into_minor()).unwrap_or(0);
        sqlx::query("INSERT INTO sink_effects (facility_id, balance) VALUES ($1, $2)")
            .bind(wallet.facility_id)
            .bind(i64::try_from(balance)?)
            .execute(op.conn())
            .await?;
        Ok(())
    }
}

pub struct Harness {
    pub db: test_db::TestDb,
    pub custody: Custody,
    pub inbox: Inbox,
    pub fake: FakeCustodians,
    pub manual: ManualClock,
    pub clock: Clock,
    pub use_cases: use_case::UseCases,
    pub jobs: Jobs,
    pub runner: RunnerHandle,
}

pub async fn custody_with_key(
    use_cases: &use_case::UseCases,
    inbox: &Inbox,
    jobs: &Jobs,
    key: &str,
) -> Result<Custody, core_custody::CustodyError> {
    Custody::init(
        use_cases.clone(),
        inbox.clone(),
        jobs.clone(),
        &CustodyConfig {
            encryption_key: Some(key.into()),
            poll_interval_secs: 60,
        },
    )
    .await
}

pub async fn harness() -> Harness {
    let migrator = es::migrations::combine(&[
        &es::MIGRATOR,
        &jobs::MIGRATOR,
        &audit::MIGRATOR,
        &authz::MIGRATOR,
        &inbox::MIGRATOR,
        &core_custody::MIGRATOR,
    ])
    .await
    .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    for table in [
        "CREATE TABLE sink_effects (facility_id uuid NOT NULL, balance bigint NOT NULL)",
        "CREATE TABLE sink_wallets (facility_id uuid NOT NULL, wallet_id uuid NOT NULL)",
    ] {
        sqlx::query(table).execute(&db.pool).await.unwrap();
    }
    let fake = FakeCustodians::start(([127, 0, 0, 1], 0).into(), FakeCredentials::default())
        .await
        .unwrap();
    let (clock, manual) = Clock::manual(Utc::now());
    let audit = Audit::new(db.pool.clone(), clock.clone());
    let authz = Authorization::init(db.pool.clone(), audit).await.unwrap();
    let use_cases = use_case::UseCases::new(db.pool.clone(), clock.clone(), authz);
    let jobs = Jobs::new(
        db.pool.clone(),
        clock.clone(),
        JobsConfig {
            poll_interval_ms: 50,
            retry_base_ms: 50,
            ..JobsConfig::default()
        },
    );
    let inbox = Inbox::new(db.pool.clone(), clock.clone(), jobs.clone());
    let custody = custody_with_key(&use_cases, &inbox, &jobs, KEY)
        .await
        .unwrap();
    custody.connect(Arc::new(RecordingSink)).await.unwrap();
    let runner = jobs.start_runner();
    Harness {
        db,
        custody,
        inbox,
        fake,
        manual,
        clock,
        use_cases,
        jobs,
        runner,
    }
}

impl Harness {
    pub fn bitgo_config(&self, secret: &str) -> CustodianConfig {
        CustodianConfig::bitgo(
            self.fake.base_url(),
            "ent-1",
            "tbtc4",
            Some(&self.fake.credentials().bitgo_access_token),
            Some("wallet passphrase"),
            Some(secret),
        )
        .unwrap()
    }

    pub fn komainu_config(&self, secret: &str) -> CustodianConfig {
        let credentials = self.fake.credentials();
        CustodianConfig::komainu(
            self.fake.base_url(),
            &credentials.komainu_api_user,
            Some(&credentials.komainu_api_secret),
            Some(secret),
        )
        .unwrap()
    }

    pub async fn custodian(&self, name: &str, config: CustodianConfig) -> CustodianId {
        self.custody
            .create_custodian(&staff(), CustodianName::parse(name).unwrap(), config)
            .await
            .unwrap()
            .id()
    }

    /// Asks for the wallet of a new facility as an approval does; the facility's id.
    pub async fn request_wallet(&self, custodian: CustodianId) -> Uuid {
        let facility = Uuid::now_v7();
        let mut op = DbOp::init(&self.db.pool, &self.clock).await.unwrap();
        self.custody
            .request_wallet_in_op(&mut op, custodian, facility)
            .await
            .unwrap();
        op.commit().await.unwrap();
        facility
    }

    /// The facility's wallet once the job has opened it and told the sink.
    pub async fn opened_wallet(&self, facility: Uuid) -> Wallet {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let told: Option<Uuid> =
                sqlx::query_scalar("SELECT wallet_id FROM sink_wallets WHERE facility_id = $1")
                    .bind(facility)
                    .fetch_optional(&self.db.pool)
                    .await
                    .unwrap();
            if let Some(told) = told {
                let wallet = self
                    .custody
                    .wallet_of_facility(&staff(), facility)
                    .await
                    .unwrap()
                    .expect("the wallet the sink was told of");
                assert_eq!(Uuid::from(wallet.id()), told);
                return wallet;
            }
            assert!(Instant::now() < deadline, "no wallet was opened");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Opens a wallet for a new facility through the job; (facility id, wallet).
    pub async fn wallet(&self, custodian: CustodianId) -> (Uuid, Wallet) {
        let facility = self.request_wallet(custodian).await;
        (facility, self.opened_wallet(facility).await)
    }

    /// Hands a delivery to the custody domain as the admin server does.
    pub async fn deliver(
        &self,
        custodian: CustodianId,
        delivery: &Delivery,
    ) -> Result<Received, core_custody::CustodyError> {
        let headers = delivery.headers.clone();
        self.custody
            .receive_webhook(
                custodian,
                move |name| {
                    headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.clone())
                },
                &delivery.body,
            )
            .await
    }

    /// Waits until the event is no longer pending or processing.
    pub async fn processed(&self, received: Received) -> InboxEvent {
        let id = match received {
            Received::New(id) | Received::Duplicate(id) => id,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let event = self.inbox.find(id).await.unwrap();
            if !matches!(event.status, InboxStatus::Pending | InboxStatus::Processing) {
                return event;
            }
            assert!(Instant::now() < deadline, "event {id} stuck");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every balance the sink was told about for `facility`, in order.
    pub async fn sink(&self, facility: Uuid) -> Vec<i64> {
        sqlx::query_scalar("SELECT balance FROM sink_effects WHERE facility_id = $1 ORDER BY ctid")
            .bind(facility)
            .fetch_all(&self.db.pool)
            .await
            .unwrap()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// A delivery with its body changed after it was signed.
pub fn tampered(delivery: &Delivery, from: &str, to: &str) -> Delivery {
    let body = String::from_utf8(delivery.body.clone()).unwrap();
    assert!(body.contains(from));
    Delivery {
        headers: delivery.headers.clone(),
        body: body.replacen(from, to, 1).into_bytes(),
    }
}

/// A delivery without the header `name`.
pub fn without(delivery: &Delivery, name: &str) -> Delivery {
    Delivery {
        headers: delivery
            .headers
            .iter()
            .filter(|(n, _)| n != name)
            .cloned()
            .collect(),
        body: delivery.body.clone(),
    }
}
