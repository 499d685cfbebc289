//! Customers: prospects that staff create, their identity verification (KYC) with a Sumsub-style
//! provider, and the customers they become.
//!
//! **Onboarding.** Staff create a prospect and ask the provider for a verification link
//! ([`Customers::create_kyc_link`]; the prospect id is the provider's external user id). The
//! provider's signed webhooks are verified at the HTTP edge, stored once in the inbox and handed to
//! [`KycWebhookHandler`] by a job: `applicantCreated` -> KYC started, `applicantPending`,
//! `applicantOnHold`, `applicantReviewed` GREEN -> approved, and the customer is created with the
//! prospect's id in the same transaction; RED -> declined. Staff may convert a prospect without
//! the provider only while the setting `customer-manual-conversion-allowed` is true.
//!
//! **Customers** are frozen, unfrozen, closed, and change email; each of these is published on the
//! outbox ([`public::CustomerPublicEvent`]) so the deposit domain carries it to the accounts.

mod customer;
mod error;
pub mod primitives;
mod prospect;
pub mod public;

pub use customer::{Customer, CustomerEvent};
pub use error::CustomerError;
pub use primitives::{
    CustomerId, CustomerStatus, CustomerType, KycLevel, KycStatus, ProspectId, TelegramHandle,
};
pub use prospect::{Prospect, ProspectEvent};

use authz::{Authorization, Subject};
use clock::Clock;
use core_domain_config::{ConfigKey, DomainConfigs};
use customer::{CustomerRepo, NewCustomer};
use email::Email;
use es::{DbOp, EsEntity, EsRepoError, ListQuery, Page, RetryPolicy, retry_conflicts};
use outbox::Outbox;
use primitives::permissions;
use prospect::{NewProspect, ProspectRepo};
use public::CustomerPublicEvent;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sumsub::{ReviewAnswer, SumsubClient, WebhookPayload, WebhookType};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The inbox source of the provider's webhooks.
pub const KYC_WEBHOOK_SOURCE: &str = "sumsub";

/// Whether staff may convert a prospect into a customer without the provider's approval.
pub struct ManualConversionAllowed;

