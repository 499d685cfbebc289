use crate::approval_process::{ApprovalProcess, ApprovalProcessEvent};
use es::{DbOp, EsRepoError, PersistHook, PersistedEvent};
use outbox::Outbox;

/// Publishes a process's conclusion when its `Concluded` event is persisted: exactly once per
/// process, in the transaction that concluded it (the last vote's, or the creating one's under
/// automatic rules).
#[derive(Clone)]
pub(crate) struct GovernancePublisher {
    outbox: Outbox,
}

impl GovernancePublisher {
    pub(crate) fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

#[async_trait::async_trait]
impl PersistHook<ApprovalProcess> for GovernancePublisher {
    async fn persisted(
        &self,
        op: &mut DbOp,
        process: &ApprovalProcess,
        new_events: &[PersistedEvent<ApprovalProcessEvent>],
    ) -> Result<(), EsRepoError> {
        let concluded = new_events
            .iter()
            .any(|e| matches!(e.event, ApprovalProcessEvent::Concluded { .. }));
        if let (true, Some(conclusion)) = (concluded, process.conclusion()) {
            self.outbox.publish_all_in_op(op, &[conclusion]).await?;
        }
        Ok(())
    }
}
