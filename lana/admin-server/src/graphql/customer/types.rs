use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use es::EsEntity;
use graphql_types::deposit::{AccountStatus, CustomerAccounts, DepositAccount};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_customer::CustomerType")]
pub enum CustomerType {
    Individual,
    GovernmentEntity,
    PrivateCompany,
    Bank,
    FinancialInstitution,
    ForeignAgencyOrSubsidiary,
    NonDomiciledCompany,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_customer::KycStatus")]
pub enum KycStatus {
    NotStarted,
    Started,
    Pending,
    OnHold,
    Approved,
    Declined,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_customer::KycLevel")]
pub enum KycLevel {
    NotKyced,
    Basic,
    Advanced,
}

/// Someone being onboarded.
#[derive(SimpleObject)]
pub struct Prospect {
    id: Uuid,
    email: String,
    telegram_handle: String,
    customer_type: CustomerType,
    kyc_status: KycStatus,
    applicant_id: Option<String>,
    converted: bool,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_customer::Prospect> for Prospect {
    fn from(p: core_customer::Prospect) -> Self {
        Self {
            id: p.id().into(),
            email: p.email.to_string(),
            telegram_handle: p.telegram_handle.to_string(),
            customer_type: p.customer_type.into(),
            kyc_status: p.kyc_status.into(),
            applicant_id: p.applicant_id.clone(),
            converted: p.converted,
            created_at: p.created_at(),
        }
    }
}

pub struct Customer(Arc<core_customer::Customer>);

impl From<core_customer::Customer> for Customer {
    fn from(c: core_customer::Customer) -> Self {
        Self(Arc::new(c))
    }
}

/// A verified customer.
#[Object]
impl Customer {
    async fn id(&self) -> Uuid {
        self.0.id().into()
    }

    async fn email(&self) -> &str {
        self.0.email.as_str()
    }

    async fn telegram_handle(&self) -> &str {
        self.0.telegram_handle.as_str()
    }

    async fn customer_type(&self) -> CustomerType {
        self.0.customer_type.into()
    }

    async fn kyc_level(&self) -> KycLevel {
        self.0.kyc_level.into()
    }

    async fn status(&self) -> AccountStatus {
        match self.0.status {
            core_customer::CustomerStatus::Active => AccountStatus::Active,
            core_customer::CustomerStatus::Frozen => AccountStatus::Frozen,
            core_customer::CustomerStatus::Closed => AccountStatus::Closed,
        }
    }

    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.created_at()
    }

    /// The customer's deposit accounts, oldest first (for a page of customers, every customer's
    /// accounts are read in one batch).
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn deposit_accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, DepositAccount>> {
        CustomerAccounts {
            customer_id: self.0.id(),
            first,
            after,
        }
        .load(ctx)
        .await
    }
}
