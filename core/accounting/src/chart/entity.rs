//! The chart of accounts: nodes (each a ledger account set, with an account of its own for
//! postings made to the node by code), the base configuration, and which domain account sets
//! hang under which node.

use super::csv::CsvNode;
use crate::error::AccountingError;
use crate::primitives::{AccountCode, AccountId, BaseConfig, ChartId, Side};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use ledger::AttachableSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChartEvent {
    Initialized {
        name: String,
    },
    NodeAdded {
        code: AccountCode,
        name: String,
        normal_side: Side,
        parent: Option<AccountCode>,
        set: AccountId,
        own_account: AccountId,
    },
    BaseConfigured {
        config: BaseConfig,
    },
    ModuleAttached {
        key: String,
        code: AccountCode,
    },
}

/// A node of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartNode {
    pub code: AccountCode,
    pub name: String,
    pub normal_side: Side,
    pub parent: Option<AccountCode>,
    /// The ledger account set this node is; its balance is the node's.
    pub set: AccountId,
    /// The node's own ledger account (member of `set`): where postings by code go.
    pub own_account: AccountId,
}

impl ChartNode {
    /// The ledger codes of the node's set and own account.
    pub fn ledger_codes(&self) -> (String, String) {
        (
            format!("chart:{}", self.code),
            format!("chart:{}:own", self.code),
        )
    }
}

/// The ledger ids of the node at `code`: derived, so every process agrees.
pub(crate) fn node_ids(code: &AccountCode) -> (AccountId, AccountId) {
    let id = |what: &str| {
        AccountId::from(Uuid::new_v5(
            &Uuid::NAMESPACE_OID,
            format!("lana.accounting.chart.{what}.{code}").as_bytes(),
        ))
    };
    (id("set"), id("own"))
}

/// A node to add, from a line of a file (`line`) or from one request (`None`).
pub(crate) struct Candidate {
    pub line: Option<usize>,
    pub code: AccountCode,
    pub name: String,
    pub normal_side: Option<Side>,
}

impl From<CsvNode> for Candidate {
    fn from(n: CsvNode) -> Self {
        Self {
            line: Some(n.line),
            code: n.code,
            name: n.name,
            normal_side: n.normal_side,
        }
    }
}

#[derive(Debug)]
pub struct Chart {
    pub name: String,
    pub nodes: BTreeMap<AccountCode, ChartNode>,
    pub config: Option<BaseConfig>,
    /// Attached domain sets: key -> code.
    pub attachments: BTreeMap<String, AccountCode>,
    events: EntityEvents<ChartEvent>,
}

pub(crate) fn new_chart(id: ChartId, name: &str) -> EntityEvents<ChartEvent> {
    EntityEvents::init(
        id,
        [ChartEvent::Initialized {
            name: name.to_owned(),
        }],
    )
}

impl Chart {
    pub fn node(&self, code: &AccountCode) -> Result<&ChartNode, AccountingError> {
        self.nodes
            .get(code)
            .ok_or_else(|| AccountingError::NodeNotFound(code.clone()))
    }

    /// The parent of a new node: the code without its last section, or for a top-level code
    /// the longest top-level code it starts with (`11` under `1`).
    fn parent_of(
        &self,
        code: &AccountCode,
        added: &BTreeMap<AccountCode, ChartNode>,
    ) -> Option<AccountCode> {
        if let Some(prefix) = code.prefix() {
            return Some(prefix);
        }
        let section = &code.sections()[0];
        self.nodes
            .keys()
            .chain(added.keys())
            .filter(|c| c.sections().len() == 1)
            .filter(|c| {
                section.len() > c.sections()[0].len() && section.starts_with(&c.sections()[0])
            })
            .max_by_key(|c| c.sections()[0].len())
            .cloned()
    }

