//! The credit domain's side of the ledger.
//!
//! **Accounts per facility**, created when the proposal is approved (see [`FacilityAccount`]):
//! the limit (off balance sheet, no overdraft), disbursed principal and interest receivable in
//! their four ageing stages, interest and fee income, payment holding, uncovered outstanding,
//! collateral (in BTC, satoshis) and liquidation proceeds. Their ids are derived from the
//! facility's id and the kind, so nothing needs to store them. Each is a member of one account set
//! per kind (`credit-<kind>`), which a chart of accounts can attach. The other side of the limit
//! and of the collateral are two omnibus accounts (`credit-facility-omnibus`,
//! `credit-collateral-omnibus`).
//!
//! **Postings** are built by [`templates`]. A disbursal awaiting approval holds its amount on the
//! limit in the pending layer: since the limit may not go below zero, disbursals in flight never
//! add up to more than the facility, whatever the concurrency. Settling releases the hold, uses
//! the limit and pays into the deposit account, in one transaction whose external id is the
//! deposit domain's `credit-disbursal:<id>` (so the account's history shows it). The structuring
//! fee is owed, not withheld: at activation it is added to the interest receivable and earned as
//! fee income (the first accrual cycle's interest obligation includes it).
//!
//! **Payments** land in the facility's payment holding account (from the customer's deposit
//! account, under the deposit domain's `credit-payment:<id>` so the account's history shows it,
//! or from the payments-received omnibus `credit-payment-omnibus` for money received outside
//! the bank); each allocation moves an amount from the holding account to the receivable account
//! of the obligation's stage. What the holding account keeps is the unapplied part. The proceeds
//! of a partial liquidation arrive from the payments-received omnibus in the facility's
//! liquidation proceeds account and are paid from there into the holding account.
//!
//! **External ids** name the entity and the step, so a retried use case collides instead of
//! posting twice.

pub mod templates;

use crate::error::CreditError;
use crate::primitives::{CreditFacilityId, FacilityBalances};
use chrono::NaiveDate;
use es::DbOp;
use ledger::{
    AccountId, AttachableSet, Balance, Currency, JournalId, Ledger, LedgerError, NewAccount,
    NewTransaction, Posted, Side, TransactionId, TxTemplate,
};
use money::{Satoshis, UsdCents};
use uuid::Uuid;

const JOURNAL: &str = "bank";

fn derived_id(name: &str) -> AccountId {
    AccountId::from(Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("lana.credit.{name}").as_bytes(),
    ))
}

/// The ledger accounts every facility has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacilityAccount {
    /// What may still be disbursed (off balance sheet; no overdraft).
    Facility,
    DisbursedNotYetDue,
    DisbursedDue,
    DisbursedOverdue,
    DisbursedDefaulted,
    InterestNotYetDue,
    InterestDue,
    InterestOverdue,
    InterestDefaulted,
    InterestIncome,
    FeeIncome,
    PaymentHolding,
    UncoveredOutstanding,
    /// The bitcoin held as collateral, in satoshis (off balance sheet).
    Collateral,
    LiquidationProceeds,
}

impl FacilityAccount {
    pub const ALL: [Self; 15] = [
        Self::Facility,
        Self::DisbursedNotYetDue,
        Self::DisbursedDue,
        Self::DisbursedOverdue,
        Self::DisbursedDefaulted,
        Self::InterestNotYetDue,
        Self::InterestDue,
        Self::InterestOverdue,
        Self::InterestDefaulted,
        Self::InterestIncome,
        Self::FeeIncome,
        Self::PaymentHolding,
        Self::UncoveredOutstanding,
        Self::Collateral,
        Self::LiquidationProceeds,
    ];

    /// Principal owed, in its four stages.
    pub const DISBURSED: [Self; 4] = [
        Self::DisbursedNotYetDue,
        Self::DisbursedDue,
        Self::DisbursedOverdue,
        Self::DisbursedDefaulted,
    ];

