use crate::Deposits;
use authz::Actor;
use core_governance::ProcessType;
use core_governance::public::GovernanceEvent;
use es::DbOp;
use outbox::{HandlerError, OutboxEvent, OutboxHandler};

/// Moves withdrawals on when governance concludes their approval.
pub struct WithdrawalApprovalHandler(Deposits);

impl WithdrawalApprovalHandler {
    pub fn new(deposits: Deposits) -> Self {
        Self(deposits)
    }
}

#[async_trait::async_trait]
impl OutboxHandler for WithdrawalApprovalHandler {
    fn name(&self) -> &'static str {
        "deposit.withdrawal-approvals"
    }

    async fn handle(&self, op: &mut DbOp, event: &OutboxEvent) -> Result<(), HandlerError> {
        let Some(GovernanceEvent::ApprovalProcessConcluded {
            process_id,
            process_type,
            approved,
            denial_reason,
            ..
        }) = event.decode_as()?
        else {
            return Ok(());
        };
        if process_type != ProcessType::WITHDRAW {
            return Ok(());
        }
        let actor = Actor::system(self.name()).with_correlation_id(event.correlation_id.clone());
        self.0
            .apply_approval_conclusion_in_op(op, &actor, process_id, approved, denial_reason)
            .await?;
        Ok(())
    }
}