    /// Adds `candidates` in order. Nodes already in the chart with the same name, side and
    /// parent are skipped (so importing a file again adds nothing); any other clash refuses
    /// everything.
    pub(crate) fn add_nodes(
        &mut self,
        candidates: Vec<Candidate>,
    ) -> Result<Idempotent<Vec<ChartNode>>, AccountingError> {
        let mut added: BTreeMap<AccountCode, ChartNode> = BTreeMap::new();
        let mut order = Vec::new();
        for c in candidates {
            let parent = self.parent_of(&c.code, &added);
            let parent_node = match &parent {
                Some(p) => match self.nodes.get(p).or_else(|| added.get(p)) {
                    Some(node) => Some(node),
                    None => {
                        return Err(AccountingError::ParentNotFound {
                            line: c.line,
                            code: c.code,
                        });
                    }
                },
                None => None,
            };
            let normal_side = match (c.normal_side, parent_node) {
                (Some(side), _) => side,
                (None, Some(parent)) => parent.normal_side,
                (None, None) => {
                    return Err(AccountingError::NoNormalBalance {
                        line: c.line,
                        code: c.code,
                    });
                }
            };
            if let Some(existing) = self.nodes.get(&c.code) {
                if existing.name == c.name
                    && existing.normal_side == normal_side
                    && existing.parent == parent
                {
                    continue;
                }
                return Err(AccountingError::NodeExists {
                    line: c.line,
                    code: c.code,
                });
            }
            let (set, own_account) = node_ids(&c.code);
            let node = ChartNode {
                code: c.code.clone(),
                name: c.name,
                normal_side,
                parent,
                set,
                own_account,
            };
            order.push(c.code.clone());
            added.insert(c.code, node);
        }
        if order.is_empty() {
            return Ok(Idempotent::AlreadyApplied);
        }
        let mut nodes = Vec::with_capacity(order.len());
        for code in order {
            if let Some(node) = added.remove(&code) {
                self.events.push(ChartEvent::NodeAdded {
                    code: node.code.clone(),
                    name: node.name.clone(),
                    normal_side: node.normal_side,
                    parent: node.parent.clone(),
                    set: node.set,
                    own_account: node.own_account,
                });
                self.nodes.insert(code, node.clone());
                nodes.push(node);
            }
        }
        Ok(Idempotent::Executed(nodes))
    }

    /// Sets the base configuration: every code must exist, the six categories must be apart
    /// and on their sides, the retained earnings accounts under equity, the off-balance-sheet
    /// codes outside every category.
    pub(crate) fn configure(
        &mut self,
        config: BaseConfig,
    ) -> Result<Idempotent<()>, AccountingError> {
        if self.config.as_ref() == Some(&config) {
            return Ok(Idempotent::AlreadyApplied);
        }
        let invalid = |m: String| Err(AccountingError::ConfigInvalid(m));
        let categories = config.categories();
        for (what, code, side) in categories {
            let node = self.node(code)?;
            if node.normal_side != side {
                return invalid(format!(
                    "{what} ({code}) must be {} normal",
                    side_label(side)
                ));
            }
        }
        for (i, (a, code_a, _)) in categories.iter().enumerate() {
            for (b, code_b, _) in &categories[i + 1..] {
                if self.is_under(code_a, code_b) || self.is_under(code_b, code_a) {
                    return invalid(format!("{a} ({code_a}) and {b} ({code_b}) overlap"));
                }
            }
        }
        for code in [
            &config.retained_earnings_gain,
            &config.retained_earnings_loss,
        ] {
            self.node(code)?;
            if !self.is_under(code, &config.equity) {
                return invalid(format!(
                    "retained earnings ({code}) must be under equity ({})",
                    config.equity
                ));
            }
        }
        for code in &config.off_balance_sheet {
            self.node(code)?;
            if let Some((what, c, _)) = categories
                .iter()
                .find(|(_, c, _)| self.is_under(code, c) || self.is_under(c, code))
            {
                return invalid(format!("off-balance-sheet {code} overlaps {what} ({c})"));
            }
        }
        self.events.push(ChartEvent::BaseConfigured {
            config: config.clone(),
        });
        self.config = Some(config);
        Ok(Idempotent::Executed(()))
    }

    /// Hangs a domain's account set under the node `code` (same normal side). Attaching it
    /// there again changes nothing; elsewhere is refused (it is already counted there).
    pub(crate) fn attach(
        &mut self,
        set: &AttachableSet,
        code: &AccountCode,
    ) -> Result<Idempotent<ChartNode>, AccountingError> {
        let node = self.node(code)?.clone();
        match self.attachments.get(&set.key) {
            Some(current) if current == code => return Ok(Idempotent::AlreadyApplied),
            Some(current) => {
                return Err(AccountingError::AlreadyAttached {
                    key: set.key.clone(),
                    code: current.clone(),
                });
            }
            None => {}
        }
        if node.normal_side != set.normal_side {
            return Err(AccountingError::NormalBalanceMismatch {
                key: set.key.clone(),
                code: code.clone(),
            });
        }
        self.events.push(ChartEvent::ModuleAttached {
            key: set.key.clone(),
            code: code.clone(),
        });
        self.attachments.insert(set.key.clone(), code.clone());
        Ok(Idempotent::Executed(node))
    }

    /// Whether `code` is `ancestor` or lies under it in the chart (`11` is under `1`).
    pub fn is_under(&self, code: &AccountCode, ancestor: &AccountCode) -> bool {
        let mut at = Some(code);
        while let Some(c) = at {
            if c == ancestor {
                return true;
            }
            at = self.nodes.get(c).and_then(|n| n.parent.as_ref());
        }
        false
    }

    /// The nodes directly under `code` (`None`: the top-level ones), by code.
    pub fn children(&self, code: Option<&AccountCode>) -> Vec<&ChartNode> {
        self.nodes
            .values()
            .filter(|n| n.parent.as_ref() == code)
            .collect()
    }

