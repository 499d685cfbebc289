//! The banking part of the admin schema: customers and KYC, deposit accounts, deposits and
//! withdrawals, governance and domain settings. Translation only: inputs are parsed into domain
//! values once, domain results are mapped to API types, every rule lives in the domains.

use crate::error::domain_error;
use crate::{IdempotencyHeader, ReadsAuthorized, StaffUser};
use async_graphql::connection::Connection;
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, Json, Object, Result, SimpleObject,
};
use authz::Subject;
use chrono::{DateTime, Utc};
use core_customer::{
    CustomerId, CustomerType as DomainCustomerType, ProspectId, ProspectInput, TelegramHandle,
};
use core_deposit::{
    AccountStatusChange, Amount, DepositAccountId, DepositId, Reference, WithdrawalId,
};
use core_governance::primitives::{
    ApprovalProcessId, CommitteeId, CommitteeName, DenialReason, PolicyId,
};
use email::Email;
use es::EsEntity;
use graphql_kit::deposit::{Balance, HistoryEntry, history_after, history_connection};
use graphql_kit::{CorrelationId, UsdCents, api_error, connection, list_query};
use idempotency::IdempotencyKey;
use lana_app::LanaApp;
use uuid::Uuid;

struct Req<'a> {
    app: &'a LanaApp,
    user: Uuid,
    subject: Subject,
    cid: &'a CorrelationId,
}

fn req<'a>(ctx: &Context<'a>) -> Result<Req<'a>> {
    let user: Uuid = ctx.data::<StaffUser>()?.0.into();
    Ok(Req {
        app: ctx.data::<LanaApp>()?,
        user,
        subject: Subject::User(user),
        cid: ctx.data::<CorrelationId>()?,
    })
}

macro_rules! domain {
    ($r:expr, $e:expr) => {
        $e.map_err(|e| domain_error($r.cid, e.code(), &e))
    };
}

/// The key of a money-moving mutation: the input field, else the `Idempotency-Key` header.
fn idempotency_key(ctx: &Context<'_>, field: Option<&str>) -> Result<Option<IdempotencyKey>> {
    let header = ctx
        .data::<IdempotencyHeader>()
        .ok()
        .and_then(|h| h.0.as_deref());
    field
        .or(header)
        .map(IdempotencyKey::parse)
        .transpose()
        .map_err(|e| api_error("INVALID_IDEMPOTENCY_KEY", e))
}

fn amount(cents: UsdCents) -> Result<Amount> {
    Amount::parse(cents.0).map_err(|e| api_error("INVALID_INPUT", e))
}

fn reference(raw: Option<&str>) -> Result<Reference> {
    Reference::parse(raw).map_err(|e| api_error("INVALID_INPUT", e))
}

// Customers.

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CustomerType {
    Individual,
    GovernmentEntity,
    PrivateCompany,
    Bank,
    FinancialInstitution,
    ForeignAgencyOrSubsidiary,
    NonDomiciledCompany,
}

impl From<CustomerType> for DomainCustomerType {
    fn from(t: CustomerType) -> Self {
        match t {
            CustomerType::Individual => Self::Individual,
            CustomerType::GovernmentEntity => Self::GovernmentEntity,
            CustomerType::PrivateCompany => Self::PrivateCompany,
            CustomerType::Bank => Self::Bank,
            CustomerType::FinancialInstitution => Self::FinancialInstitution,
            CustomerType::ForeignAgencyOrSubsidiary => Self::ForeignAgencyOrSubsidiary,
            CustomerType::NonDomiciledCompany => Self::NonDomiciledCompany,
        }
    }
}