    /// Interest (and fees) owed, in its four stages.
    pub const INTEREST: [Self; 4] = [
        Self::InterestNotYetDue,
        Self::InterestDue,
        Self::InterestOverdue,
        Self::InterestDefaulted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Facility => "facility",
            Self::DisbursedNotYetDue => "disbursed-receivable-not-yet-due",
            Self::DisbursedDue => "disbursed-receivable-due",
            Self::DisbursedOverdue => "disbursed-receivable-overdue",
            Self::DisbursedDefaulted => "disbursed-receivable-defaulted",
            Self::InterestNotYetDue => "interest-receivable-not-yet-due",
            Self::InterestDue => "interest-receivable-due",
            Self::InterestOverdue => "interest-receivable-overdue",
            Self::InterestDefaulted => "interest-receivable-defaulted",
            Self::InterestIncome => "interest-income",
            Self::FeeIncome => "fee-income",
            Self::PaymentHolding => "payment-holding",
            Self::UncoveredOutstanding => "uncovered-outstanding",
            Self::Collateral => "collateral",
            Self::LiquidationProceeds => "liquidation-proceeds",
        }
    }

    /// Receivables and the off-balance counters are debit normal; what the bank owes, earns or
    /// holds for the customer is credit normal.
    pub fn normal_side(self) -> Side {
        match self {
            Self::DisbursedNotYetDue
            | Self::DisbursedDue
            | Self::DisbursedOverdue
            | Self::DisbursedDefaulted
            | Self::InterestNotYetDue
            | Self::InterestDue
            | Self::InterestOverdue
            | Self::InterestDefaulted
            | Self::UncoveredOutstanding => Side::Debit,
            Self::Facility
            | Self::InterestIncome
            | Self::FeeIncome
            | Self::PaymentHolding
            | Self::Collateral
            | Self::LiquidationProceeds => Side::Credit,
        }
    }

    /// This account of `facility`.
    pub fn of(self, facility: CreditFacilityId) -> AccountId {
        derived_id(&format!("{}.{facility}", self.code()))
    }

    /// The account set that holds this account of every facility (`credit-<code>`).
    pub fn set_id(self) -> AccountId {
        derived_id(&format!("set.{}", self.code()))
    }
}

#[derive(Clone)]
pub struct CreditLedger {
    ledger: Ledger,
    journal: JournalId,
    facility_omnibus: AccountId,
    collateral_omnibus: AccountId,
    payment_omnibus: AccountId,
}

/// Creating what exists already is fine (every process runs `init`).
fn existing_ok(result: Result<AccountId, LedgerError>) -> Result<(), LedgerError> {
    match result {
        Ok(_) | Err(LedgerError::Duplicate) => Ok(()),
        Err(e) => Err(e),
    }
}

impl CreditLedger {
    /// Creates the journal, the sets per kind and the omnibus accounts when missing.
    pub async fn init(ledger: Ledger) -> Result<Self, LedgerError> {
        let journal = ledger.ensure_journal(JOURNAL).await?;
        for kind in FacilityAccount::ALL {
            let code = format!("credit-{}", kind.code());
            let name = format!("Credit facilities: {}", kind.code().replace('-', " "));
            let set = NewAccount {
                id: kind.set_id(),
                ..NewAccount::new(code, name, kind.normal_side()).set()
            };
            existing_ok(ledger.create_account(set).await)?;
        }
        let omnibus = |code: &str, name: &str| NewAccount {
            id: derived_id(code),
            ..NewAccount::new(code, name, Side::Debit)
        };
        let facility_omnibus = omnibus(
            "credit-facility-omnibus",
            "Credit facility limits (off balance sheet)",
        );
        let collateral_omnibus = omnibus(
            "credit-collateral-omnibus",
            "Bitcoin collateral held (off balance sheet)",
        );
        let payment_omnibus = omnibus(
            "credit-payment-omnibus",
            "Credit payments received outside the bank's deposit accounts",
        );
        let ids = (
            facility_omnibus.id,
            collateral_omnibus.id,
            payment_omnibus.id,
        );
        existing_ok(ledger.create_account(facility_omnibus).await)?;
        existing_ok(ledger.create_account(collateral_omnibus).await)?;
        existing_ok(ledger.create_account(payment_omnibus).await)?;
        Ok(Self {
            ledger,
            journal,
            facility_omnibus: ids.0,
            collateral_omnibus: ids.1,
            payment_omnibus: ids.2,
        })
    }