impl ConfigKey for ManualConversionAllowed {
    const KEY: &'static str = "customer-manual-conversion-allowed";
    const DESCRIPTION: &'static str =
        "Staff may convert a prospect into a customer without KYC approval";
    type Value = bool;
    fn default_value() -> bool {
        false
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CustomerConfig {
    /// The provider's level whose approval makes a customer KYC level advanced (else basic).
    pub advanced_kyc_level_name: String,
}

impl Default for CustomerConfig {
    fn default() -> Self {
        Self {
            advanced_kyc_level_name: "advanced-kyc-level".into(),
        }
    }
}

#[derive(Clone)]
pub struct Customers {
    pool: PgPool,
    clock: Clock,
    authz: Authorization,
    outbox: Outbox,
    configs: DomainConfigs,
    kyc: Option<SumsubClient>,
    config: CustomerConfig,
    prospects: ProspectRepo,
    customers: CustomerRepo,
}

/// A prospect's identifying data, as staff enter it.
pub struct ProspectInput {
    pub email: Email,
    pub telegram_handle: TelegramHandle,
    pub customer_type: CustomerType,
}

fn email_taken(e: EsRepoError, email: &Email, customer: bool) -> CustomerError {
    match e {
        EsRepoError::UniqueViolation { .. } if customer => {
            CustomerError::CustomerEmailTaken(email.to_string())
        }
        EsRepoError::UniqueViolation { .. } => CustomerError::ProspectEmailTaken(email.to_string()),
        other => other.into(),
    }
}

impl Customers {
    pub fn new(
        pool: PgPool,
        clock: Clock,
        authz: Authorization,
        outbox: Outbox,
        configs: DomainConfigs,
        kyc: Option<SumsubClient>,
        config: CustomerConfig,
    ) -> Self {
        Self {
            prospects: ProspectRepo::new(pool.clone(), clock.clone()),
            customers: CustomerRepo::new(pool.clone(), clock.clone()),
            pool,
            clock,
            authz,
            outbox,
            configs,
            kyc,
            config,
        }
    }

    pub async fn create_prospect(
        &self,
        actor: &Subject,
        input: ProspectInput,
    ) -> Result<Prospect, CustomerError> {
        let mut op = self
            .authz
            .begin_op(actor, permissions::PROSPECTS, permissions::WRITE)
            .await?;
        let email = input.email.clone();
        let new = NewProspect {
            id: ProspectId::new(),
            email: input.email,
            telegram_handle: input.telegram_handle,
            customer_type: input.customer_type,
        };
        let prospect = self
            .prospects
            .create_in_op(&mut op, new.into_events())
            .await
            .map_err(|e| email_taken(e, &email, false))?;
        op.commit().await?;
        Ok(prospect)
    }

    /// Asks the provider for a verification link for the prospect (its id is the provider's
    /// external user id). The HTTP call runs outside any transaction.
    pub async fn create_kyc_link(
        &self,
        actor: &Subject,
        prospect_id: ProspectId,
    ) -> Result<String, CustomerError> {
        self.authz
            .enforce(actor, permissions::PROSPECTS, permissions::WRITE, None)
            .await?;
        let prospect = self.find_prospect_unchecked(prospect_id).await?;
        if prospect.converted {
            return Err(CustomerError::ProspectAlreadyConverted(prospect_id));
        }
        let kyc = self
            .kyc
            .as_ref()
            .ok_or(CustomerError::KycProviderNotConfigured)?;
        Ok(kyc
            .create_verification_link(&prospect_id.to_string())
            .await?)
    }

    /// Converts a prospect without the provider, when the setting allows it.
    pub async fn convert_prospect(
        &self,
        actor: &Subject,
        prospect_id: ProspectId,
    ) -> Result<Customer, CustomerError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::PROSPECTS, permissions::WRITE)
                .await?;
            if !self
                .configs
                .get_in_op::<ManualConversionAllowed>(&mut op)
                .await?
            {
                return Err(CustomerError::ManualConversionDisabled);
            }
            let mut prospect = self.prospect_in_op(&mut op, prospect_id).await?;
            let _ = prospect.convert_manually()?;
            self.prospects.update_in_op(&mut op, &mut prospect).await?;
            let customer = self
                .create_customer_in_op(&mut op, &prospect, KycLevel::NotKyced)
                .await?;
            op.commit().await?;
            Ok(customer)
        })
        .await
    }

    async fn create_customer_in_op(
        &self,
        op: &mut DbOp,
        prospect: &Prospect,
        kyc_level: KycLevel,
    ) -> Result<Customer, CustomerError> {
        let customer_id = CustomerId::from(prospect.id());
        let new = NewCustomer {
            id: customer_id,
            email: prospect.email.clone(),
            telegram_handle: prospect.telegram_handle.clone(),
            customer_type: prospect.customer_type,
            kyc_level,
            applicant_id: prospect.applicant_id.clone(),
        };
        let customer = self
            .customers
            .create_in_op(op, new.into_events())
            .await
            .map_err(|e| email_taken(e, &prospect.email, true))?;
        self.outbox
            .publish_all_in_op(op, &[CustomerPublicEvent::CustomerCreated { customer_id }])
            .await?;
        Ok(customer)
    }

    async fn prospect_in_op(
        &self,
        op: &mut DbOp,
        id: ProspectId,
    ) -> Result<Prospect, CustomerError> {
        match self.prospects.find_by_id_in_op(op, id).await {
            Err(EsRepoError::NotFound { .. }) => Err(CustomerError::ProspectNotFound(id)),
            other => Ok(other?),
        }
    }

    async fn customer_in_op(
        &self,
        op: &mut DbOp,
        id: CustomerId,
    ) -> Result<Customer, CustomerError> {
        match self.customers.find_by_id_in_op(op, id).await {
            Err(EsRepoError::NotFound { .. }) => Err(CustomerError::CustomerNotFound(id)),
            other => Ok(other?),
        }
    }

    async fn find_prospect_unchecked(&self, id: ProspectId) -> Result<Prospect, CustomerError> {
        match self.prospects.find_by_id(id).await {
            Err(EsRepoError::NotFound { .. }) => Err(CustomerError::ProspectNotFound(id)),
            other => Ok(other?),
        }
    }

    /// Applies one verified provider webhook inside the inbox job's transaction. Webhooks about
    /// unknown prospects or of types that do not concern onboarding change nothing.
    pub async fn apply_kyc_webhook_in_op(
        &self,
        op: &mut DbOp,
        payload: &WebhookPayload,
    ) -> Result<(), CustomerError> {
        let Some(prospect_id) = payload
            .external_user_id
            .as_deref()
            .and_then(|id| id.parse::<uuid::Uuid>().ok())
            .map(ProspectId::from)
        else {
            tracing::warn!(applicant_id = %payload.applicant_id, "KYC webhook without a prospect id; ignored");
            return Ok(());
        };
        let mut prospect = match self.prospect_in_op(op, prospect_id).await {
            Err(CustomerError::ProspectNotFound(_)) => {
                tracing::warn!(%prospect_id, "KYC webhook for an unknown prospect; ignored");
                return Ok(());
            }
            other => other?,
        };
        let applicant = payload.applicant_id.as_str();
        let mut approved = None;
        let _ = match &payload.kind {
            WebhookType::ApplicantCreated => prospect.kyc_started(applicant),
            WebhookType::ApplicantPending => prospect.kyc_pending(applicant),
            WebhookType::ApplicantOnHold => prospect.kyc_on_hold(applicant),
            WebhookType::ApplicantReviewed => match &payload.review_result {
                Some(result) if result.review_answer == ReviewAnswer::Green => {
                    let level = if payload.level_name.as_deref()
                        == Some(self.config.advanced_kyc_level_name.as_str())
                    {
                        KycLevel::Advanced
                    } else {
                        KycLevel::Basic
                    };
                    let outcome = prospect.kyc_approved(applicant, level);
                    if outcome.did_execute() {
                        approved = Some(level);
                    }
                    outcome
                }
                Some(result) => prospect.kyc_declined(applicant, result.reject_labels.clone()),
                None => es::Idempotent::AlreadyApplied,
            },
            _ => es::Idempotent::AlreadyApplied,
        };
        self.prospects.update_in_op(op, &mut prospect).await?;
        if let Some(level) = approved {
            self.create_customer_in_op(op, &prospect, level).await?;
        }
        Ok(())
    }

    pub async fn find_prospect(
        &self,
        actor: &Subject,
        id: ProspectId,
    ) -> Result<Option<Prospect>, CustomerError> {
        self.authz
            .enforce(actor, permissions::PROSPECTS, permissions::READ, None)
            .await?;
        Ok(self.prospects.maybe_find_by_id(id).await?)
    }

    pub async fn list_prospects(
        &self,
        actor: &Subject,
        query: ListQuery,
    ) -> Result<Page<Prospect>, CustomerError> {
        self.authz
            .enforce(actor, permissions::PROSPECTS, permissions::READ, None)
            .await?;
        Ok(self.prospects.list(query).await?)
    }

    pub async fn find_customer(
        &self,
        actor: &Subject,
        id: CustomerId,
    ) -> Result<Option<Customer>, CustomerError> {
        self.authz
            .enforce(actor, permissions::CUSTOMERS, permissions::READ, None)
            .await?;
        Ok(self.customers.maybe_find_by_id(id).await?)
    }

    pub async fn list_customers(
        &self,
        actor: &Subject,
        query: ListQuery,
    ) -> Result<Page<Customer>, CustomerError> {
        self.authz
            .enforce(actor, permissions::CUSTOMERS, permissions::READ, None)
            .await?;
        Ok(self.customers.list(query).await?)
    }

    async fn change(
        &self,
        actor: &Subject,
        id: CustomerId,
        decide: impl Fn(&mut Customer) -> Result<Option<CustomerPublicEvent>, CustomerError>,
    ) -> Result<Customer, CustomerError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::CUSTOMERS, permissions::WRITE)
                .await?;
            let mut customer = self.customer_in_op(&mut op, id).await?;
            let event = decide(&mut customer)?;
            let email = customer.email.clone();
            if self
                .customers
                .update_in_op(&mut op, &mut customer)
                .await
                .map_err(|e| email_taken(e, &email, true))?
                > 0
                && let Some(event) = event
            {
                self.outbox.publish_all_in_op(&mut op, &[event]).await?;
            }
            op.commit().await?;
            Ok(customer)
        })
        .await
    }

    pub async fn freeze(&self, actor: &Subject, id: CustomerId) -> Result<Customer, CustomerError> {
        self.change(actor, id, |c| {
            Ok(c.freeze()?
                .did_execute()
                .then_some(CustomerPublicEvent::CustomerFrozen { customer_id: id }))
        })
        .await
    }

    pub async fn unfreeze(
        &self,
        actor: &Subject,
        id: CustomerId,
    ) -> Result<Customer, CustomerError> {
        self.change(actor, id, |c| {
            Ok(c.unfreeze()?
                .did_execute()
                .then_some(CustomerPublicEvent::CustomerUnfrozen { customer_id: id }))
        })
        .await
    }

    /// Closes the customer; the composition root checks the accounts are empty first.
    pub async fn close(&self, actor: &Subject, id: CustomerId) -> Result<Customer, CustomerError> {
        self.change(actor, id, |c| {
            Ok(c.close()
                .did_execute()
                .then_some(CustomerPublicEvent::CustomerClosed { customer_id: id }))
        })
        .await
    }

    pub async fn update_email(
        &self,
        actor: &Subject,
        id: CustomerId,
        email: Email,
    ) -> Result<Customer, CustomerError> {
        self.change(actor, id, |c| {
            let _ = c.update_email(email.clone())?;
            Ok(None)
        })
        .await
    }

    /// The customer behind a verified customer-realm token: by the stored subject, else by the
    /// verified email (linking the subject on that first login). `None`: no such customer.
    pub async fn customer_for_login(
        &self,
        subject: &str,
        verified_email: Option<&str>,
    ) -> Result<Option<Customer>, CustomerError> {
        if let Some(customer) = self.customers.find_one_by("auth_subject", subject).await? {
            return Ok(Some(customer));
        }
        let Some(email) = verified_email.and_then(|e| Email::parse(e).ok()) else {
            return Ok(None);
        };
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = DbOp::init(&self.pool, &self.clock).await?;
            let Some(mut customer) = self
                .customers
                .find_one_by_in_op(&mut op, "email", email.as_str())
                .await?
            else {
                return Ok(None);
            };
            if customer.status == CustomerStatus::Closed {
                return Ok(None);
            }
            match customer.link_auth_subject(subject) {
                Ok(_) => {}
                Err(CustomerError::SubjectMismatch(id)) => {
                    tracing::warn!(customer_id = %id, "login with the verified email of a customer linked to another identity");
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
            self.customers.update_in_op(&mut op, &mut customer).await?;
            op.commit().await?;
            Ok(Some(customer))
        })
        .await
    }

    /// A customer by id, for the composition root's own checks (no authorization).
    pub async fn customer_by_id(&self, id: CustomerId) -> Result<Option<Customer>, CustomerError> {
        Ok(self.customers.maybe_find_by_id(id).await?)
    }
}

/// Hands the provider's webhooks from the inbox to [`Customers::apply_kyc_webhook_in_op`].
pub struct KycWebhookHandler(pub Customers);

#[async_trait::async_trait]
impl inbox::InboxHandler for KycWebhookHandler {
    fn source(&self) -> &'static str {
        KYC_WEBHOOK_SOURCE
    }

    async fn handle(
        &self,
        op: &mut DbOp,
        event: &inbox::InboxEvent,
    ) -> Result<(), inbox::HandlerError> {
        let payload: WebhookPayload = serde_json::from_value(event.payload.clone())?;
        self.0.apply_kyc_webhook_in_op(op, &payload).await?;
        Ok(())
    }
}
