//! Governance: committees, approval policies and approval processes.
//!
//! - A **committee** is a named, never empty group of staff users (plain user ids: this crate does
//!   not know the access domain; a [`StaffDirectory`] says who is staff).
//! - A **policy** says how the processes of one [`ProcessType`] are approved: automatically, or by
//!   every member of a committee. [`Governance::init`] makes sure each process type the bank uses
//!   has a policy (automatic until a committee is assigned).
//! - An **approval process** is started by another domain inside its own transaction
//!   ([`Governance::start_process_in_op`]), is voted on by the eligible staff, and announces its
//!   outcome once, with [`public::GovernanceEvent::ApprovalProcessConcluded`] on the outbox, in the
//!   transaction that concluded it. The starting domain reacts to that event (see [`public`]).
//!   The rules of a process are in `approval_process/entity.rs`.
//!
//! Laid out like the example domain (`core/deposit`): use cases in each entity's `mod.rs`, run by
//! `use_case::UseCases` (so two members voting at the same moment both land: a conflict re-runs
//! the vote).

mod approval_process;
mod committee;
mod error;
mod policy;
pub mod primitives;
pub mod public;

pub use approval_process::{ApprovalProcess, ApprovalProcessEvent, ApprovalProcessStatus, Denial};
pub use committee::{Committee, CommitteeEvent};
pub use error::{CODES, GovernanceError};
pub use policy::{Policy, PolicyEvent};
pub use primitives::{
    ApprovalProcessId, ApprovalRules, CommitteeId, CommitteeName, DenialReason, PolicyId,
    ProcessType,
};

use approval_process::ApprovalProcessRepo;
use authz::Actor;
use committee::CommitteeRepo;
use es::DbOp;
use outbox::Outbox;
use policy::PolicyRepo;
use public::GovernancePublisher;
use std::sync::Arc;
use use_case::{PlatformError, UseCases};
use uuid::Uuid;

/// Who may sit on a committee: the bank's staff users. The access domain knows them; the
/// composition root passes an adapter in, so this crate does not depend on it.
#[async_trait::async_trait]
pub trait StaffDirectory: Send + Sync + 'static {
    /// The ids among `users` that are no staff user, read in the caller's transaction.
    async fn unknown_in_op(
        &self,
        op: &mut DbOp,
        users: &[Uuid],
    ) -> Result<Vec<Uuid>, PlatformError>;
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Governance {
    use_cases: UseCases,
    staff: Arc<dyn StaffDirectory>,
    committees: CommitteeRepo,
    policies: PolicyRepo,
    processes: ApprovalProcessRepo,
}

impl Governance {
    /// Ensures an (automatic) policy exists for each of `process_types`.
    pub async fn init(
        use_cases: UseCases,
        outbox: &Outbox,
        staff: Arc<dyn StaffDirectory>,
        process_types: &[ProcessType],
    ) -> Result<Self, GovernanceError> {
        let (pool, clock) = (use_cases.pool().clone(), use_cases.clock().clone());
        let governance = Self {
            committees: CommitteeRepo::new(pool.clone(), clock.clone()),
            policies: PolicyRepo::new(pool.clone(), clock.clone()),
            processes: ApprovalProcessRepo::new(pool, clock)
                .with_hook(GovernancePublisher::new(outbox.clone())),
            use_cases,
            staff,
        };
        let actor = Actor::system("governance.init");
        for process_type in process_types {
            governance.ensure_policy(&actor, process_type).await?;
        }
        Ok(governance)
    }
}