    pub fn journal(&self) -> JournalId {
        self.journal
    }

    /// The sets a chart of accounts attaches: one per kind of facility account, and the three
    /// omnibus accounts.
    pub fn attachable_sets(&self) -> Vec<AttachableSet> {
        let kinds = FacilityAccount::ALL.into_iter().map(|kind| AttachableSet {
            key: format!("credit-{}", kind.code()),
            name: format!("Credit facilities: {}", kind.code().replace('-', " ")),
            account: kind.set_id(),
            normal_side: kind.normal_side(),
        });
        let omnibus = [
            (
                "credit-facility-omnibus",
                "Credit facility limits (off balance sheet)",
                self.facility_omnibus,
            ),
            (
                "credit-collateral-omnibus",
                "Bitcoin collateral held (off balance sheet)",
                self.collateral_omnibus,
            ),
            (
                "credit-payment-omnibus",
                "Credit payments received outside the bank's deposit accounts",
                self.payment_omnibus,
            ),
        ]
        .into_iter()
        .map(|(key, name, account)| AttachableSet {
            key: key.into(),
            name: name.into(),
            account,
            normal_side: Side::Debit,
        });
        kinds.chain(omnibus).collect()
    }

    pub fn facility_omnibus(&self) -> AccountId {
        self.facility_omnibus
    }

    pub fn collateral_omnibus(&self) -> AccountId {
        self.collateral_omnibus
    }

    pub fn payment_omnibus(&self) -> AccountId {
        self.payment_omnibus
    }

    /// The accounts of a newly approved facility, each in its kind's set.
    pub(crate) async fn create_facility_accounts_in_op(
        &self,
        op: &mut DbOp,
        facility: CreditFacilityId,
    ) -> Result<(), LedgerError> {
        for kind in FacilityAccount::ALL {
            let id = kind.of(facility);
            let mut account = NewAccount::new(
                format!("credit-{}-{facility}", kind.code()),
                format!(
                    "Credit facility {facility}: {}",
                    kind.code().replace('-', " ")
                ),
                kind.normal_side(),
            );
            account.id = id;
            if kind == FacilityAccount::Facility {
                account = account.no_overdraft();
            }
            self.ledger.create_account_in_op(op, account).await?;
            self.ledger.add_member_in_op(op, kind.set_id(), id).await?;
        }
        Ok(())
    }

    /// A posting built by `template` under `external_id`.
    pub fn posting<T: TxTemplate>(
        &self,
        template: T,
        external_id: String,
        params: &T::Params,
        effective: NaiveDate,
    ) -> NewTransaction {
        template.build(params, self.journal, external_id, effective)
    }

    pub(crate) async fn post_in_op(
        &self,
        op: &mut DbOp,
        tx: NewTransaction,
    ) -> Result<Posted, LedgerError> {
        self.ledger.post_in_op(op, tx).await
    }

    /// Several postings in the caller's transaction, each judged on its own (see
    /// `Ledger::post_all_in_op`).
    pub(crate) async fn post_all_in_op(
        &self,
        op: &mut DbOp,
        txs: &[NewTransaction],
    ) -> Result<Vec<Result<Posted, ledger::PostingError>>, LedgerError> {
        if txs.is_empty() {
            return Ok(Vec::new());
        }
        self.ledger.post_all_in_op(op, txs).await
    }

    pub(crate) async fn reverse_in_op(
        &self,
        op: &mut DbOp,
        original: TransactionId,
        external_id: &str,
        effective: NaiveDate,
    ) -> Result<Posted, LedgerError> {
        self.ledger
            .reverse_in_op(op, original, external_id, effective)
            .await
    }

