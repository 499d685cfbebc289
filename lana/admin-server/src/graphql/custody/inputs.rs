use async_graphql::{InputObject, OneofObject};
use core_custody::{CustodianConfig, InvalidValue};
use uuid::Uuid;

/// A BitGo enterprise. The secrets are stored encrypted and never shown again; in an update,
/// a secret left out keeps its stored value.
#[derive(InputObject)]
pub struct BitgoConfigInput {
    /// The platform or BitGo Express (`https://app.bitgo-test.com` on the test network).
    base_url: String,
    enterprise_id: String,
    /// `btc`, or `tbtc4` (`tbtc`) on the test network; other coins are refused.
    coin: String,
    access_token: Option<String>,
    /// The passphrase wallets are generated with.
    wallet_passphrase: Option<String>,
    /// The enterprise's webhook secret (`X-Signature-SHA256`).
    webhook_secret: Option<String>,
}

/// A Komainu account. Secrets as for BitGo.
#[derive(InputObject)]
pub struct KomainuConfigInput {
    base_url: String,
    api_user: String,
    api_secret: Option<String>,
    webhook_secret: Option<String>,
}

/// The bank's own keys: the account's extended public key (`m/84'/coin'/account'`, as
/// xpub/zpub or tpub/vpub; never a private key) and an Esplora-style block explorer.
#[derive(InputObject)]
pub struct SelfCustodyConfigInput {
    account_xpub: String,
    explorer_url: String,
}

/// Exactly one provider's configuration.
#[derive(OneofObject)]
pub enum CustodianConfigInput {
    Bitgo(BitgoConfigInput),
    Komainu(KomainuConfigInput),
    SelfCustody(SelfCustodyConfigInput),
    /// Collateral recorded by staff (the value is ignored).
    Manual(bool),
}

impl CustodianConfigInput {
    pub(super) fn parse(self) -> Result<CustodianConfig, InvalidValue> {
        match self {
            Self::Bitgo(c) => CustodianConfig::bitgo(
                &c.base_url,
                &c.enterprise_id,
                &c.coin,
                c.access_token.as_deref(),
                c.wallet_passphrase.as_deref(),
                c.webhook_secret.as_deref(),
            ),
            Self::Komainu(c) => CustodianConfig::komainu(
                &c.base_url,
                &c.api_user,
                c.api_secret.as_deref(),
                c.webhook_secret.as_deref(),
            ),
            Self::SelfCustody(c) => CustodianConfig::self_custody(&c.account_xpub, &c.explorer_url),
            Self::Manual(_) => Ok(CustodianConfig::Manual),
        }
    }
}

#[derive(InputObject)]
pub struct CustodianCreateInput {
    /// Unique, 1 to 100 characters.
    pub(super) name: String,
    pub(super) config: CustodianConfigInput,
}

#[derive(InputObject)]
pub struct CustodianConfigUpdateInput {
    pub(super) custodian_id: Uuid,
    /// The same provider as before.
    pub(super) config: CustodianConfigInput,
}
