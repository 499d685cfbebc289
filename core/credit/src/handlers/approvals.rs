use crate::Credit;
use authz::Actor;
use core_governance::ProcessType;
use core_governance::public::GovernanceEvent;
use es::DbOp;
use outbox::{HandlerError, OutboxEvent, OutboxHandler};

/// Moves proposals and disbursals on when governance concludes their approval.
pub struct CreditApprovalHandler(Credit);

impl CreditApprovalHandler {
    pub fn new(credit: Credit) -> Self {
        Self(credit)
    }
}

#[async_trait::async_trait]
impl OutboxHandler for CreditApprovalHandler {
    fn name(&self) -> &'static str {
        "credit.approvals"
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
        let actor = Actor::system(self.name()).with_correlation_id(event.correlation_id.clone());
        if process_type == ProcessType::CREDIT_FACILITY_PROPOSAL {
            self.0
                .apply_proposal_conclusion_in_op(op, &actor, process_id, approved, denial_reason)
                .await?;
        } else if process_type == ProcessType::DISBURSAL {
            self.0
                .apply_disbursal_conclusion_in_op(op, &actor, process_id, approved, denial_reason)
                .await?;
        }
        Ok(())
    }
}
