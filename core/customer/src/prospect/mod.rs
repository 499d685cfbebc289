//! Prospects: created by staff, verified by the KYC provider (or converted by staff when the
//! setting allows it), and converted into a customer with the same id in the same transaction.

mod entity;
mod repo;

pub use entity::{Prospect, ProspectEvent};
pub(crate) use repo::ProspectRepo;

use crate::Customers;
use crate::config::ManualConversionAllowed;
use crate::customer::{Customer, NewCustomer, email_taken};
use crate::error::CustomerError;
use crate::primitives::{CustomerId, KycLevel, KycUpdate, ProspectId, ProspectInput, permissions};
use authz::Actor;
use entity::NewProspect;
use es::{DbOp, EsEntity, EsRepoError, ListQuery, Page};

impl Customers {
    pub async fn create_prospect(
        &self,
        actor: &Actor,
        input: ProspectInput,
    ) -> Result<Prospect, CustomerError> {
        use permissions::{PROSPECTS, WRITE};
        let input = &input;
        self.use_cases
            .command(actor, PROSPECTS, WRITE, || {
                async move |op| {
                    let new = NewProspect {
                        id: ProspectId::new(),
                        email: input.email.clone(),
                        telegram_handle: input.telegram_handle.clone(),
                        customer_type: input.customer_type,
                    };
                    match self.prospects.create_in_op(op, new.into_events()).await {
                        Err(EsRepoError::UniqueViolation { .. }) => {
                            Err(CustomerError::ProspectEmailTaken(input.email.to_string()))
                        }
                        other => Ok(other?),
                    }
                }
            })
            .await
    }

    /// Asks the provider for a verification link for the prospect (its id is the provider's
    /// external user id). Authorized and audited first; the HTTP call runs outside any
    /// transaction.
    pub async fn create_kyc_link(
        &self,
        actor: &Actor,
        prospect_id: ProspectId,
    ) -> Result<String, CustomerError> {
        use permissions::{PROSPECTS, WRITE};
        let prospect = self
            .use_cases
            .query(actor, PROSPECTS, WRITE, async || {
                Ok::<_, CustomerError>(self.prospects.find_by_id(prospect_id).await?)
            })
            .await?;
        prospect.ensure_open()?;
        let kyc = self
            .kyc
            .as_ref()
            .ok_or(CustomerError::KycProviderNotConfigured)?;
        Ok(kyc
            .create_verification_link(&prospect_id.to_string())
            .await?)
    }

    /// Converts a prospect without the provider, when the setting allows it. A prospect that is
    /// a customer already is returned as the customer it became.
    pub async fn convert_prospect(
        &self,
        actor: &Actor,
        prospect_id: ProspectId,
    ) -> Result<Customer, CustomerError> {
        use permissions::{PROSPECTS, WRITE};
        self.use_cases
            .command(actor, PROSPECTS, WRITE, || {
                async move |op| {
                    let allowed = self
                        .configs
                        .get_in_op::<ManualConversionAllowed>(op)
                        .await?;
                    let mut prospect = self.prospects.find_by_id_in_op(op, prospect_id).await?;
                    if prospect.convert_manually(allowed)?.was_already_applied() {
                        let customer_id = CustomerId::from(prospect_id);
                        return Ok(self.customers.find_by_id_in_op(op, customer_id).await?);
                    }
                    self.prospects.update_in_op(op, &mut prospect).await?;
                    self.create_customer_in_op(op, &prospect, KycLevel::NotKyced)
                        .await
                }
            })
            .await
    }

    async fn create_customer_in_op(
        &self,
        op: &mut DbOp,
        prospect: &Prospect,
        kyc_level: KycLevel,
    ) -> Result<Customer, CustomerError> {
        let new = NewCustomer {
            id: CustomerId::from(prospect.id()),
            email: prospect.email.clone(),
            telegram_handle: prospect.telegram_handle.clone(),
            customer_type: prospect.customer_type,
            kyc_level,
            applicant_id: prospect.applicant_id.clone(),
        };
        self.customers
            .create_in_op(op, new.into_events())
            .await
            .map_err(|e| email_taken(e, &prospect.email))
    }

    /// Records what the provider reported about a prospect's applicant, in the caller's
    /// transaction (the inbox job's); an approval creates the customer in it. Reports about
    /// unknown prospects change nothing.
    pub(crate) async fn record_kyc_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        prospect_id: ProspectId,
        applicant_id: &str,
        update: KycUpdate,
    ) -> Result<(), CustomerError> {
        use permissions::{PROSPECTS, WRITE};
        self.use_cases
            .authorize_in_op(op, actor, PROSPECTS, WRITE)
            .await?;
        let Some(mut prospect) = self
            .prospects
            .maybe_find_by_id_in_op(op, prospect_id)
            .await?
        else {
            tracing::warn!(%prospect_id, "KYC webhook for an unknown prospect; ignored");
            return Ok(());
        };
        if let es::Idempotent::Executed(approved) = prospect.record_kyc(applicant_id, update)? {
            self.prospects.update_in_op(op, &mut prospect).await?;
            if let Some(level) = approved {
                self.create_customer_in_op(op, &prospect, level).await?;
            }
        }
        Ok(())
    }

    pub async fn find_prospect(
        &self,
        actor: &Actor,
        id: ProspectId,
    ) -> Result<Option<Prospect>, CustomerError> {
        use permissions::{PROSPECTS, READ};
        self.use_cases
            .query(actor, PROSPECTS, READ, async || {
                Ok(self.prospects.maybe_find_by_id(id).await?)
            })
            .await
    }

    pub async fn list_prospects(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<Prospect>, CustomerError> {
        use permissions::{PROSPECTS, READ};
        self.use_cases
            .query(actor, PROSPECTS, READ, async || {
                Ok(self.prospects.list(query).await?)
            })
            .await
    }
}
