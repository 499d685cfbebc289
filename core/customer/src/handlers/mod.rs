//! Reactions to the outside world: the KYC provider's webhooks, from the inbox.

mod kyc_webhooks;

pub use kyc_webhooks::{KYC_WEBHOOK_SOURCE, KycWebhookHandler};
