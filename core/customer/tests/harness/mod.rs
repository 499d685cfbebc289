//! The customer domain against a real PostgreSQL: the services it needs (settings, outbox), a
//! way to hand it the KYC provider's webhooks as the inbox does, and the published events.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use audit::Audit;
use authz::{Actor, Authorization};
use chrono::Utc;
use clock::Clock;
use core_customer::{
    CustomerConfig, CustomerType, Customers, KYC_WEBHOOK_SOURCE, KycWebhookHandler,
    ManualConversionAllowed, Prospect, ProspectInput, TelegramHandle,
};
use core_domain_config::{ConfigKey, Declarations, DomainConfigs};
use es::{DbOp, EsEntity};
use inbox::{InboxEvent, InboxEventId, InboxHandler, InboxStatus};
use use_case::UseCases;

pub struct Harness {
    pub db: test_db::TestDb,
    pub configs: DomainConfigs,
    pub customers: Customers,
}

/// Staff acting with every permission (the system), under a correlation id.
pub fn staff() -> Actor {
    Actor::system("customer-test").with_correlation_id(Some("customer-test".into()))
}

pub async fn harness() -> Harness {
    let migrator = es::migrations::combine(&[
        &es::MIGRATOR,
        &outbox::MIGRATOR,
        &audit::MIGRATOR,
        &authz::MIGRATOR,
        &core_domain_config::MIGRATOR,
        &core_customer::MIGRATOR,
    ])
    .await
    .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    let clock = Clock::real();
    let audit = Audit::new(db.pool.clone(), clock.clone());
    let authz = Authorization::init(db.pool.clone(), audit).await.unwrap();
    let use_cases = UseCases::new(db.pool.clone(), clock.clone(), authz);
    let outbox = outbox::Outbox::new(db.pool.clone(), clock);
    let configs = DomainConfigs::new(
        use_cases.clone(),
        Declarations::default().declare::<ManualConversionAllowed>(),
    );
    let customers = Customers::new(
        use_cases,
        &outbox,
        configs.clone(),
        None,
        CustomerConfig::default(),
    );
    Harness {
        db,
        configs,
        customers,
    }
}

impl Harness {
    pub async fn allow_manual_conversion(&self, allowed: bool) {
        self.configs
            .update(
                &staff(),
                ManualConversionAllowed::KEY,
                serde_json::json!(allowed),
            )
            .await
            .unwrap();
    }

    pub async fn prospect(&self, email: &str) -> Prospect {
        self.customers
            .create_prospect(
                &staff(),
                ProspectInput {
                    email: email::Email::parse(email).unwrap(),
                    telegram_handle: TelegramHandle::parse("prospect_tg").unwrap(),
                    customer_type: CustomerType::Individual,
                },
            )
            .await
            .unwrap()
    }

    /// Hands a (verified) provider webhook to the domain, as the inbox job does, and commits.
    pub async fn webhook(&self, payload: serde_json::Value) {
        let event = InboxEvent {
            id: InboxEventId::new(),
            source: KYC_WEBHOOK_SOURCE.into(),
            idempotency_key: uuid::Uuid::now_v7().to_string(),
            payload,
            status: InboxStatus::Processing,
            attempts: 1,
            error: None,
            received_at: Utc::now(),
            processed_at: None,
        };
        let mut op = DbOp::init(&self.db.pool, &Clock::real()).await.unwrap();
        KycWebhookHandler::new(self.customers.clone())
            .handle(&mut op, &event)
            .await
            .unwrap();
        op.commit().await.unwrap();
    }

    /// The types of the events published so far, in order.
    pub async fn published(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT event_type FROM outbox_events ORDER BY id")
            .fetch_all(&self.db.pool)
            .await
            .unwrap()
    }
}

/// A provider webhook about `prospect`.
pub fn kyc(prospect: &Prospect, kind: &str, answer: Option<&str>) -> serde_json::Value {
    let mut payload = serde_json::json!({
        "applicantId": "applicant-1",
        "externalUserId": prospect.id().to_string(),
        "levelName": "basic-kyc-level",
        "type": kind,
    });
    if let Some(answer) = answer {
        payload["reviewResult"] =
            serde_json::json!({ "reviewAnswer": answer, "rejectLabels": ["FORGERY"] });
    }
    payload
}