    /// The facility's figures, in the caller's transaction (after it locked the facility).
    pub(crate) async fn balances_in_op(
        &self,
        op: &mut DbOp,
        facility: CreditFacilityId,
        amount: UsdCents,
    ) -> Result<FacilityBalances, CreditError> {
        let (usd, btc) = accounts_of(&[(facility, amount)]);
        let usd = self
            .ledger
            .balances_of_in_op(op, self.journal, &usd, &Currency::usd())
            .await?;
        let btc = self
            .ledger
            .balances_of_in_op(op, self.journal, &btc, &Currency::btc())
            .await?;
        figures(facility, amount, &usd, &btc)
    }

    /// Each facility's disbursed principal outstanding (its four receivable stages), with one
    /// query: what the day's interest accrues on.
    pub(crate) async fn disbursed_all_in_op(
        &self,
        op: &mut DbOp,
        facilities: &[CreditFacilityId],
    ) -> Result<Vec<UsdCents>, CreditError> {
        let stages = FacilityAccount::DISBURSED;
        let ids: Vec<AccountId> = facilities
            .iter()
            .flat_map(|facility| stages.map(|stage| stage.of(*facility)))
            .collect();
        let balances = self
            .ledger
            .balances_of_in_op(op, self.journal, &ids, &Currency::usd())
            .await?;
        facilities
            .iter()
            .zip(balances.chunks_exact(stages.len()))
            .map(|(facility, balances)| {
                settled_sum(*facility, "disbursed receivable", balances).map(UsdCents::from_minor)
            })
            .collect()
    }

    /// The figures of several facilities, with two queries.
    pub(crate) async fn balances(
        &self,
        facilities: &[(CreditFacilityId, UsdCents)],
    ) -> Result<Vec<FacilityBalances>, CreditError> {
        let (usd, btc) = accounts_of(facilities);
        let usd = self
            .ledger
            .balances_of(self.journal, &usd, &Currency::usd())
            .await?;
        let btc = self
            .ledger
            .balances_of(self.journal, &btc, &Currency::btc())
            .await?;
        all_figures(facilities, &usd, &btc)
    }
}

/// The facilities' USD accounts (each facility's in [`usd_accounts`] order) and their
/// collateral accounts.
fn accounts_of(facilities: &[(CreditFacilityId, UsdCents)]) -> (Vec<AccountId>, Vec<AccountId>) {
    let usd = facilities
        .iter()
        .flat_map(|(id, _)| usd_accounts(*id))
        .collect();
    let btc = facilities
        .iter()
        .map(|(id, _)| FacilityAccount::Collateral.of(*id))
        .collect();
    (usd, btc)
}

/// Each facility's figures from the balances of [`accounts_of`].
fn all_figures(
    facilities: &[(CreditFacilityId, UsdCents)],
    usd: &[Balance],
    btc: &[Balance],
) -> Result<Vec<FacilityBalances>, CreditError> {
    facilities
        .iter()
        .zip(usd.chunks_exact(USD_ACCOUNTS))
        .zip(btc.chunks_exact(1))
        .map(|(((id, amount), usd), btc)| figures(*id, *amount, usd, btc))
        .collect()
}

const USD_ACCOUNTS: usize = 10;

/// The limit, then the disbursed and interest receivables, then the payment holding account.
fn usd_accounts(facility: CreditFacilityId) -> [AccountId; USD_ACCOUNTS] {
    let mut ids = [FacilityAccount::Facility.of(facility); USD_ACCOUNTS];
    for (slot, kind) in ids[1..].iter_mut().zip(
        FacilityAccount::DISBURSED
            .iter()
            .chain(&FacilityAccount::INTEREST)
            .chain(&[FacilityAccount::PaymentHolding]),
    ) {
        *slot = kind.of(facility);
    }
    ids
}

fn non_negative(
    facility: CreditFacilityId,
    account: &'static str,
    value: i128,
) -> Result<u64, CreditError> {
    u64::try_from(value).map_err(|_| CreditError::BalanceOutOfRange {
        facility,
        account,
        value,
    })
}