impl From<DomainCustomerType> for CustomerType {
    fn from(t: DomainCustomerType) -> Self {
        match t {
            DomainCustomerType::Individual => Self::Individual,
            DomainCustomerType::GovernmentEntity => Self::GovernmentEntity,
            DomainCustomerType::PrivateCompany => Self::PrivateCompany,
            DomainCustomerType::Bank => Self::Bank,
            DomainCustomerType::FinancialInstitution => Self::FinancialInstitution,
            DomainCustomerType::ForeignAgencyOrSubsidiary => Self::ForeignAgencyOrSubsidiary,
            DomainCustomerType::NonDomiciledCompany => Self::NonDomiciledCompany,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum KycStatus {
    NotStarted,
    Started,
    Pending,
    OnHold,
    Approved,
    Declined,
}

impl From<core_customer::KycStatus> for KycStatus {
    fn from(s: core_customer::KycStatus) -> Self {
        use core_customer::KycStatus as K;
        match s {
            K::NotStarted => Self::NotStarted,
            K::Started => Self::Started,
            K::Pending => Self::Pending,
            K::OnHold => Self::OnHold,
            K::Approved => Self::Approved,
            K::Declined => Self::Declined,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum KycLevel {
    NotKyced,
    Basic,
    Advanced,
}

impl From<core_customer::KycLevel> for KycLevel {
    fn from(l: core_customer::KycLevel) -> Self {
        match l {
            core_customer::KycLevel::NotKyced => Self::NotKyced,
            core_customer::KycLevel::Basic => Self::Basic,
            core_customer::KycLevel::Advanced => Self::Advanced,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AccountStatus {
    Active,
    Frozen,
    Closed,
}

impl From<core_customer::CustomerStatus> for AccountStatus {
    fn from(s: core_customer::CustomerStatus) -> Self {
        match s {
            core_customer::CustomerStatus::Active => Self::Active,
            core_customer::CustomerStatus::Frozen => Self::Frozen,
            core_customer::CustomerStatus::Closed => Self::Closed,
        }
    }
}

impl From<core_deposit::AccountStatus> for AccountStatus {
    fn from(s: core_deposit::AccountStatus) -> Self {
        match s {
            core_deposit::AccountStatus::Active => Self::Active,
            core_deposit::AccountStatus::Frozen => Self::Frozen,
            core_deposit::AccountStatus::Closed => Self::Closed,
        }
    }
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

/// A verified customer.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Customer {
    id: Uuid,
    email: String,
    telegram_handle: String,
    customer_type: CustomerType,
    kyc_level: KycLevel,
    status: AccountStatus,
    created_at: Option<DateTime<Utc>>,
    /// Loaded with the page when the query asks for them (one query for the whole page).
    #[graphql(skip)]
    accounts: Option<Vec<DepositAccount>>,
}

impl From<core_customer::Customer> for Customer {
    fn from(c: core_customer::Customer) -> Self {
        Self {
            id: c.id().into(),
            email: c.email.to_string(),
            telegram_handle: c.telegram_handle.to_string(),
            customer_type: c.customer_type.into(),
            kyc_level: c.kyc_level.into(),
            status: c.status.into(),
            created_at: c.created_at(),
            accounts: None,
        }
    }
}

#[ComplexObject]
impl Customer {
    /// The customer's deposit accounts, oldest first.
    async fn deposit_accounts(&self, ctx: &Context<'_>) -> Result<Vec<DepositAccount>> {
        let r = req(ctx)?;
        ReadsAuthorized::ensure(
            ctx,
            core_deposit::permissions::ACCOUNTS,
            core_deposit::permissions::READ,
        )
        .await?;
        if let Some(accounts) = &self.accounts {
            return Ok(accounts.clone());
        }
        let accounts = domain!(
            r,
            r.app
                .deposits()
                .accounts_of_customer(CustomerId::from(self.id))
                .await
        )?;
        Ok(accounts.into_iter().map(DepositAccount::from).collect())
    }
}

// Deposit accounts.

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum Activity {
    Active,
    Inactive,
    Escheatable,
}

impl From<core_deposit::Activity> for Activity {
    fn from(a: core_deposit::Activity) -> Self {
        match a {
            core_deposit::Activity::Active => Self::Active,
            core_deposit::Activity::Inactive => Self::Inactive,
            core_deposit::Activity::Escheatable => Self::Escheatable,
        }
    }
}

/// A customer's deposit account; balances and history come from the ledger.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct DepositAccount {
    id: Uuid,
    public_id: String,
    customer_id: Uuid,
    status: AccountStatus,
    activity: Activity,
    created_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    account: std::sync::Arc<core_deposit::DepositAccount>,
}

impl From<core_deposit::DepositAccount> for DepositAccount {
    fn from(a: core_deposit::DepositAccount) -> Self {
        Self {
            id: a.id().into(),
            public_id: a.public_id.clone(),
            customer_id: a.customer_id.into(),
            status: a.status.into(),
            activity: a.activity.into(),
            created_at: a.created_at(),
            account: std::sync::Arc::new(a),
        }
    }
}

#[ComplexObject]
impl DepositAccount {
    async fn balance(&self, ctx: &Context<'_>) -> Result<Balance> {
        let r = req(ctx)?;
        let balance = domain!(r, r.app.deposits().balance(&self.account).await)?;
        Ok(balance.into())
    }

    /// Deposits, withdrawals and reverts as the ledger recorded them, newest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, HistoryEntry>> {
        let r = req(ctx)?;
        let first = usize::try_from(first).unwrap_or(1);
        let page = domain!(
            r,
            r.app
                .deposits()
                .history(&self.account, first, history_after(after)?)
                .await
        )?;
        Ok(history_connection(page))
    }
}

#[derive(SimpleObject)]
pub struct Deposit {
    id: Uuid,
    account_id: Uuid,
    amount: UsdCents,
    reference: String,
    reverted: bool,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_deposit::Deposit> for Deposit {
    fn from(d: core_deposit::Deposit) -> Self {
        Self {
            id: d.id().into(),
            account_id: d.account_id.into(),
            amount: UsdCents(d.amount.cents()),
            reference: d.reference.as_str().to_owned(),
            reverted: d.reverted,
            created_at: d.created_at(),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum WithdrawalStatus {
    PendingApproval,
    Approved,
    Denied,
    Cancelled,
    Confirmed,
    Reverted,
}

impl From<core_deposit::WithdrawalStatus> for WithdrawalStatus {
    fn from(s: core_deposit::WithdrawalStatus) -> Self {
        use core_deposit::WithdrawalStatus as W;
        match s {
            W::PendingApproval => Self::PendingApproval,
            W::Approved => Self::Approved,
            W::Denied => Self::Denied,
            W::Cancelled => Self::Cancelled,
            W::Confirmed => Self::Confirmed,
            W::Reverted => Self::Reverted,
        }
    }
}

#[derive(SimpleObject)]
pub struct Withdrawal {
    id: Uuid,
    account_id: Uuid,
    amount: UsdCents,
    reference: String,
    status: WithdrawalStatus,
    approval_process_id: Uuid,
    denial_reason: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_deposit::Withdrawal> for Withdrawal {
    fn from(w: core_deposit::Withdrawal) -> Self {
        Self {
            id: w.id().into(),
            account_id: w.account_id.into(),
            amount: UsdCents(w.amount.cents()),
            reference: w.reference.as_str().to_owned(),
            status: w.status.into(),
            approval_process_id: w.approval_process_id,
            denial_reason: w.denial_reason.clone(),
            created_at: w.created_at(),
        }
    }
}

// Governance.

#[derive(SimpleObject)]
pub struct Committee {
    id: Uuid,
    name: String,
    /// Staff user ids.
    member_ids: Vec<Uuid>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_governance::Committee> for Committee {
    fn from(c: core_governance::Committee) -> Self {
        Self {
            id: c.id().into(),
            name: c.name.as_str().to_owned(),
            member_ids: c.members.iter().copied().collect(),
            created_at: c.created_at(),
        }
    }
}

#[derive(SimpleObject)]
pub struct Policy {
    id: Uuid,
    process_type: String,
    /// Set when a committee must approve; unset: approved automatically.
    committee_id: Option<Uuid>,
}

impl From<core_governance::Policy> for Policy {
    fn from(p: core_governance::Policy) -> Self {
        Self {
            id: p.id().into(),
            process_type: p.process_type.as_str().to_owned(),
            committee_id: match p.rules {
                core_governance::primitives::ApprovalRules::Automatic => None,
                core_governance::primitives::ApprovalRules::Committee { committee_id } => {
                    Some(committee_id.into())
                }
            },
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ApprovalProcessStatus {
    InProgress,
    Approved,
    Denied,
}

impl From<core_governance::ApprovalProcessStatus> for ApprovalProcessStatus {
    fn from(s: core_governance::ApprovalProcessStatus) -> Self {
        use core_governance::ApprovalProcessStatus as S;
        match s {
            S::InProgress => Self::InProgress,
            S::Approved => Self::Approved,
            S::Denied => Self::Denied,
        }
    }
}

impl From<ApprovalProcessStatus> for core_governance::ApprovalProcessStatus {
    fn from(s: ApprovalProcessStatus) -> Self {
        match s {
            ApprovalProcessStatus::InProgress => Self::InProgress,
            ApprovalProcessStatus::Approved => Self::Approved,
            ApprovalProcessStatus::Denied => Self::Denied,
        }
    }
}

#[derive(SimpleObject)]
pub struct ApprovalProcess {
    id: Uuid,
    process_type: String,
    /// The id of what is being approved (e.g. the withdrawal).
    target_id: String,
    status: ApprovalProcessStatus,
    eligible_voter_ids: Vec<Uuid>,
    approver_ids: Vec<Uuid>,
    denied_by: Option<Uuid>,
    denial_reason: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_governance::ApprovalProcess> for ApprovalProcess {
    fn from(p: core_governance::ApprovalProcess) -> Self {
        Self {
            id: p.id().into(),
            process_type: p.process_type.as_str().to_owned(),
            target_id: p.target_id.clone(),
            status: p.status.into(),
            eligible_voter_ids: p.eligible_voters.iter().copied().collect(),
            approver_ids: p.approvals.iter().copied().collect(),
            denied_by: p.denial.as_ref().map(|d| d.voter),
            denial_reason: p.denial.as_ref().map(|d| d.reason.as_str().to_owned()),
            created_at: p.created_at(),
        }
    }
}

/// A domain setting.
#[derive(SimpleObject)]
pub struct DomainConfig {
    key: String,
    description: String,
    value: Json<serde_json::Value>,
    default_value: Json<serde_json::Value>,
    updated_at: Option<DateTime<Utc>>,
}

impl From<core_domain_config::SettingView> for DomainConfig {
    fn from(s: core_domain_config::SettingView) -> Self {
        Self {
            key: s.key.to_owned(),
            description: s.description.to_owned(),
            value: Json(s.value),
            default_value: Json(s.default),
            updated_at: s.updated_at,
        }
    }
}

#[derive(Default)]
pub struct BankingQuery;

#[Object]
impl BankingQuery {
    async fn prospect(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Prospect>> {
        let r = req(ctx)?;
        let p = domain!(
            r,
            r.app
                .customers()
                .find_prospect(&r.subject, ProspectId::from(id))
                .await
        )?;
        Ok(p.map(Prospect::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn prospects(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Prospect>> {
        let r = req(ctx)?;
        let page = domain!(
            r,
            r.app
                .customers()
                .list_prospects(&r.subject, list_query(first, after)?)
                .await
        )?;
        Ok(connection(page, Prospect::from))
    }

    async fn customer(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Customer>> {
        let r = req(ctx)?;
        let c = domain!(
            r,
            r.app
                .customers()
                .find_customer(&r.subject, CustomerId::from(id))
                .await
        )?;
        Ok(c.map(Customer::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Customer>> {
        let r = req(ctx)?;
        let page = domain!(
            r,
            r.app
                .customers()
                .list_customers(&r.subject, list_query(first, after)?)
                .await
        )?;
        Ok(connection(page, Customer::from))
    }

    async fn deposit_account(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<DepositAccount>> {
        let r = req(ctx)?;
        let a = domain!(
            r,
            r.app
                .deposits()
                .find_account(&r.subject, DepositAccountId::from(id))
                .await
        )?;
        Ok(a.map(DepositAccount::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn deposit_accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, DepositAccount>> {
        let r = req(ctx)?;
        let page = domain!(
            r,
            r.app
                .deposits()
                .list_accounts(&r.subject, list_query(first, after)?)
                .await
        )?;
        Ok(connection(page, DepositAccount::from))
    }

    async fn deposit(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Deposit>> {
        let r = req(ctx)?;
        let d = domain!(
            r,
            r.app
                .deposits()
                .find_deposit(&r.subject, DepositId::from(id))
                .await
        )?;
        Ok(d.map(Deposit::from))
    }

    async fn withdrawal(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Withdrawal>> {
        let r = req(ctx)?;
        let w = domain!(
            r,
            r.app
                .deposits()
                .find_withdrawal(&r.subject, WithdrawalId::from(id))
                .await
        )?;
        Ok(w.map(Withdrawal::from))
    }

    async fn committee(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Committee>> {
        let r = req(ctx)?;
        let c = domain!(
            r,
            r.app
                .governance()
                .find_committee(&r.subject, CommitteeId::from(id))
                .await
        )?;
        Ok(c.map(Committee::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn committees(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Committee>> {
        let r = req(ctx)?;
        let page = domain!(
            r,
            r.app
                .governance()
                .list_committees(&r.subject, list_query(first, after)?)
                .await
        )?;
        Ok(connection(page, Committee::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn policies(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Policy>> {
        let r = req(ctx)?;
        let page = domain!(
            r,
            r.app
                .governance()
                .list_policies(&r.subject, list_query(first, after)?)
                .await
        )?;
        Ok(connection(page, Policy::from))
    }

    async fn approval_process(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> Result<Option<ApprovalProcess>> {
        let r = req(ctx)?;
        let p = domain!(
            r,
            r.app
                .governance()
                .find_process(&r.subject, ApprovalProcessId::from(id))
                .await
        )?;
        Ok(p.map(ApprovalProcess::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn approval_processes(
        &self,
        ctx: &Context<'_>,
        status: Option<ApprovalProcessStatus>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, ApprovalProcess>> {
        let r = req(ctx)?;
        let page = domain!(
            r,
            r.app
                .governance()
                .list_processes(
                    &r.subject,
                    list_query(first, after)?,
                    status.map(Into::into)
                )
                .await
        )?;
        Ok(connection(page, ApprovalProcess::from))
    }

    async fn domain_configs(&self, ctx: &Context<'_>) -> Result<Vec<DomainConfig>> {
        let r = req(ctx)?;
        let list = domain!(r, r.app.configs().list(&r.subject).await)?;
        Ok(list.into_iter().map(DomainConfig::from).collect())
    }
}

macro_rules! payload {
    ($name:ident, $field:ident: $ty:ty) => {
        #[derive(SimpleObject)]
        pub struct $name {
            $field: $ty,
        }
    };
}

#[derive(InputObject)]
pub struct ProspectCreateInput {
    email: String,
    telegram_handle: String,
    customer_type: CustomerType,
}
payload!(ProspectCreatePayload, prospect: Prospect);

#[derive(InputObject)]
pub struct ProspectKycLinkCreateInput {
    prospect_id: Uuid,
}
payload!(ProspectKycLinkCreatePayload, url: String);

#[derive(InputObject)]
pub struct ProspectConvertInput {
    prospect_id: Uuid,
}
payload!(ProspectConvertPayload, customer: Customer);

#[derive(InputObject)]
pub struct CustomerFreezeInput {
    customer_id: Uuid,
}
payload!(CustomerFreezePayload, customer: Customer);

#[derive(InputObject)]
pub struct CustomerUnfreezeInput {
    customer_id: Uuid,
}
payload!(CustomerUnfreezePayload, customer: Customer);

#[derive(InputObject)]
pub struct CustomerCloseInput {
    customer_id: Uuid,
}
payload!(CustomerClosePayload, customer: Customer);

#[derive(InputObject)]
pub struct CustomerEmailUpdateInput {
    customer_id: Uuid,
    email: String,
}
payload!(CustomerEmailUpdatePayload, customer: Customer);

#[derive(InputObject)]
pub struct DepositAccountCreateInput {
    customer_id: Uuid,
}
payload!(DepositAccountCreatePayload, account: DepositAccount);

#[derive(InputObject)]
pub struct DepositAccountFreezeInput {
    deposit_account_id: Uuid,
}
payload!(DepositAccountFreezePayload, account: DepositAccount);

#[derive(InputObject)]
pub struct DepositAccountUnfreezeInput {
    deposit_account_id: Uuid,
}
payload!(DepositAccountUnfreezePayload, account: DepositAccount);

#[derive(InputObject)]
pub struct DepositAccountCloseInput {
    deposit_account_id: Uuid,
}
payload!(DepositAccountClosePayload, account: DepositAccount);

#[derive(InputObject)]
pub struct DepositRecordInput {
    deposit_account_id: Uuid,
    amount: UsdCents,
    reference: Option<String>,
    /// Same key and input again returns the first result; takes precedence over the header.
    idempotency_key: Option<String>,
}
payload!(DepositRecordPayload, deposit: Deposit);

#[derive(InputObject)]
pub struct DepositRevertInput {
    deposit_id: Uuid,
}
payload!(DepositRevertPayload, deposit: Deposit);

#[derive(InputObject)]
pub struct WithdrawalInitiateInput {
    deposit_account_id: Uuid,
    amount: UsdCents,
    reference: Option<String>,
    /// Same key and input again returns the first result; takes precedence over the header.
    idempotency_key: Option<String>,
}
payload!(WithdrawalInitiatePayload, withdrawal: Withdrawal);

#[derive(InputObject)]
pub struct WithdrawalConfirmInput {
    withdrawal_id: Uuid,
}
payload!(WithdrawalConfirmPayload, withdrawal: Withdrawal);

#[derive(InputObject)]
pub struct WithdrawalCancelInput {
    withdrawal_id: Uuid,
}
payload!(WithdrawalCancelPayload, withdrawal: Withdrawal);

#[derive(InputObject)]
pub struct WithdrawalRevertInput {
    withdrawal_id: Uuid,
}
payload!(WithdrawalRevertPayload, withdrawal: Withdrawal);

#[derive(InputObject)]
pub struct CommitteeCreateInput {
    name: String,
    member_ids: Vec<Uuid>,
}
payload!(CommitteeCreatePayload, committee: Committee);

#[derive(InputObject)]
pub struct CommitteeMemberAddInput {
    committee_id: Uuid,
    user_id: Uuid,
}
payload!(CommitteeMemberAddPayload, committee: Committee);

#[derive(InputObject)]
pub struct CommitteeMemberRemoveInput {
    committee_id: Uuid,
    user_id: Uuid,
}
payload!(CommitteeMemberRemovePayload, committee: Committee);

#[derive(InputObject)]
pub struct PolicyCommitteeAssignInput {
    policy_id: Uuid,
    committee_id: Uuid,
}
payload!(PolicyCommitteeAssignPayload, policy: Policy);

#[derive(InputObject)]
pub struct ApprovalProcessApproveInput {
    approval_process_id: Uuid,
}
payload!(ApprovalProcessApprovePayload, approval_process: ApprovalProcess);

#[derive(InputObject)]
pub struct ApprovalProcessDenyInput {
    approval_process_id: Uuid,
    reason: String,
}
payload!(ApprovalProcessDenyPayload, approval_process: ApprovalProcess);

#[derive(InputObject)]
pub struct DomainConfigUpdateInput {
    key: String,
    value: Json<serde_json::Value>,
}
payload!(DomainConfigUpdatePayload, domain_config: DomainConfig);

#[derive(Default)]
pub struct BankingMutation;

#[Object]
impl BankingMutation {
    async fn prospect_create(
        &self,
        ctx: &Context<'_>,
        input: ProspectCreateInput,
    ) -> Result<ProspectCreatePayload> {
        let r = req(ctx)?;
        let input = ProspectInput {
            email: Email::parse(&input.email).map_err(|e| api_error("INVALID_INPUT", e))?,
            telegram_handle: TelegramHandle::parse(&input.telegram_handle)
                .map_err(|e| api_error("INVALID_INPUT", e))?,
            customer_type: input.customer_type.into(),
        };
        let p = domain!(
            r,
            r.app.customers().create_prospect(&r.subject, input).await
        )?;
        Ok(ProspectCreatePayload { prospect: p.into() })
    }

    async fn prospect_kyc_link_create(
        &self,
        ctx: &Context<'_>,
        input: ProspectKycLinkCreateInput,
    ) -> Result<ProspectKycLinkCreatePayload> {
        let r = req(ctx)?;
        let url = domain!(
            r,
            r.app
                .customers()
                .create_kyc_link(&r.subject, ProspectId::from(input.prospect_id))
                .await
        )?;
        Ok(ProspectKycLinkCreatePayload { url })
    }

    async fn prospect_convert(
        &self,
        ctx: &Context<'_>,
        input: ProspectConvertInput,
    ) -> Result<ProspectConvertPayload> {
        let r = req(ctx)?;
        let c = domain!(
            r,
            r.app
                .customers()
                .convert_prospect(&r.subject, ProspectId::from(input.prospect_id))
                .await
        )?;
        Ok(ProspectConvertPayload { customer: c.into() })
    }

    async fn customer_freeze(
        &self,
        ctx: &Context<'_>,
        input: CustomerFreezeInput,
    ) -> Result<CustomerFreezePayload> {
        let r = req(ctx)?;
        let c = domain!(
            r,
            r.app
                .customers()
                .freeze(&r.subject, CustomerId::from(input.customer_id))
                .await
        )?;
        Ok(CustomerFreezePayload { customer: c.into() })
    }

    async fn customer_unfreeze(
        &self,
        ctx: &Context<'_>,
        input: CustomerUnfreezeInput,
    ) -> Result<CustomerUnfreezePayload> {
        let r = req(ctx)?;
        let c = domain!(
            r,
            r.app
                .customers()
                .unfreeze(&r.subject, CustomerId::from(input.customer_id))
                .await
        )?;
        Ok(CustomerUnfreezePayload { customer: c.into() })
    }

    /// Closes the customer; their empty accounts close, any that still hold money are frozen.
    async fn customer_close(
        &self,
        ctx: &Context<'_>,
        input: CustomerCloseInput,
    ) -> Result<CustomerClosePayload> {
        let r = req(ctx)?;
        let c = domain!(
            r,
            r.app
                .customers()
                .close(&r.subject, CustomerId::from(input.customer_id))
                .await
        )?;
        Ok(CustomerClosePayload { customer: c.into() })
    }

    async fn customer_email_update(
        &self,
        ctx: &Context<'_>,
        input: CustomerEmailUpdateInput,
    ) -> Result<CustomerEmailUpdatePayload> {
        let r = req(ctx)?;
        let email = Email::parse(&input.email).map_err(|e| api_error("INVALID_INPUT", e))?;
        let c = domain!(
            r,
            r.app
                .customers()
                .update_email(&r.subject, CustomerId::from(input.customer_id), email)
                .await
        )?;
        Ok(CustomerEmailUpdatePayload { customer: c.into() })
    }

    async fn deposit_account_create(
        &self,
        ctx: &Context<'_>,
        input: DepositAccountCreateInput,
    ) -> Result<DepositAccountCreatePayload> {
        let r = req(ctx)?;
        let a = domain!(
            r,
            r.app
                .deposits()
                .create_account(&r.subject, CustomerId::from(input.customer_id))
                .await
        )?;
        Ok(DepositAccountCreatePayload { account: a.into() })
    }

    async fn deposit_account_freeze(
        &self,
        ctx: &Context<'_>,
        input: DepositAccountFreezeInput,
    ) -> Result<DepositAccountFreezePayload> {
        let r = req(ctx)?;
        let id = DepositAccountId::from(input.deposit_account_id);
        let a = domain!(
            r,
            r.app
                .deposits()
                .change_account_status(&r.subject, id, AccountStatusChange::Freeze)
                .await
        )?;
        Ok(DepositAccountFreezePayload { account: a.into() })
    }

    async fn deposit_account_unfreeze(
        &self,
        ctx: &Context<'_>,
        input: DepositAccountUnfreezeInput,
    ) -> Result<DepositAccountUnfreezePayload> {
        let r = req(ctx)?;
        let id = DepositAccountId::from(input.deposit_account_id);
        let a = domain!(
            r,
            r.app
                .deposits()
                .change_account_status(&r.subject, id, AccountStatusChange::Unfreeze)
                .await
        )?;
        Ok(DepositAccountUnfreezePayload { account: a.into() })
    }

    async fn deposit_account_close(
        &self,
        ctx: &Context<'_>,
        input: DepositAccountCloseInput,
    ) -> Result<DepositAccountClosePayload> {
        let r = req(ctx)?;
        let id = DepositAccountId::from(input.deposit_account_id);
        let a = domain!(
            r,
            r.app
                .deposits()
                .change_account_status(&r.subject, id, AccountStatusChange::Close)
                .await
        )?;
        Ok(DepositAccountClosePayload { account: a.into() })
    }

    async fn deposit_record(
        &self,
        ctx: &Context<'_>,
        input: DepositRecordInput,
    ) -> Result<DepositRecordPayload> {
        let r = req(ctx)?;
        let key = idempotency_key(ctx, input.idempotency_key.as_deref())?;
        let d = domain!(
            r,
            r.app
                .deposits()
                .record_deposit(
                    &r.subject,
                    DepositAccountId::from(input.deposit_account_id),
                    amount(input.amount)?,
                    reference(input.reference.as_deref())?,
                    key.as_ref(),
                )
                .await
        )?;
        Ok(DepositRecordPayload { deposit: d.into() })
    }

    async fn deposit_revert(
        &self,
        ctx: &Context<'_>,
        input: DepositRevertInput,
    ) -> Result<DepositRevertPayload> {
        let r = req(ctx)?;
        let d = domain!(
            r,
            r.app
                .deposits()
                .revert_deposit(&r.subject, DepositId::from(input.deposit_id))
                .await
        )?;
        Ok(DepositRevertPayload { deposit: d.into() })
    }

    async fn withdrawal_initiate(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalInitiateInput,
    ) -> Result<WithdrawalInitiatePayload> {
        let r = req(ctx)?;
        let key = idempotency_key(ctx, input.idempotency_key.as_deref())?;
        let w = domain!(
            r,
            r.app
                .deposits()
                .initiate_withdrawal(
                    &r.subject,
                    DepositAccountId::from(input.deposit_account_id),
                    amount(input.amount)?,
                    reference(input.reference.as_deref())?,
                    key.as_ref(),
                )
                .await
        )?;
        Ok(WithdrawalInitiatePayload {
            withdrawal: w.into(),
        })
    }

    async fn withdrawal_confirm(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalConfirmInput,
    ) -> Result<WithdrawalConfirmPayload> {
        let r = req(ctx)?;
        let w = domain!(
            r,
            r.app
                .deposits()
                .confirm_withdrawal(&r.subject, WithdrawalId::from(input.withdrawal_id))
                .await
        )?;
        Ok(WithdrawalConfirmPayload {
            withdrawal: w.into(),
        })
    }

    async fn withdrawal_cancel(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalCancelInput,
    ) -> Result<WithdrawalCancelPayload> {
        let r = req(ctx)?;
        let w = domain!(
            r,
            r.app
                .deposits()
                .cancel_withdrawal(&r.subject, WithdrawalId::from(input.withdrawal_id))
                .await
        )?;
        Ok(WithdrawalCancelPayload {
            withdrawal: w.into(),
        })
    }

    async fn withdrawal_revert(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalRevertInput,
    ) -> Result<WithdrawalRevertPayload> {
        let r = req(ctx)?;
        let w = domain!(
            r,
            r.app
                .deposits()
                .revert_withdrawal(&r.subject, WithdrawalId::from(input.withdrawal_id))
                .await
        )?;
        Ok(WithdrawalRevertPayload {
            withdrawal: w.into(),
        })
    }

    /// Creates a committee of staff users (at least one).
    async fn committee_create(
        &self,
        ctx: &Context<'_>,
        input: CommitteeCreateInput,
    ) -> Result<CommitteeCreatePayload> {
        let r = req(ctx)?;
        let name = CommitteeName::parse(&input.name).map_err(|e| api_error("INVALID_INPUT", e))?;
        for member in &input.member_ids {
            ensure_staff_user(&r, *member).await?;
        }
        let c = domain!(
            r,
            r.app
                .governance()
                .create_committee(&r.subject, name, input.member_ids)
                .await
        )?;
        Ok(CommitteeCreatePayload {
            committee: c.into(),
        })
    }

    async fn committee_member_add(
        &self,
        ctx: &Context<'_>,
        input: CommitteeMemberAddInput,
    ) -> Result<CommitteeMemberAddPayload> {
        let r = req(ctx)?;
        ensure_staff_user(&r, input.user_id).await?;
        let c = domain!(
            r,
            r.app
                .governance()
                .add_committee_member(
                    &r.subject,
                    CommitteeId::from(input.committee_id),
                    input.user_id
                )
                .await
        )?;
        Ok(CommitteeMemberAddPayload {
            committee: c.into(),
        })
    }

    async fn committee_member_remove(
        &self,
        ctx: &Context<'_>,
        input: CommitteeMemberRemoveInput,
    ) -> Result<CommitteeMemberRemovePayload> {
        let r = req(ctx)?;
        let c = domain!(
            r,
            r.app
                .governance()
                .remove_committee_member(
                    &r.subject,
                    CommitteeId::from(input.committee_id),
                    input.user_id
                )
                .await
        )?;
        Ok(CommitteeMemberRemovePayload {
            committee: c.into(),
        })
    }

    async fn policy_committee_assign(
        &self,
        ctx: &Context<'_>,
        input: PolicyCommitteeAssignInput,
    ) -> Result<PolicyCommitteeAssignPayload> {
        let r = req(ctx)?;
        let p = domain!(
            r,
            r.app
                .governance()
                .assign_committee(
                    &r.subject,
                    PolicyId::from(input.policy_id),
                    CommitteeId::from(input.committee_id)
                )
                .await
        )?;
        Ok(PolicyCommitteeAssignPayload { policy: p.into() })
    }

    async fn approval_process_approve(
        &self,
        ctx: &Context<'_>,
        input: ApprovalProcessApproveInput,
    ) -> Result<ApprovalProcessApprovePayload> {
        let r = req(ctx)?;
        let p = domain!(
            r,
            r.app
                .governance()
                .approve(r.user, ApprovalProcessId::from(input.approval_process_id))
                .await
        )?;
        Ok(ApprovalProcessApprovePayload {
            approval_process: p.into(),
        })
    }

    async fn approval_process_deny(
        &self,
        ctx: &Context<'_>,
        input: ApprovalProcessDenyInput,
    ) -> Result<ApprovalProcessDenyPayload> {
        let r = req(ctx)?;
        let reason =
            DenialReason::parse(&input.reason).map_err(|e| api_error("INVALID_INPUT", e))?;
        let p = domain!(
            r,
            r.app
                .governance()
                .deny(
                    r.user,
                    ApprovalProcessId::from(input.approval_process_id),
                    reason
                )
                .await
        )?;
        Ok(ApprovalProcessDenyPayload {
            approval_process: p.into(),
        })
    }

    async fn domain_config_update(
        &self,
        ctx: &Context<'_>,
        input: DomainConfigUpdateInput,
    ) -> Result<DomainConfigUpdatePayload> {
        let r = req(ctx)?;
        let s = domain!(
            r,
            r.app
                .configs()
                .update(&r.subject, &input.key, input.value.0)
                .await
        )?;
        Ok(DomainConfigUpdatePayload {
            domain_config: s.into(),
        })
    }
}

/// Committee members must be staff users.
async fn ensure_staff_user(r: &Req<'_>, id: Uuid) -> Result<()> {
    let exists = r
        .app
        .access()
        .user_exists(core_access::UserId::from(id))
        .await
        .map_err(|e| graphql_kit::internal_error(&r.cid.0, &e))?;
    if exists {
        Ok(())
    } else {
        Err(api_error("NOT_FOUND", format!("no staff user {id}")))
    }
}
