use crate::Credit;
use crate::primitives::{Collateral, CreditFacilityId};
use core_custody::{CollateralSink, Wallet};
use es::{DbOp, EsEntity};
use inbox::HandlerError;

/// A facility's wallet opened at its custodian is recorded on the facility; a new balance the
/// wallet reports is the facility's collateral, recorded and re-evaluated in the transaction
/// that applied the report (see `core_custody`).
pub struct CustodianCollateral(Credit);

impl CustodianCollateral {
    pub fn new(credit: Credit) -> Self {
        Self(credit)
    }
}

#[async_trait::async_trait]
impl CollateralSink for CustodianCollateral {
    async fn wallet_opened_in_op(
        &self,
        op: &mut DbOp,
        wallet: &Wallet,
    ) -> Result<(), HandlerError> {
        self.0
            .assign_wallet_in_op(op, CreditFacilityId::from(wallet.facility_id), wallet.id())
            .await?;
        Ok(())
    }

    async fn wallet_balance_changed_in_op(
        &self,
        op: &mut DbOp,
        wallet: &Wallet,
    ) -> Result<(), HandlerError> {
        let Some(reported) = wallet.balance else {
            return Ok(());
        };
        let collateral = Collateral::parse(reported.balance)?;
        self.0
            .record_wallet_collateral_in_op(
                op,
                CreditFacilityId::from(wallet.facility_id),
                wallet.id(),
                collateral,
            )
            .await?;
        Ok(())
    }
}