/// The figures of a facility not approved (yet): its accounts do not exist; nothing is owed or
/// held and the whole amount remains.
pub(crate) fn unopened(amount: UsdCents) -> FacilityBalances {
    FacilityBalances {
        facility: amount,
        remaining: amount,
        held: UsdCents::ZERO,
        disbursed: UsdCents::ZERO,
        interest: UsdCents::ZERO,
        outstanding: UsdCents::ZERO,
        unapplied: UsdCents::ZERO,
        collateral: Satoshis::ZERO,
    }
}

/// The settled balances of accounts of the facility added up (none may be negative).
fn settled_sum(
    facility: CreditFacilityId,
    name: &'static str,
    balances: &[Balance],
) -> Result<u64, CreditError> {
    balances.iter().try_fold(0u64, |total, b| {
        let v = non_negative(facility, name, b.settled())?;
        total.checked_add(v).ok_or(CreditError::BalanceOutOfRange {
            facility,
            account: name,
            value: b.settled(),
        })
    })
}

/// A facility's figures from its limit and receivable balances (in [`usd_accounts`] order) and
/// its collateral balance.
fn figures(
    facility: CreditFacilityId,
    amount: UsdCents,
    usd: &[Balance],
    btc: &[Balance],
) -> Result<FacilityBalances, CreditError> {
    let sum = |balances, name| settled_sum(facility, name, balances);
    let (limit, receivables) = usd.split_first().ok_or(CreditError::BalanceOutOfRange {
        facility,
        account: "facility",
        value: 0,
    })?;
    let held = non_negative(facility, "facility (held)", -limit.pending())?;
    let remaining = non_negative(facility, "facility", limit.available())?;
    let disbursed = sum(&receivables[..4], "disbursed receivable")?;
    let interest = sum(&receivables[4..8], "interest receivable")?;
    let unapplied = sum(&receivables[8..], "payment holding")?;
    let collateral = match btc.first() {
        Some(b) => non_negative(facility, "collateral", b.settled())?,
        None => 0,
    };
    let outstanding = disbursed
        .checked_add(interest)
        .ok_or(CreditError::BalanceOutOfRange {
            facility,
            account: "outstanding",
            value: i128::from(disbursed) + i128::from(interest),
        })?;
    Ok(FacilityBalances {
        facility: amount,
        remaining: UsdCents::from_minor(remaining),
        held: UsdCents::from_minor(held),
        disbursed: UsdCents::from_minor(disbursed),
        interest: UsdCents::from_minor(interest),
        outstanding: UsdCents::from_minor(outstanding),
        unapplied: UsdCents::from_minor(unapplied),
        collateral: Satoshis::from_minor(collateral),
    })
}

/// External ids of this domain's postings (the payout uses the deposit domain's kind).
pub(crate) mod external_id {
    use crate::primitives::{
        CreditFacilityId, DisbursalId, LiquidationId, ObligationId, ObligationStatus, PaymentId,
    };

    pub fn open(facility: CreditFacilityId) -> String {
        format!("credit-facility-open:{facility}")
    }

    pub fn fee(facility: CreditFacilityId) -> String {
        format!("credit-structuring-fee:{facility}")
    }

    /// One per collateral change: the facility's version before it.
    pub fn collateral(facility: CreditFacilityId, version: i32) -> String {
        format!("credit-collateral:{facility}:{version}")
    }

    /// One per facility and day.
    pub fn accrual(facility: CreditFacilityId, day: chrono::NaiveDate) -> String {
        format!("credit-interest-accrual:{facility}:{day}")
    }

    /// One per obligation and stage it moves to.
    pub fn stage(obligation: ObligationId, stage: ObligationStatus) -> String {
        format!("credit-obligation-{}:{obligation}", stage.as_str())
    }

    pub fn hold(disbursal: DisbursalId) -> String {
        format!("credit-disbursal-hold:{disbursal}")
    }

    pub fn release(disbursal: DisbursalId) -> String {
        format!("credit-disbursal-release:{disbursal}")
    }

