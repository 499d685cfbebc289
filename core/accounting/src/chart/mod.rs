//! The chart of accounts: importing a file, adding a node, the base configuration, attaching
//! the domains' account sets. The bank has one chart; every change locks it.

mod csv;
mod entity;
mod repo;

pub use csv::{CsvError, CsvProblem, MAX_FILE_BYTES};
pub use entity::{Chart, ChartEvent, ChartNode, side_label};
pub(crate) use repo::ChartRepo;

use crate::Accounting;
use crate::error::AccountingError;
use crate::primitives::{AccountCode, BaseConfig, ChartId, Side, parse_name, permissions};
use authz::Actor;
use entity::Candidate;
use es::{DbOp, RowLock};
use ledger::{AttachableSet, NewAccount};

/// The bank's chart (one per bank; its id is fixed so every process agrees).
pub(crate) fn chart_id() -> ChartId {
    ChartId::from(uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        b"lana.accounting.chart",
    ))
}

impl Accounting {
    /// Creates the (empty) chart on a new bank.
    pub(crate) async fn ensure_chart(&self) -> Result<(), AccountingError> {
        match self
            .charts
            .create(entity::new_chart(chart_id(), "bank"))
            .await
        {
            Ok(_) | Err(es::EsRepoError::UniqueViolation { .. }) => Ok(()),
            Err(es::EsRepoError::ConcurrentModification { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn chart(&self, actor: &Actor) -> Result<Chart, AccountingError> {
        use permissions::{CHART, READ};
        self.use_cases
            .query(actor, CHART, READ, async || {
                Ok(self.charts.find_by_id(chart_id()).await?)
            })
            .await
    }

    /// Imports a chart file (see `csv.rs`): all of it or, at the first problem, nothing. Nodes
    /// already in the chart as the file says are skipped, so the same file twice adds nothing.
    /// Returns the nodes added.
    pub async fn import_chart_csv(
        &self,
        actor: &Actor,
        data: &[u8],
    ) -> Result<Vec<ChartNode>, AccountingError> {
        use permissions::{CHART, WRITE};
        if data.len() > MAX_FILE_BYTES {
            return Err(AccountingError::Csv(CsvError {
                line: 1,
                problem: CsvProblem::Unreadable(format!(
                    "the file is larger than {MAX_FILE_BYTES} bytes"
                )),
            }));
        }
        let parsed = csv::parse(data)?;
        self.use_cases
            .command(actor, CHART, WRITE, || {
                let candidates: Vec<Candidate> =
                    parsed.iter().cloned().map(Candidate::from).collect();
                async move |op| {
                    let mut chart = self.lock_chart_in_op(op).await?;
                    let added = match chart.add_nodes(candidates)? {
                        es::Idempotent::Executed(added) => added,
                        es::Idempotent::AlreadyApplied => return Ok(Vec::new()),
                    };
                    self.create_nodes_in_op(op, &added).await?;
                    self.charts.update_in_op(op, &mut chart).await?;
                    Ok(added)
                }
            })
            .await
    }

    /// Adds one node under `parent` (`None`: a top-level node). The normal side defaults to the
    /// parent's.
    pub async fn add_chart_node(
        &self,
        actor: &Actor,
        parent: Option<AccountCode>,
        section: &str,
        name: &str,
        normal_side: Option<Side>,
    ) -> Result<ChartNode, AccountingError> {
        use permissions::{CHART, WRITE};
        let code = match &parent {
            Some(p) => p.child(section.trim())?,
            None => AccountCode::top(section.trim())?,
        };
        let name = parse_name(name)?;
        self.use_cases
            .command(actor, CHART, WRITE, || {
                let candidate = Candidate {
                    line: None,
                    code: code.clone(),
                    name: name.clone(),
                    normal_side,
                };
                let (parent, code) = (parent.clone(), code.clone());
                async move |op| {
                    let mut chart = self.lock_chart_in_op(op).await?;
                    if let Some(p) = &parent {
                        chart.node(p)?;
                    }
                    match chart.add_nodes(vec![candidate])? {
                        es::Idempotent::Executed(added) => {
                            self.create_nodes_in_op(op, &added).await?;
                            self.charts.update_in_op(op, &mut chart).await?;
                        }
                        es::Idempotent::AlreadyApplied => {}
                    }
                    Ok(chart.node(&code)?.clone())
                }
            })
            .await
    }

    /// Sets the base configuration (see `Chart::configure`). The inception date cannot move
    /// once a fiscal year has been opened.
    pub async fn configure_books(
        &self,
        actor: &Actor,
        config: BaseConfig,
    ) -> Result<Chart, AccountingError> {
        use permissions::{CHART, WRITE};
        self.use_cases
            .command(actor, CHART, WRITE, || {
                let config = config.clone();
                async move |op| {
                    let mut chart = self.lock_chart_in_op(op).await?;
                    if let Some(current) = &chart.config
                        && current.inception != config.inception
                        && self.any_fiscal_year_in_op(op).await?
                    {
                        return Err(AccountingError::ConfigInvalid(format!(
                            "the inception date ({}) cannot change once the books have a fiscal year",
                            current.inception
                        )));
                    }
                    if chart.configure(config)?.did_execute() {
                        self.charts.update_in_op(op, &mut chart).await?;
                    }
                    Ok(chart)
                }
            })
            .await
    }

    /// The domains' account sets a chart can attach.
    pub fn attachable_sets(&self) -> &[AttachableSet] {
        &self.attachable
    }

    /// Hangs the domain account set `key` under the chart node `code`: its postings, earlier
    /// ones included, roll up into the node from then on.
    pub async fn attach_module_set(
        &self,
        actor: &Actor,
        key: &str,
        code: AccountCode,
    ) -> Result<Chart, AccountingError> {
        use permissions::{CHART, WRITE};
        let set = self
            .attachable
            .iter()
            .find(|s| s.key == key)
            .cloned()
            .ok_or_else(|| AccountingError::UnknownModuleSet(key.to_owned()))?;
        self.use_cases
            .command(actor, CHART, WRITE, || {
                let (set, code) = (set.clone(), code.clone());
                async move |op| {
                    let mut chart = self.lock_chart_in_op(op).await?;
                    if let es::Idempotent::Executed(node) = chart.attach(&set, &code)? {
                        self.ledger
                            .add_member_in_op(op, node.set, set.account)
                            .await?;
                        self.charts.update_in_op(op, &mut chart).await?;
                    }
                    Ok(chart)
                }
            })
            .await
    }

    pub(crate) async fn lock_chart_in_op(&self, op: &mut DbOp) -> Result<Chart, AccountingError> {
        Ok(self
            .charts
            .lock_in_op(op, chart_id(), RowLock::Update)
            .await?)
    }

    /// The ledger side of new nodes: each a set holding its own account, under its parent.
    async fn create_nodes_in_op(
        &self,
        op: &mut DbOp,
        nodes: &[ChartNode],
    ) -> Result<(), AccountingError> {
        for node in nodes {
            let (set_code, own_code) = node.ledger_codes();
            let set = NewAccount {
                id: node.set,
                ..NewAccount::new(set_code, &node.name, node.normal_side).set()
            };
            let own = NewAccount {
                id: node.own_account,
                ..NewAccount::new(own_code, format!("{} (own)", node.name), node.normal_side)
            };
            self.ledger.create_account_in_op(op, set).await?;
            self.ledger.create_account_in_op(op, own).await?;
            self.ledger
                .add_member_in_op(op, node.set, node.own_account)
                .await?;
            if let Some(parent) = &node.parent {
                let chart_parent = entity::node_ids(parent).0;
                self.ledger
                    .add_member_in_op(op, chart_parent, node.set)
                    .await?;
            }
        }
        Ok(())
    }
}
