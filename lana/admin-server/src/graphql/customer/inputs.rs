use super::types::CustomerType;
use async_graphql::{InputObject, Result};
use core_customer::{ProspectInput, TelegramHandle};
use email::Email;
use graphql_kit::invalid_input;
use uuid::Uuid;

#[derive(InputObject)]
pub struct ProspectCreateInput {
    email: String,
    telegram_handle: String,
    customer_type: CustomerType,
}

impl ProspectCreateInput {
    pub(super) fn parse(self) -> Result<ProspectInput> {
        Ok(ProspectInput {
            email: Email::parse(&self.email).map_err(invalid_input)?,
            telegram_handle: TelegramHandle::parse(&self.telegram_handle).map_err(invalid_input)?,
            customer_type: self.customer_type.into(),
        })
    }
}

#[derive(InputObject)]
pub struct ProspectKycLinkCreateInput {
    pub(super) prospect_id: Uuid,
}

#[derive(InputObject)]
pub struct ProspectConvertInput {
    pub(super) prospect_id: Uuid,
}

#[derive(InputObject)]
pub struct CustomerFreezeInput {
    pub(super) customer_id: Uuid,
}

#[derive(InputObject)]
pub struct CustomerUnfreezeInput {
    pub(super) customer_id: Uuid,
}

#[derive(InputObject)]
pub struct CustomerCloseInput {
    pub(super) customer_id: Uuid,
}

#[derive(InputObject)]
pub struct CustomerEmailUpdateInput {
    pub(super) customer_id: Uuid,
    pub(super) email: String,
}