    /// `code` and every node under it, depth first by code, with their depth below `code`.
    pub fn subtree(&self, code: &AccountCode) -> Vec<(usize, &ChartNode)> {
        let mut out = Vec::new();
        if let Some(node) = self.nodes.get(code) {
            self.walk(node, 0, &mut out);
        }
        out
    }

    /// Every node, depth first from the top-level ones, with its depth.
    pub fn tree(&self) -> Vec<(usize, &ChartNode)> {
        let mut out = Vec::new();
        for top in self.children(None) {
            self.walk(top, 0, &mut out);
        }
        out
    }

    fn walk<'a>(
        &'a self,
        node: &'a ChartNode,
        depth: usize,
        out: &mut Vec<(usize, &'a ChartNode)>,
    ) {
        out.push((depth, node));
        for child in self.children(Some(&node.code)) {
            self.walk(child, depth + 1, out);
        }
    }
}

pub fn side_label(side: Side) -> &'static str {
    match side {
        Side::Debit => "debit",
        Side::Credit => "credit",
    }
}

impl EsEntity for Chart {
    type Id = ChartId;
    type Event = ChartEvent;

    fn events(&self) -> &EntityEvents<ChartEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<ChartEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<ChartEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(ChartEvent::Initialized { name }) = iter.next() else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut chart = Chart {
            name: name.clone(),
            nodes: BTreeMap::new(),
            config: None,
            attachments: BTreeMap::new(),
            events: EntityEvents::init(ChartId::new(), []),
        };
        for event in iter {
            match event {
                ChartEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                ChartEvent::NodeAdded {
                    code,
                    name,
                    normal_side,
                    parent,
                    set,
                    own_account,
                } => {
                    chart.nodes.insert(
                        code.clone(),
                        ChartNode {
                            code: code.clone(),
                            name: name.clone(),
                            normal_side: *normal_side,
                            parent: parent.clone(),
                            set: *set,
                            own_account: *own_account,
                        },
                    );
                }
                ChartEvent::BaseConfigured { config } => chart.config = Some(config.clone()),
                ChartEvent::ModuleAttached { key, code } => {
                    chart.attachments.insert(key.clone(), code.clone());
                }
            }
        }
        chart.events = events;
        Ok(chart)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::csv::parse;

    fn chart() -> Chart {
        Chart::try_from_events(new_chart(ChartId::new(), "test")).unwrap()
    }

    fn import(
        chart: &mut Chart,
        data: &[u8],
    ) -> Result<Idempotent<Vec<ChartNode>>, AccountingError> {
        chart.add_nodes(
            parse(data)
                .unwrap()
                .into_iter()
                .map(Candidate::from)
                .collect(),
        )
    }

    #[test]
    fn importing_twice_adds_nothing_the_second_time_and_the_fold_agrees() {
        let mut chart = chart();
        let file = b"1,,Assets,Debit\n11,,Current assets,\n,01,Cash,\n2,,Liabilities,Credit\n";
        let Idempotent::Executed(added) = import(&mut chart, file).unwrap() else {
            panic!("nothing added");
        };
        assert_eq!(added.len(), 4);
        let cash = &chart.nodes[&AccountCode::parse("11.01").unwrap()];
        assert_eq!(cash.parent, Some(AccountCode::parse("11").unwrap()));
        assert_eq!(cash.normal_side, Side::Debit);
        assert_eq!(
            chart.nodes[&AccountCode::parse("11").unwrap()].parent,
            Some(AccountCode::parse("1").unwrap())
        );
        assert!(chart.is_under(&cash.code.clone(), &AccountCode::parse("1").unwrap()));
        assert!(!chart.is_under(
            &AccountCode::parse("2").unwrap(),
            &AccountCode::parse("1").unwrap()
        ));
        assert!(import(&mut chart, file).unwrap().was_already_applied());
        let rebuilt = Chart::try_from_events(chart.events().clone()).unwrap();
        assert_eq!(rebuilt.nodes, chart.nodes);
        // The same code with another name refuses the whole file, naming the line.
        let clash = import(&mut chart, b"3,,Equity,Credit\n1,,Things,Debit\n").unwrap_err();
        assert!(
            matches!(clash, AccountingError::NodeExists { line: Some(2), .. }),
            "{clash:?}"
        );
        assert!(!chart.nodes.contains_key(&AccountCode::parse("3").unwrap()));
    }

    #[test]
    fn a_top_level_node_needs_a_normal_balance() {
        let mut chart = chart();
        let e = import(&mut chart, b"1,,Assets,\n").unwrap_err();
        assert!(
            matches!(e, AccountingError::NoNormalBalance { line: Some(1), .. }),
            "{e:?}"
        );
    }
}