    pub fn payout(disbursal: DisbursalId) -> String {
        core_deposit::ledger::PostingKind::CreditDisbursal.external_id(disbursal)
    }

    /// A payment from a deposit account: the deposit domain's kind, so its history shows it.
    pub fn payment_from_deposit(payment: PaymentId) -> String {
        core_deposit::ledger::PostingKind::CreditPayment.external_id(payment)
    }

    /// A payment from outside the bank's deposit accounts (a wire, or liquidation proceeds).
    pub fn external_payment(payment: PaymentId) -> String {
        format!("credit-payment-external:{payment}")
    }

    pub fn liquidation_proceeds(liquidation: LiquidationId) -> String {
        format!("credit-liquidation-proceeds:{liquidation}")
    }

    /// One per payment and obligation (a payment that pays part of an obligation is spent).
    pub fn allocation(payment: PaymentId, obligation: ObligationId) -> String {
        format!("credit-payment-allocation:{payment}:{obligation}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::LayerTotals;

    fn balance(side: Side, version: i64, settled: (i64, i64), pending: (i64, i64)) -> Balance {
        let totals = |(debit, credit)| LayerTotals { debit, credit };
        Balance {
            normal_side: side,
            version,
            layers: [totals(settled), totals(pending), LayerTotals::default()],
        }
    }

    #[test]
    fn figures_add_up_the_stages_and_refuse_the_impossible() {
        let id = CreditFacilityId::new();
        let amount = UsdCents::from_minor(10_000);
        // limit 10,000; 3,000 paid out; 2,000 held; 3,000 principal not yet due; 50 fee
        let limit = balance(Side::Credit, 3, (3_000, 10_000), (2_000, 0));
        let mut usd = vec![limit, balance(Side::Debit, 1, (3_000, 0), (0, 0))];
        usd.extend((0..3).map(|_| Balance::zero(Side::Debit)));
        usd.push(balance(Side::Debit, 1, (50, 0), (0, 0)));
        usd.extend((0..3).map(|_| Balance::zero(Side::Debit)));
        // 40 paid and not yet allocated
        usd.push(balance(Side::Credit, 1, (0, 40), (0, 0)));
        let btc = [balance(Side::Credit, 1, (0, 21), (0, 0))];
        let f = figures(id, amount, &usd, &btc).unwrap();
        assert_eq!(f.remaining, UsdCents::from_minor(5_000));
        assert_eq!(f.held, UsdCents::from_minor(2_000));
        assert_eq!(f.disbursed, UsdCents::from_minor(3_000));
        assert_eq!(f.interest, UsdCents::from_minor(50));
        assert_eq!(f.outstanding, UsdCents::from_minor(3_050));
        assert_eq!(f.unapplied, UsdCents::from_minor(40));
        assert_eq!(f.collateral, Satoshis::from_minor(21));
        // a limit used beyond the facility is no figure to show either
        let overdrawn = balance(Side::Credit, 4, (10_001, 10_000), (0, 0));
        let mut over = usd.clone();
        over[0] = overdrawn;
        assert!(figures(id, amount, &over, &btc).is_err());
        // a receivable below zero is no figure to show
        usd[1] = balance(Side::Debit, 1, (0, 1), (0, 0));
        assert!(matches!(
            figures(id, amount, &usd, &btc),
            Err(CreditError::BalanceOutOfRange { .. })
        ));
    }

    #[test]
    fn account_ids_differ_per_kind_and_facility() {
        let (a, b) = (CreditFacilityId::new(), CreditFacilityId::new());
        let mut ids: Vec<AccountId> = FacilityAccount::ALL
            .iter()
            .flat_map(|k| [k.of(a), k.of(b), k.set_id()])
            .collect();
        let n = ids.len();
        ids.sort_by_key(|id| Uuid::from(*id));
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(usd_accounts(a)[0], FacilityAccount::Facility.of(a));
        assert_eq!(usd_accounts(a)[8], FacilityAccount::InterestDefaulted.of(a));
        assert_eq!(usd_accounts(a)[9], FacilityAccount::PaymentHolding.of(a));
    }
}
