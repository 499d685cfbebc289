//! An approval process: one decision about one target (a withdrawal, a disbursal, ...).
//!
//! **Eligible voters are a snapshot.** When a process starts under committee rules, it copies the
//! committee's members at that moment into its `Initialized` event, and only they vote on it, until
//! it concludes. Members added or removed later do not change processes already running: the set of
//! people who must agree is fixed when the question is asked, so a process can neither be approved
//! by someone who joined to approve it nor be stuck waiting for someone who has left. (A process
//! that must follow a new committee is started again by its domain.)
//!
//! **Unanimity, denial wins.** Every eligible voter must approve; the first denial concludes the
//! process as denied at once. Each voter votes once. A concluded process takes no votes.
//! Automatic rules conclude the process as approved in the event that creates it.

use crate::error::GovernanceError;
use crate::primitives::{
    ApprovalProcessId, ApprovalRules, DenialReason, InvalidValue, ProcessType,
};
use crate::public::GovernanceEvent;
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The longest target id (the starting domain's id for what is approved).
const MAX_TARGET_ID_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApprovalProcessEvent {
    Initialized {
        process_type: ProcessType,
        target_id: String,
        rules: ApprovalRules,
        eligible_voters: BTreeSet<Uuid>,
    },
    Approved {
        voter: Uuid,
    },
    Denied {
        voter: Uuid,
        reason: DenialReason,
    },
    Concluded {
        approved: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalProcessStatus {
    InProgress,
    Approved,
    Denied,
}

impl ApprovalProcessStatus {
    /// As stored in the index table's `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalProcessStatus::InProgress => "in_progress",
            ApprovalProcessStatus::Approved => "approved",
            ApprovalProcessStatus::Denied => "denied",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub voter: Uuid,
    pub reason: DenialReason,
}

#[derive(Debug)]
pub struct ApprovalProcess {
    pub process_type: ProcessType,
    pub target_id: String,
    pub rules: ApprovalRules,
    /// The committee's members when the process started (see the module doc).
    pub eligible_voters: BTreeSet<Uuid>,
    pub approvals: BTreeSet<Uuid>,
    pub denial: Option<Denial>,
    pub status: ApprovalProcessStatus,
    events: EntityEvents<ApprovalProcessEvent>,
}

pub struct NewApprovalProcess {
    id: ApprovalProcessId,
    process_type: ProcessType,
    target_id: String,
    rules: ApprovalRules,
    eligible_voters: BTreeSet<Uuid>,
}

impl NewApprovalProcess {
    /// `eligible_voters` are the committee's members under committee rules, none under automatic
    /// rules. The target id has 1 to 200 characters.
    pub fn try_new(
        id: ApprovalProcessId,
        process_type: ProcessType,
        target_id: String,
        rules: ApprovalRules,
        eligible_voters: BTreeSet<Uuid>,
    ) -> Result<Self, InvalidValue> {
        if !(1..=MAX_TARGET_ID_CHARS).contains(&target_id.chars().count()) {
            return Err(InvalidValue::TargetId);
        }
        Ok(Self {
            id,
            process_type,
            target_id,
            rules,
            eligible_voters,
        })
    }

    pub fn into_events(self) -> EntityEvents<ApprovalProcessEvent> {
        let automatic = self.rules == ApprovalRules::Automatic;
        let mut events = EntityEvents::init(
            self.id,
            [ApprovalProcessEvent::Initialized {
                process_type: self.process_type,
                target_id: self.target_id,
                rules: self.rules,
                eligible_voters: self.eligible_voters,
            }],
        );
        if automatic {
            events.push(ApprovalProcessEvent::Concluded { approved: true });
        }
        events
    }
}

impl ApprovalProcess {
    /// Records `voter`'s approval; the last approval needed concludes the process as approved.
    /// The same approval again changes nothing.
    pub fn approve(&mut self, voter: Uuid) -> Result<Idempotent<()>, GovernanceError> {
        if self.approvals.contains(&voter) {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.check_can_vote(voter)?;
        self.approvals.insert(voter);
        self.events.push(ApprovalProcessEvent::Approved { voter });
        if self.approvals == self.eligible_voters {
            self.conclude(true);
        }
        Ok(Idempotent::Executed(()))
    }

    /// Records `voter`'s denial, which concludes the process as denied. The same denial again
    /// changes nothing.
    pub fn deny(
        &mut self,
        voter: Uuid,
        reason: DenialReason,
    ) -> Result<Idempotent<()>, GovernanceError> {
        if self.denial.as_ref().is_some_and(|d| d.voter == voter) {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.check_can_vote(voter)?;
        self.denial = Some(Denial {
            voter,
            reason: reason.clone(),
        });
        self.events
            .push(ApprovalProcessEvent::Denied { voter, reason });
        self.conclude(false);
        Ok(Idempotent::Executed(()))
    }

    /// A vote other than the one `voter` already cast is refused, as are votes on a concluded
    /// process and votes of anyone not eligible.
    fn check_can_vote(&self, voter: Uuid) -> Result<(), GovernanceError> {
        let process_id = self.id();
        if self.is_concluded() {
            return Err(GovernanceError::AlreadyConcluded { process_id });
        }
        if !self.eligible_voters.contains(&voter) {
            return Err(GovernanceError::NotAnEligibleVoter { process_id, voter });
        }
        if self.approvals.contains(&voter) {
            return Err(GovernanceError::AlreadyVoted { process_id, voter });
        }
        Ok(())
    }

    fn conclude(&mut self, approved: bool) {
        self.status = if approved {
            ApprovalProcessStatus::Approved
        } else {
            ApprovalProcessStatus::Denied
        };
        self.events
            .push(ApprovalProcessEvent::Concluded { approved });
    }

    pub fn is_concluded(&self) -> bool {
        self.status != ApprovalProcessStatus::InProgress
    }

    /// The public event announcing the outcome, once the process is concluded.
    pub fn conclusion(&self) -> Option<GovernanceEvent> {
        self.is_concluded()
            .then(|| GovernanceEvent::ApprovalProcessConcluded {
                process_id: self.id(),
                process_type: self.process_type.clone(),
                target_id: self.target_id.clone(),
                approved: self.status == ApprovalProcessStatus::Approved,
                denial_reason: self.denial.as_ref().map(|d| d.reason.to_string()),
            })
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for ApprovalProcess {
    type Id = ApprovalProcessId;
    type Event = ApprovalProcessEvent;

    fn events(&self) -> &EntityEvents<ApprovalProcessEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<ApprovalProcessEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<ApprovalProcessEvent>) -> Result<Self, EsEntityError> {
        let inconsistent = |reason: &str| EsEntityError::Inconsistent {
            entity_id: events.entity_id(),
            reason: reason.into(),
        };
        let mut iter = events.iter_all();
        let Some(ApprovalProcessEvent::Initialized {
            process_type,
            target_id,
            rules,
            eligible_voters,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut approvals = BTreeSet::new();
        let mut denial = None;
        let mut status = ApprovalProcessStatus::InProgress;
        for event in iter {
            if status != ApprovalProcessStatus::InProgress {
                return Err(inconsistent("event after the conclusion"));
            }
            match event {
                ApprovalProcessEvent::Initialized { .. } => {
                    return Err(inconsistent("initialized twice"));
                }
                ApprovalProcessEvent::Approved { voter } => {
                    approvals.insert(*voter);
                }
                ApprovalProcessEvent::Denied { voter, reason } => {
                    denial = Some(Denial {
                        voter: *voter,
                        reason: reason.clone(),
                    });
                }
                ApprovalProcessEvent::Concluded { approved } => {
                    status = if *approved {
                        ApprovalProcessStatus::Approved
                    } else {
                        ApprovalProcessStatus::Denied
                    };
                }
            }
        }
        Ok(Self {
            process_type: process_type.clone(),
            target_id: target_id.clone(),
            rules: rules.clone(),
            eligible_voters: eligible_voters.clone(),
            approvals,
            denial,
            status,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::CommitteeId;

    fn reason(text: &str) -> DenialReason {
        DenialReason::parse(text).unwrap()
    }

    fn new_process(rules: ApprovalRules, voters: &[Uuid]) -> ApprovalProcess {
        ApprovalProcess::try_from_events(
            NewApprovalProcess::try_new(
                ApprovalProcessId::new(),
                ProcessType::WITHDRAW,
                "w-1".into(),
                rules,
                voters.iter().copied().collect(),
            )
            .unwrap()
            .into_events(),
        )
        .unwrap()
    }

    fn committee_process(voters: &[Uuid]) -> ApprovalProcess {
        new_process(
            ApprovalRules::Committee {
                committee_id: CommitteeId::new(),
            },
            voters,
        )
    }

    /// The events decided after creation.
    fn decided(process: &ApprovalProcess) -> &[ApprovalProcessEvent] {
        &process.events().new_events()[1..]
    }

    #[test]
    fn automatic_rules_conclude_approved_at_creation() {
        // given automatic rules / when created
        let process = new_process(ApprovalRules::Automatic, &[]);
        // then
        assert_eq!(
            decided(&process),
            [ApprovalProcessEvent::Concluded { approved: true }]
        );
        assert_eq!(process.status, ApprovalProcessStatus::Approved);
        assert!(matches!(
            process.conclusion(),
            Some(GovernanceEvent::ApprovalProcessConcluded {
                approved: true,
                denial_reason: None,
                ..
            })
        ));
    }

    #[test]
    fn committee_rules_start_in_progress() {
        let process = committee_process(&[Uuid::now_v7()]);
        assert!(decided(&process).is_empty());
        assert_eq!(process.status, ApprovalProcessStatus::InProgress);
        assert_eq!(process.conclusion(), None);
    }

    #[test]
    fn every_eligible_voter_must_approve() {
        // given two voters
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let mut process = committee_process(&[alice, bob]);
        // when the first approves
        assert!(process.approve(alice).unwrap().did_execute());
        // then still in progress
        assert_eq!(process.status, ApprovalProcessStatus::InProgress);
        // when the second approves
        assert!(process.approve(bob).unwrap().did_execute());
        // then approved
        assert_eq!(
            decided(&process),
            [
                ApprovalProcessEvent::Approved { voter: alice },
                ApprovalProcessEvent::Approved { voter: bob },
                ApprovalProcessEvent::Concluded { approved: true },
            ]
        );
        assert_eq!(process.status, ApprovalProcessStatus::Approved);
    }

    #[test]
    fn one_denial_concludes_denied_at_once() {
        // given two voters, one approved
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let mut process = committee_process(&[alice, bob]);
        assert!(process.approve(alice).unwrap().did_execute());
        // when the other denies
        assert!(
            process
                .deny(bob, reason("too risky"))
                .unwrap()
                .did_execute()
        );
        // then denied, with the reason in the public event
        assert_eq!(
            decided(&process)[1..],
            [
                ApprovalProcessEvent::Denied {
                    voter: bob,
                    reason: reason("too risky")
                },
                ApprovalProcessEvent::Concluded { approved: false },
            ]
        );
        assert_eq!(process.status, ApprovalProcessStatus::Denied);
        assert!(matches!(
            process.conclusion(),
            Some(GovernanceEvent::ApprovalProcessConcluded {
                approved: false,
                denial_reason: Some(r),
                ..
            }) if r == "too risky"
        ));
    }

    #[test]
    fn a_voter_votes_once() {
        // given a voter who approved
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let mut process = committee_process(&[alice, bob]);
        assert!(process.approve(alice).unwrap().did_execute());
        // when approving again: nothing happens
        assert!(process.approve(alice).unwrap().was_already_applied());
        // when denying after approving: refused
        assert!(matches!(
            process.deny(alice, reason("changed my mind")),
            Err(GovernanceError::AlreadyVoted { voter, .. }) if voter == alice
        ));
        // then one approval was appended
        assert_eq!(
            decided(&process),
            [ApprovalProcessEvent::Approved { voter: alice }]
        );
        // and a denier denying again changes nothing
        assert!(process.deny(bob, reason("no")).unwrap().did_execute());
        assert!(
            process
                .deny(bob, reason("no"))
                .unwrap()
                .was_already_applied()
        );
    }

    #[test]
    fn only_eligible_voters_vote() {
        // given
        let (alice, mallory) = (Uuid::now_v7(), Uuid::now_v7());
        let mut process = committee_process(&[alice]);
        // when / then
        assert!(matches!(
            process.approve(mallory),
            Err(GovernanceError::NotAnEligibleVoter { voter, .. }) if voter == mallory
        ));
        assert!(matches!(
            process.deny(mallory, reason("no")),
            Err(GovernanceError::NotAnEligibleVoter { .. })
        ));
        assert!(decided(&process).is_empty());
    }

    #[test]
    fn a_concluded_process_takes_no_votes() {
        // given a denied process
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let mut process = committee_process(&[alice, bob]);
        assert!(process.deny(alice, reason("no")).unwrap().did_execute());
        // when the other votes / then refused
        assert!(matches!(
            process.approve(bob),
            Err(GovernanceError::AlreadyConcluded { process_id }) if process_id == process.id()
        ));
        // and an automatic process takes none either
        let mut automatic = new_process(ApprovalRules::Automatic, &[]);
        assert!(matches!(
            automatic.approve(alice),
            Err(GovernanceError::AlreadyConcluded { .. })
        ));
    }

    #[test]
    fn target_ids_are_bounded() {
        for bad in [String::new(), "x".repeat(201)] {
            assert!(matches!(
                NewApprovalProcess::try_new(
                    ApprovalProcessId::new(),
                    ProcessType::WITHDRAW,
                    bad,
                    ApprovalRules::Automatic,
                    BTreeSet::new(),
                ),
                Err(InvalidValue::TargetId)
            ));
        }
    }

    #[test]
    fn state_is_rebuilt_from_events_and_nothing_follows_a_conclusion() {
        // given a history ending in a denial
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let mut process = committee_process(&[alice, bob]);
        assert!(process.approve(alice).unwrap().did_execute());
        assert!(process.deny(bob, reason("no")).unwrap().did_execute());
        // when folded
        let rebuilt = ApprovalProcess::try_from_events(process.events().clone()).unwrap();
        // then
        assert_eq!(rebuilt.approvals, BTreeSet::from([alice]));
        assert_eq!(
            rebuilt.denial,
            Some(Denial {
                voter: bob,
                reason: reason("no")
            })
        );
        assert_eq!(rebuilt.status, ApprovalProcessStatus::Denied);
        // and a history with an event after the conclusion is refused
        let mut events = process.events().clone();
        events.push(ApprovalProcessEvent::Approved { voter: alice });
        assert!(matches!(
            ApprovalProcess::try_from_events(events),
            Err(EsEntityError::Inconsistent { .. })
        ));
    }
}
