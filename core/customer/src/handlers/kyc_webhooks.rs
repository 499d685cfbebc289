//! The provider's verified webhooks, stored once in the inbox at the HTTP edge and handed here by
//! a job: `applicantCreated` -> KYC started, `applicantPending`, `applicantOnHold`,
//! `applicantReviewed` GREEN -> approved (the customer is created), RED -> declined. Other types
//! and webhooks without a prospect id change nothing.

use crate::Customers;
use crate::config::CustomerConfig;
use crate::primitives::{KycLevel, KycUpdate, ProspectId};
use authz::Actor;
use es::DbOp;
use inbox::{Handled, HandlerError, InboxEvent, InboxHandler};
use sumsub::{ReviewAnswer, WebhookPayload, WebhookType};

/// The inbox source of the provider's webhooks.
pub const KYC_WEBHOOK_SOURCE: &str = "sumsub";

/// What a webhook reports, in this domain's terms (`None`: nothing that concerns onboarding).
fn kyc_update(payload: &WebhookPayload, config: &CustomerConfig) -> Option<KycUpdate> {
    match &payload.kind {
        WebhookType::ApplicantCreated => Some(KycUpdate::Started),
        WebhookType::ApplicantPending => Some(KycUpdate::Pending),
        WebhookType::ApplicantOnHold => Some(KycUpdate::OnHold),
        WebhookType::ApplicantReviewed => {
            let result = payload.review_result.as_ref()?;
            Some(if result.review_answer == ReviewAnswer::Green {
                let advanced =
                    payload.level_name.as_deref() == Some(config.advanced_kyc_level_name.as_str());
                KycUpdate::Approved {
                    level: if advanced {
                        KycLevel::Advanced
                    } else {
                        KycLevel::Basic
                    },
                }
            } else {
                KycUpdate::Declined {
                    reject_labels: result.reject_labels.clone(),
                }
            })
        }
        _ => None,
    }
}

/// Hands the provider's webhooks from the inbox to the prospect they concern.
pub struct KycWebhookHandler(Customers);

impl KycWebhookHandler {
    pub fn new(customers: Customers) -> Self {
        Self(customers)
    }
}

#[async_trait::async_trait]
impl InboxHandler for KycWebhookHandler {
    fn source(&self) -> &'static str {
        KYC_WEBHOOK_SOURCE
    }

    async fn handle(&self, op: &mut DbOp, event: &InboxEvent) -> Result<Handled, HandlerError> {
        let payload: WebhookPayload = serde_json::from_value(event.payload.clone())?;
        let Some(prospect_id) = payload
            .external_user_id
            .as_deref()
            .and_then(|id| id.parse::<uuid::Uuid>().ok())
            .map(ProspectId::from)
        else {
            tracing::warn!(applicant_id = %payload.applicant_id, "KYC webhook without a prospect id; ignored");
            return Ok(Handled::Ignored("no prospect id (externalUserId)".into()));
        };
        let Some(update) = kyc_update(&payload, self.0.config()) else {
            return Ok(Handled::Ignored(
                "a webhook type that does not move onboarding".into(),
            ));
        };
        let actor = Actor::system("customer.kyc-webhooks");
        self.0
            .record_kyc_in_op(op, &actor, prospect_id, &payload.applicant_id, update)
            .await?;
        Ok(Handled::Applied)
    }
}
