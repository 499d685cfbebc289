//! The accounting domain against a real PostgreSQL: the ledger, business time on a manual clock
//! (UTC, days end at midnight; no end-of-day handlers, so a day is done once it is announced),
//! and four "module" account sets of a pretend domain to attach (cash, deposits, fees,
//! salaries), each with leaf accounts the tests post to directly.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use audit::Audit;
use authz::{Actor, Authorization};
use chrono::{DateTime, NaiveDate, Utc};
use clock::{Clock, ManualClock};
use core_accounting::{
    AccountCode, Accounting, AccountingConfig, AccountingError, BaseConfig, BookCurrency,
    StatementLayer, TrialBalance,
};
use core_time::{Time, TimeConfig};
use jobs::{Jobs, JobsConfig};
use ledger::{
    AccountId, AttachableSet, Currency, JournalId, Ledger, LedgerConfig, NewAccount, NewEntry,
    NewTransaction, Side,
};
use outbox::Outbox;
use use_case::{DomainError, UseCases};

pub fn staff() -> Actor {
    Actor::system("accounting-test").with_correlation_id(Some("accounting-test".into()))
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn code(s: &str) -> AccountCode {
    AccountCode::parse(s).unwrap()
}

/// A small chart: assets (cash), liabilities (deposits), equity (capital, retained earnings),
/// revenue (fees), cost of revenue, expenses (salaries, rent), off balance sheet.
pub const CHART: &str = "\
1,,Assets,Debit
,01,Cash,
,02,Loans,
2,,Liabilities,Credit
,01,Customer deposits,
3,,Equity,Credit
,01,Capital,
,02,Retained earnings gains,
,03,Retained earnings losses,Debit
4,,Revenue,Credit
,01,Fee income,
5,,Cost of revenue,Debit
6,,Expenses,Debit
,01,Salaries,
,02,Rent,
9,,Off balance sheet,Debit
";

pub fn base_config(inception: NaiveDate) -> BaseConfig {
    BaseConfig {
        assets: code("1"),
        liabilities: code("2"),
        equity: code("3"),
        revenue: code("4"),
        cost_of_revenue: code("5"),
        expenses: code("6"),
        retained_earnings_gain: code("3.02"),
        retained_earnings_loss: code("3.03"),
        off_balance_sheet: vec![code("9")],
        inception,
    }
}

/// A pretend domain's set and its leaf accounts.
pub struct Module {
    pub set: AttachableSet,
    pub leaves: Vec<AccountId>,
}

pub struct Harness {
    pub db: test_db::TestDb,
    pub ledger: Ledger,
    pub journal: JournalId,
    pub time: Time,
    pub manual: ManualClock,
    pub jobs: Jobs,
    pub export_dir: std::path::PathBuf,
    pub accounting: Accounting,
    pub cash: Module,
    pub deposits: Module,
    pub fees: Module,
    pub salaries: Module,
}

pub async fn harness(now: &str) -> Harness {
    let migrator = es::migrations::combine(&[
        &es::MIGRATOR,
        &jobs::MIGRATOR,
        &outbox::MIGRATOR,
        &audit::MIGRATOR,
        &authz::MIGRATOR,
        &idempotency::MIGRATOR,
        &ledger::MIGRATOR,
        &core_time::MIGRATOR,
        &core_accounting::MIGRATOR,
    ])
    .await
    .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    let now: DateTime<Utc> = now.parse().unwrap();
    let (clock, manual) = Clock::manual(now);
    let audit = Audit::new(db.pool.clone(), clock.clone());
    let authz = Authorization::init(db.pool.clone(), audit).await.unwrap();
    let use_cases = UseCases::new(db.pool.clone(), clock.clone(), authz);
    let jobs = Jobs::new(
        db.pool.clone(),
        clock.clone(),
        JobsConfig {
            poll_interval_ms: 50,
            ..JobsConfig::default()
        },
    );
    let outbox = Outbox::new(db.pool.clone(), clock.clone());
    let config = TimeConfig {
        clock: core_time::ClockKind::Manual,
        ..TimeConfig::default()
    };
    let time = Time::init(use_cases.clone(), &outbox, &jobs, &config)
        .await
        .unwrap();
    let ledger = Ledger::init(db.pool.clone(), clock, outbox, &LedgerConfig::default())
        .await
        .unwrap();
    let journal = ledger.ensure_journal("bank").await.unwrap();
    let module = async |key: &str, side: Side, leaves: usize| {
        let set = ledger
            .create_account(NewAccount::new(key, key, side).set())
            .await
            .unwrap();
        let mut ids = Vec::new();
        for n in 0..leaves {
            let leaf = ledger
                .create_account(NewAccount::new(
                    format!("{key}-{n}"),
                    format!("{key} {n}"),
                    side,
                ))
                .await
                .unwrap();
            ledger.add_member(set, leaf).await.unwrap();
            ids.push(leaf);
        }
        Module {
            set: AttachableSet {
                key: key.into(),
                name: key.into(),
                account: set,
                normal_side: side,
            },
            leaves: ids,
        }
    };
    let cash = module("test-cash", Side::Debit, 2).await;
    let deposits = module("test-deposits", Side::Credit, 3).await;
    let fees = module("test-fees", Side::Credit, 1).await;
    let salaries = module("test-salaries", Side::Debit, 1).await;
    let export_dir = std::env::temp_dir().join(format!("lana-exports-{}", uuid::Uuid::new_v4()));
    let config = AccountingConfig {
        export_dir: export_dir.display().to_string(),
    };
    let accounting = Accounting::init(
        use_cases,
        ledger.clone(),
        time.clone(),
        &jobs,
        &config,
        vec![
            cash.set.clone(),
            deposits.set.clone(),
            fees.set.clone(),
            salaries.set.clone(),
        ],
    )
    .await
    .unwrap();
    Harness {
        db,
        ledger,
        journal,
        time,
        manual,
        jobs,
        export_dir,
        accounting,
        cash,
        deposits,
        fees,
        salaries,
    }
}

impl Harness {
    /// Imports [`CHART`], sets the base configuration and attaches the four modules.
    pub async fn books(&self, inception: NaiveDate) {
        self.accounting
            .import_chart_csv(&staff(), CHART.as_bytes())
            .await
            .unwrap();
        self.accounting
            .configure_books(&staff(), base_config(inception))
            .await
            .unwrap();
        for (key, at) in [
            ("test-cash", "1.01"),
            ("test-deposits", "2.01"),
            ("test-fees", "4.01"),
            ("test-salaries", "6.01"),
        ] {
            self.accounting
                .attach_module_set(&staff(), key, code(at))
                .await
                .unwrap();
        }
    }

    /// A settled USD posting: debit `from`, credit `to`.
    pub async fn post(
        &self,
        external_id: &str,
        debit: AccountId,
        credit: AccountId,
        cents: u64,
        effective: &str,
    ) -> Result<ledger::Posted, ledger::LedgerError> {
        self.ledger
            .post(
                NewTransaction::new(self.journal, external_id, date(effective))
                    .entry(NewEntry::debit(debit, cents, Currency::usd()))
                    .entry(NewEntry::credit(credit, cents, Currency::usd())),
            )
            .await
    }

    /// Moves the manual clock to `now` and announces the days that ended.
    pub async fn advance_to(&self, now: &str) {
        self.manual.set(now.parse().unwrap()).unwrap();
        self.time.announce_ended_days(&staff()).await.unwrap();
    }

    pub async fn trial_balance(&self, from: &str, to: &str) -> TrialBalance {
        self.accounting
            .trial_balance(
                &staff(),
                date(from),
                date(to),
                BookCurrency::Usd,
                StatementLayer::Settled,
            )
            .await
            .unwrap()
    }
}

/// The stable code of a refusal.
pub fn code_of(e: &AccountingError) -> &'static str {
    e.code().as_str()
}

/// (opening, debits, credits, closing) of the trial balance line `code`.
pub fn tb_line(tb: &TrialBalance, at: &str) -> (i128, i128, i128, i128) {
    let l = tb
        .lines
        .iter()
        .find(|l| l.code.to_string() == at)
        .unwrap_or_else(|| panic!("no line {at}"));
    (l.opening, l.debits, l.credits, l.closing)
}
