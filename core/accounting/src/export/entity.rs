//! An export of a ledger account's history: requested, then written to a file by a job
//! (completed), or failed with the reason.

use crate::primitives::{AccountId, LedgerExportId};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LedgerExportEvent {
    Requested {
        account: AccountId,
        account_code: String,
    },
    Completed {
        file_name: String,
        rows: u64,
        bytes: u64,
    },
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportStatus {
    Pending,
    Completed {
        file_name: String,
        rows: u64,
        bytes: u64,
    },
    Failed {
        reason: String,
    },
}

impl ExportStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed { .. } => "completed",
            Self::Failed { .. } => "failed",
        }
    }
}

#[derive(Debug)]
pub struct LedgerExport {
    pub account: AccountId,
    pub account_code: String,
    pub status: ExportStatus,
    events: EntityEvents<LedgerExportEvent>,
}

pub(crate) fn requested(
    id: LedgerExportId,
    account: AccountId,
    account_code: String,
) -> EntityEvents<LedgerExportEvent> {
    EntityEvents::init(
        id,
        [LedgerExportEvent::Requested {
            account,
            account_code,
        }],
    )
}

impl LedgerExport {
    /// The file is written: completed once (a retried job finds it done).
    pub(crate) fn complete(&mut self, file_name: String, rows: u64, bytes: u64) -> Idempotent<()> {
        if self.status != ExportStatus::Pending {
            return Idempotent::AlreadyApplied;
        }
        self.status = ExportStatus::Completed {
            file_name: file_name.clone(),
            rows,
            bytes,
        };
        self.events.push(LedgerExportEvent::Completed {
            file_name,
            rows,
            bytes,
        });
        Idempotent::Executed(())
    }

    pub(crate) fn fail(&mut self, reason: String) -> Idempotent<()> {
        if self.status != ExportStatus::Pending {
            return Idempotent::AlreadyApplied;
        }
        self.status = ExportStatus::Failed {
            reason: reason.clone(),
        };
        self.events.push(LedgerExportEvent::Failed { reason });
        Idempotent::Executed(())
    }
}

impl EsEntity for LedgerExport {
    type Id = LedgerExportId;
    type Event = LedgerExportEvent;

    fn events(&self) -> &EntityEvents<LedgerExportEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<LedgerExportEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<LedgerExportEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(LedgerExportEvent::Requested {
            account,
            account_code,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (account, account_code) = (*account, account_code.clone());
        let mut status = ExportStatus::Pending;
        for event in iter {
            status = match event {
                LedgerExportEvent::Requested { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "requested twice".into(),
                    });
                }
                LedgerExportEvent::Completed {
                    file_name,
                    rows,
                    bytes,
                } => ExportStatus::Completed {
                    file_name: file_name.clone(),
                    rows: *rows,
                    bytes: *bytes,
                },
                LedgerExportEvent::Failed { reason } => ExportStatus::Failed {
                    reason: reason.clone(),
                },
            };
        }
        Ok(Self {
            account,
            account_code,
            status,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_ends_once() {
        let events = requested(LedgerExportId::new(), AccountId::new(), "cash".into());
        let mut export = LedgerExport::try_from_events(events).unwrap();
        assert!(export.complete("a.csv".into(), 3, 120).did_execute());
        assert!(
            export
                .complete("b.csv".into(), 4, 130)
                .was_already_applied()
        );
        assert!(export.fail("late".into()).was_already_applied());
        let rebuilt = LedgerExport::try_from_events(export.events().clone()).unwrap();
        assert_eq!(
            rebuilt.status,
            ExportStatus::Completed {
                file_name: "a.csv".into(),
                rows: 3,
                bytes: 120
            }
        );
    }
}
